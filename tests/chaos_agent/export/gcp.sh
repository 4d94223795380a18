#!/bin/sh
# Game-day plan spot-pool-drill (plan.yaml) exported by chaos-agent gameday --export gcp.
# GCP: gcloud compute instances simulate-maintenance-event on the selected Spot VMs (onHostMaintenance TERMINATE), at each item's time.
# These are REAL evictions, not chaos-agent's fake notices. T+0 is when this script starts.
set -eu
ZONE=${ZONE:-'us-central1-a'}
start=$(date +%s)
wait_until() {
  left=$((start + $1 - $(date +%s)))
  if [ "$left" -gt 0 ]; then sleep "$left"; fi
}

# chaos[0].preempt at T+0s (plan.yaml:14:5): 4 of 4 VM(s)
wait_until 0
gcloud compute instances simulate-maintenance-event 'node-a' 'node-b' 'node-c' 'node-d' --zone "$ZONE"

# chaos[1].storm at T+5m (plan.yaml:15:5): 2 of 4 VM(s)
wait_until 300
gcloud compute instances simulate-maintenance-event 'node-b' 'node-c' --zone "$ZONE"
