#!/usr/bin/env python3
"""Writes the walk-through inputs of docs/calibration.md (deterministic): a 14-day inventory of
three us-east-1 pools and the EventBridge events AWS would have sent for it. Pool m5.xlarge in
us-east-1a is interrupted at 0.004/h, us-east-1b at 0.01/h; c5.2xlarge in us-east-1a at 0.006/h
plus a storm on day 9 (14:00-16:00 UTC) that takes most of its VMs at once.

usage: examples/calibration/make_example.py   (writes events.jsonl and inventory.csv next to itself)
"""
import datetime
import math
import os
import random

rng = random.Random(18)
here = os.path.dirname(os.path.abspath(__file__))
t0 = datetime.datetime(2026, 3, 1, tzinfo=datetime.timezone.utc)
span = 14 * 86400
pools = [("m5.xlarge", "us-east-1a", 0.004, 24), ("m5.xlarge", "us-east-1b", 0.01, 16), ("c5.2xlarge", "us-east-1a", 0.006, 20)]
storm = (8 * 86400 + 14 * 3600, 8 * 86400 + 16 * 3600)


def iso(sec, offset_h=0):
    tz = datetime.timezone(datetime.timedelta(hours=offset_h))
    return (t0 + datetime.timedelta(seconds=sec)).astimezone(tz).isoformat().replace("+00:00", "Z")


rows, events = [], []
n = 0
for itype, zone, rate, slots in pools:
    for _ in range(slots):
        t = 0
        while t < span:
            n += 1
            iid = "i-0%016x" % (0x5eed0000 + n)
            planned = min(span, t + rng.randrange(2 * 86400, 7 * 86400))
            life = -math.log(1 - rng.random()) / rate * 3600
            end = t + life
            if itype == "c5.2xlarge" and t < storm[0] < min(end, planned) and rng.random() < 0.7:
                end = storm[0] + rng.randrange(0, storm[1] - storm[0])
            if end < planned:
                end = int(end)
                events.append((end - 120, iid, "EC2 Spot Instance Interruption Warning"))
                if rng.random() < 0.5:
                    events.append((end - 120 - rng.randrange(300, 1800), iid, "EC2 Instance Rebalance Recommendation"))
                rows.append((iid, itype, zone, t, end))
                t = end + 90
            else:
                rows.append((iid, itype, zone, t, planned if planned < span else None))
                t = planned if planned < span else span

with open(os.path.join(here, "inventory.csv"), "w") as f:
    f.write("instance_id,instance_type,zone,start,end\n")
    for iid, itype, zone, s, e in rows:
        f.write(f"{iid},{itype},{zone},{iso(s)},{'' if e is None else iso(e)}\n")
events.sort()
with open(os.path.join(here, "events.jsonl"), "w") as f:
    for k, (t, iid, dt) in enumerate(events):
        eid = "5eed%04x-0018-4000-8000-%012x" % (k, k)
        detail = '{"instance-id":"%s","instance-action":"terminate"}' % iid if dt.endswith("Warning") else '{"instance-id":"%s"}' % iid
        f.write('{"version":"0","id":"%s","detail-type":"%s","source":"aws.ec2","account":"123456789012","time":"%s",'
                '"region":"us-east-1","resources":["arn:aws:ec2:us-east-1:123456789012:instance/%s"],"detail":%s}\n'
                % (eid, dt, iso(t), iid, detail))
