-- Test policy: replace every evicted VM (what the built-in does), in Lua.
function on_eviction(vm, ctx)
  return launch{count = 1}
end
