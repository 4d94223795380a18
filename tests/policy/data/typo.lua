local function helper() return 1 end

function on_notce(vm, ctx)
  return launch{}
end

function on_eviction(vm, ctx)
  return launch{}
end
