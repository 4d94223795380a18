function on_eviction(vm, ctx)
  local x = = 1
end
