-- Replace on notice (examples/policies/replace-on-notice.yaml).
--
-- Start the replacement when the provider's interruption notice arrives (AWS: two minutes before
-- the eviction) instead of after the eviction. With a 90 s boot the replacement runs before the
-- old VM is gone, so no capacity is lost; it costs the overlap (about 30 s per eviction).

function on_notice(vm, ctx)
  -- launch{} here replaces `vm`: spotsim measures time to reschedule from vm.evict_at.
  return launch{}
end

function on_eviction(vm, ctx)
  -- Already replaced when the notice came: nothing to do. (Defining this hook replaces the
  -- built-in one, which would launch a second replacement.)
end
