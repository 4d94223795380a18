-- Budget-capped fallback (examples/policies/budget-capped-fallback.yaml).
--
-- When spot capacity runs out, launch an on-demand VM instead — but never spend more than
-- BUDGET dollars per hour on this fleet's fallback VMs. Past the budget, try spot again later.
-- The built-in policy without a `fallback:` section only retries spot, so the fleet stays short.

local BUDGET = 1.00      -- $/h for all fallback (on-demand) VMs of this fleet together
local RETRY_AFTER = 300  -- seconds between spot retries once the budget is spent

-- Commands go through the engine queue: a fallback returned a moment ago is not in
-- ctx.fallback_cost_per_hour yet. Count what this policy asked for at the current instant.
local asked_at, asked = -1, 0

function on_capacity_error(err, ctx)
  if err.purchase ~= "spot" then
    return retry{after = RETRY_AFTER}  -- on-demand refused too: nothing cheaper to try
  end
  local cheapest = math.huge
  for _, pool in ipairs(ctx.pools) do
    if pool.on_demand_available then cheapest = math.min(cheapest, pool.on_demand_price) end
  end
  if ctx.now ~= asked_at then asked_at, asked = ctx.now, 0 end
  if ctx.fallback_cost_per_hour + (asked + 1) * cheapest <= BUDGET then
    asked = asked + 1
    return fallback{}
  end
  return retry{after = RETRY_AFTER}
end
