-- Checkpoint on notice (examples/policies/checkpoint-on-notice.yaml).
--
-- When a VM gets its interruption notice, checkpoint the job running on it, so that only the
-- progress made during the notice is lost instead of everything since the last periodic
-- checkpoint. The workloads model tells the policy which job runs where (on_job_event), and
-- checkpoint{} asks it to write the job's progress through the shared checkpoint store — so a
-- storm of notices still competes for the store's throughput (checkpoint lag).

local job_on = {}  -- VM id → id of the job running on it

function on_job_event(job, ctx)
  if job.kind == 'started' then
    job_on[job.vm.id] = job.id
  elseif (job.kind == 'finished' or job.kind == 'lost') and job.vm then
    job_on[job.vm.id] = nil
  end
  -- 'queued', 'checkpointed' and the per-minute 'load' reports need nothing here.
end

function on_notice(vm, ctx)
  local id = job_on[vm.id]
  if id then return checkpoint{job = id} end
  -- The replacement comes from the built-in on_eviction (this file does not define it).
end
