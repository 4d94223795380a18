#!/usr/bin/env python3
"""Synthetic input for the `spotsim calibrate` benchmark: an inventory CSV and EventBridge events in
JSON Lines, in the shapes AWS writes (docs/calibration.md).

usage: gen_calibrate_data.py EVENTS ROWS DIR [--seed N]

DIR/inventory.csv: ROWS VMs over 30 days in 24 pools (8 instance types x 3 zones of us-east-1).
DIR/events.jsonl:  EVENTS events: 85% Spot Instance Interruption Warnings and 10% Rebalance
                   Recommendations of inventory VMs (inside their running time), 3% instance
                   state-change notifications (ignored by calibrate), 2% repeats of an earlier id
                   (dropped as duplicates); every 50th line behind a CloudWatch Logs timestamp.
Deterministic for a given seed.
"""
import datetime
import os
import random
import sys


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    if len(args) != 3:
        sys.exit(__doc__)
    n_events, n_rows, out = int(args[0]), int(args[1]), args[2]
    seed = int(sys.argv[sys.argv.index("--seed") + 1]) if "--seed" in sys.argv else 1
    rng = random.Random(seed)
    os.makedirs(out, exist_ok=True)
    t0 = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
    span = 30 * 86400
    types = ["m5.large", "m5.xlarge", "m5.2xlarge", "c5.xlarge", "c5.2xlarge", "r5.large", "r5.xlarge", "m6i.xlarge"]
    zones = ["us-east-1a", "us-east-1b", "us-east-1c"]

    def iso(sec):
        return (t0 + datetime.timedelta(seconds=sec)).strftime("%Y-%m-%dT%H:%M:%SZ")

    vms = []
    with open(os.path.join(out, "inventory.csv"), "w") as f:
        f.write("instance_id,instance_type,zone,start,end\n")
        for i in range(n_rows):
            start = rng.randrange(0, span - 3600)
            end = min(span, start + rng.randrange(3600, 10 * 86400))
            iid = "i-%017x" % (0x100000000 + i)
            vms.append((iid, start, end))
            f.write(f"{iid},{types[i % len(types)]},{zones[(i // len(types)) % len(zones)]},{iso(start)},{iso(end)}\n")
    ids = []
    with open(os.path.join(out, "events.jsonl"), "w") as f:
        for k in range(n_events):
            iid, start, end = vms[rng.randrange(len(vms))]
            t = rng.randrange(start, end)
            r = rng.random()
            if r < 0.02 and ids:
                eid, dt, iid, t = ids[rng.randrange(len(ids))]
            else:
                eid = "%08x-%04x-4%03x-8%03x-%012x" % (seed, k >> 16 & 0xffff, k >> 4 & 0xfff, k & 0xfff, k)
                dt = ("EC2 Spot Instance Interruption Warning" if r < 0.87 else
                      "EC2 Instance Rebalance Recommendation" if r < 0.97 else "EC2 Instance State-change Notification")
                ids.append((eid, dt, iid, t))
            detail = ('{"instance-id":"%s","instance-action":"terminate"}' % iid if dt.endswith("Warning") else
                      '{"instance-id":"%s","state":"shutting-down"}' % iid if dt.endswith("Notification") else
                      '{"instance-id":"%s"}' % iid)
            line = ('{"version":"0","id":"%s","detail-type":"%s","source":"aws.ec2","account":"123456789012",'
                    '"time":"%s","region":"us-east-1","resources":["arn:aws:ec2:us-east-1:123456789012:instance/%s"],'
                    '"detail":%s}' % (eid, dt, iso(t), iid, detail))
            if k % 50 == 49:
                line = iso(t)[:-1] + ".000Z " + line
            f.write(line + "\n")


if __name__ == "__main__":
    main()
