-- Test policy: never returns (the instruction budget stops it).
function on_eviction(vm, ctx)
  local n = 0
  while true do n = n + 1 end
end
