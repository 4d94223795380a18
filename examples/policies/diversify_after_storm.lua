-- Diversify after a storm (examples/policies/diversify-after-storm.yaml).
--
-- Spot pools differ in price and in how often they take VMs away, and a pool that is being
-- hit hard now (an eviction storm) tends to keep being hit. This policy places each VM in the
-- cheapest pool that has capacity, but skips any pool whose recent eviction rate is above a
-- threshold: ctx.pools[...].eviction_rate is this fleet's evictions in the pool over about the
-- last hour (exponentially weighted), per VM it has there. When every pool is stormy it takes
-- the calmest one. The built-in lowest-price strategy looks at prices only.

local STORMY = 0.25   -- evictions per VM-hour, recently; above this a pool is avoided

local function calm(pool)
  return pool.eviction_rate <= STORMY
end

function choose_pool(request, ctx)
  local best, calmest
  for _, pool in ipairs(ctx.pools) do
    if pool.available > 0 then
      if calm(pool) and (best == nil or pool.spot_price < best.spot_price) then best = pool end
      if calmest == nil or pool.eviction_rate < calmest.eviction_rate then calmest = pool end
    end
  end
  return best or calmest   -- nil when no pool has capacity: a capacity error, retried as usual
end
