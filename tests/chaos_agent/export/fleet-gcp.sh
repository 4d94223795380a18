#!/bin/sh
# Game-day plan gpu-zone-a-drill (fleet-plan.yaml) exported by chaos-agent gameday --export gcp.
# GCP: gcloud compute instances simulate-maintenance-event on the selected Spot VMs (onHostMaintenance TERMINATE), at each item's time.
# These are REAL evictions, not chaos-agent's fake notices. T+0 is when this script starts.
set -eu
ZONE=${ZONE:-'us-central1-a'}
start=$(date +%s)
wait_until() {
  left=$((start + $1 - $(date +%s)))
  if [ "$left" -gt 0 ]; then sleep "$left"; fi
}

# chaos[0].storm at T+0s (fleet-plan.yaml:9:5): 2 of 9 VM(s)
wait_until 0
gcloud compute instances simulate-maintenance-event 'gpu-a-1' 'gpu-a-2' --zone "$ZONE"

# chaos[1].preempt at T+2m (fleet-plan.yaml:10:5): 2 of 9 VM(s)
wait_until 120
gcloud compute instances simulate-maintenance-event 'web-a-1' 'web-a-2' --zone "$ZONE"

# chaos[2].storm at T+5m (fleet-plan.yaml:11:5): 1 of 9 VM(s)
wait_until 300
gcloud compute instances simulate-maintenance-event 'batch-a-1' --zone "$ZONE"

# chaos[2].storm at T+5m1s (fleet-plan.yaml:11:5): 1 of 9 VM(s)
wait_until 301
gcloud compute instances simulate-maintenance-event 'batch-a-2' --zone "$ZONE"

# chaos[2].storm at T+5m2s (fleet-plan.yaml:11:5): 1 of 9 VM(s)
wait_until 302
gcloud compute instances simulate-maintenance-event 'batch-a-3' --zone "$ZONE"
