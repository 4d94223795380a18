#!/bin/sh
# Game-day plan gpu-zone-a-drill (fleet-plan.yaml) exported by chaos-agent gameday --export azure.
# Azure: az vm simulate-eviction per selected Spot VM, at each item's time.
# These are REAL evictions, not chaos-agent's fake notices. T+0 is when this script starts.
set -eu
RESOURCE_GROUP=${RESOURCE_GROUP:-'gameday-rg'}
start=$(date +%s)
wait_until() {
  left=$((start + $1 - $(date +%s)))
  if [ "$left" -gt 0 ]; then sleep "$left"; fi
}

# chaos[0].storm at T+0s (fleet-plan.yaml:9:5): 2 of 9 VM(s)
wait_until 0
az vm simulate-eviction --resource-group "$RESOURCE_GROUP" --name 'gpu-a-1' &
az vm simulate-eviction --resource-group "$RESOURCE_GROUP" --name 'gpu-a-2' &
wait

# chaos[1].preempt at T+2m (fleet-plan.yaml:10:5): 2 of 9 VM(s)
wait_until 120
az vm simulate-eviction --resource-group "$RESOURCE_GROUP" --name 'web-a-1' &
az vm simulate-eviction --resource-group "$RESOURCE_GROUP" --name 'web-a-2' &
wait

# chaos[2].storm at T+5m (fleet-plan.yaml:11:5): 1 of 9 VM(s)
wait_until 300
az vm simulate-eviction --resource-group "$RESOURCE_GROUP" --name 'batch-a-1' &
wait

# chaos[2].storm at T+5m1s (fleet-plan.yaml:11:5): 1 of 9 VM(s)
wait_until 301
az vm simulate-eviction --resource-group "$RESOURCE_GROUP" --name 'batch-a-2' &
wait

# chaos[2].storm at T+5m2s (fleet-plan.yaml:11:5): 1 of 9 VM(s)
wait_until 302
az vm simulate-eviction --resource-group "$RESOURCE_GROUP" --name 'batch-a-3' &
wait
