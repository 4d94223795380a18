#!/bin/sh
# Game-day plan spot-pool-drill (plan.yaml) exported by chaos-agent gameday --export azure.
# Azure: az vm simulate-eviction per selected Spot VM, at each item's time.
# These are REAL evictions, not chaos-agent's fake notices. T+0 is when this script starts.
set -eu
RESOURCE_GROUP=${RESOURCE_GROUP:-'gameday-rg'}
start=$(date +%s)
wait_until() {
  left=$((start + $1 - $(date +%s)))
  if [ "$left" -gt 0 ]; then sleep "$left"; fi
}

# chaos[0].preempt at T+0s (plan.yaml:14:5): 4 of 4 VM(s)
wait_until 0
az vm simulate-eviction --resource-group "$RESOURCE_GROUP" --name 'node-a' &
az vm simulate-eviction --resource-group "$RESOURCE_GROUP" --name 'node-b' &
az vm simulate-eviction --resource-group "$RESOURCE_GROUP" --name 'node-c' &
az vm simulate-eviction --resource-group "$RESOURCE_GROUP" --name 'node-d' &
wait

# chaos[1].storm at T+5m (plan.yaml:15:5): 2 of 4 VM(s)
wait_until 300
az vm simulate-eviction --resource-group "$RESOURCE_GROUP" --name 'node-b' &
az vm simulate-eviction --resource-group "$RESOURCE_GROUP" --name 'node-c' &
wait
