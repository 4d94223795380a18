#!/usr/bin/env python3
"""Writes scenarios/traces/spot-availability-synthetic.csv: a synthetic spot-availability trace.

Not measured data: a deterministic two-state (available / unavailable) alternating renewal
process with exponential run lengths, in 10-minute steps (the step of the public availability
traces used by Wu et al., "Can't Be Late", NSDI 2024). Mean available run 6 h, mean unavailable
run 2 h (about 75% availability), plus one long 18 h outage on day 9 to make the deadline
policies work for their money. Four weeks long. Regenerate with:

    python3 tools/gen_availability_trace.py > scenarios/traces/spot-availability-synthetic.csv
"""
import random

STEP_S = 600
STEPS = 4 * 7 * 24 * 6
rng = random.Random(20240416)
rows = []
up = True
while len(rows) < STEPS:
    mean_steps = (6 * 6) if up else (2 * 6)
    length = 1 + int(rng.expovariate(1.0 / mean_steps))
    rows.extend([1 if up else 0] * length)
    up = not up
rows = rows[:STEPS]
outage_start = 9 * 24 * 6
for k in range(outage_start, outage_start + 18 * 6):
    rows[k] = 0
print("seconds,spot_available")
for k, a in enumerate(rows):
    print(f"{k * STEP_S},{a}")
