local function on_eviction(vm, ctx)
  return launch{}
end
