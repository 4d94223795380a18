#pragma once
// Importers of `spotsim calibrate`: each reads one file exactly as the provider or tool writes it
// (docs/calibration.md names the source of every shape) into plain data. A malformed record is an
// error naming FILE, LINE or JSON path and what was expected; a record that is well formed but of
// another kind (an EventBridge event of another detail-type, a Resource Graph row of another type)
// is skipped and counted.
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "sim/calibrate/input.h"
#include "common/status.h"
#include "sim/scenario/advisor_band.h"

namespace spotsim::calibrate {

using ProgressFn = std::function<void(int64_t done, int64_t total)>;

// ---- AWS Spot Instance Advisor: spot-advisor-data.json -------------------------------------
// {"ranges": [{"index": 0, "label": "<5%", "dots": 0, "max": 5}, ...],
//  "spot_advisor": {"us-east-1": {"Linux": {"m5.xlarge": {"s": 70, "r": 1}, ...}, "Windows": {...}}},
//  "instance_types": {...}, "global_rate": "..."}
struct AdvisorEntry {
  FrequencyBand band;   // ranges[r]
  int savings_pct = 0;  // s: savings over on-demand, %
};
struct AdvisorData {
  std::string file;
  std::vector<FrequencyBand> ranges;
  // region → os → instance type → entry
  std::map<std::string, std::map<std::string, std::map<std::string, AdvisorEntry>>> entries;
  // The entry, or an error naming what is missing (with the nearest names there are).
  Result<AdvisorEntry> lookup(const std::string& region, const std::string& os, const std::string& type) const;
};
Result<AdvisorData> read_spot_advisor(const std::string& path);

// ---- Azure Resource Graph (SpotResources) ---------------------------------------------------
// The rows of a query as `az graph query -q ...` prints them ({"count": .., "data": [...]}) or the
// REST API returns them ({"totalRecords": .., "data": [...]} or, with resultFormat table,
// {"data": {"columns": [...], "rows": [...]}}), or a bare list. A row is either the whole resource
// ({"type": "microsoft.compute/skuspotevictionrate/location", "location": "eastus",
//   "sku": {"name": "Standard_D2s_v4"}, "properties": {"evictionRate": "0-5"}}) or a projection
// (skuName, location, evictionRate / spotEvictionRate).
struct AzureEvictionRate {
  std::string sku;       // as written (Standard_D2s_v4)
  std::string location;  // eastus
  FrequencyBand band;    // "0-5" .. "20+"
};
struct AzureEvictionRates {
  std::vector<AzureEvictionRate> rows;
  int64_t skipped = 0;  // rows of another type
};
Result<AzureEvictionRates> read_azure_eviction_rates(const std::string& path);

// Spot price history: type microsoft.compute/skuspotpricehistory/ostype/location,
// properties.spotPrices[] = {"availabilityZone": "1" (optional), "priceHistory": [{"timestamp": ..,
// "priceUSD": 0.0123}, ...]} (also read: a spotPrices[] element that is itself one {timestamp,
// priceUSD} point, the older shape Microsoft's sample query reads with spotPrices[0].priceUSD).
struct PricePoint {
  int64_t t_us = 0;
  double price = 0;
};
struct PriceSeries {
  std::string provider;  // "aws" / "azure"
  std::string instance_type;
  std::string zone;  // AWS: us-east-1a; Azure: the location, or location-ZONE
  std::string region;
  std::string product;             // AWS ProductDescription, Azure osType
  std::vector<PricePoint> points;  // sorted by time
  std::string file;
};
struct PriceHistory {
  std::vector<PriceSeries> series;
  int64_t records = 0;
  int64_t skipped = 0;  // rows of another type
};
Result<PriceHistory> read_azure_price_history(const std::string& path);

// ---- AWS: aws ec2 describe-spot-price-history --output json ---------------------------------
// {"SpotPriceHistory": [{"AvailabilityZone": "us-east-1a", "InstanceType": "m5.xlarge",
//   "ProductDescription": "Linux/UNIX", "SpotPrice": "0.071200", "Timestamp": "2026-01-05T10:00:00+00:00"}],
//  "NextToken": ""}
Result<PriceHistory> read_aws_price_history(const std::string& path);

// ---- Interruption events ----------------------------------------------------------------------
enum class EventKind : uint8_t { kInterruption, kRebalance };
struct Event {
  std::string id;  // dedupe key: EventBridge id, GCP insertId, Azure eventDataId / EventId
  int64_t t_us = 0;
  std::string instance;      // instance id / name / Azure resource id (lower case for Azure)
  std::string alt_instance;  // a second name of the same VM (GCP: id and name; Azure: name)
  std::string zone;          // when the record says (GCP); empty otherwise
  std::string region;
  std::string provider;  // aws / gcp / azure
  EventKind kind = EventKind::kInterruption;
  uint8_t source = 0;  // index into event_source_names()
  int32_t file = 0;    // index into EventLog::files
  int64_t line = 0;    // 0 for a record of a JSON list
};
// "EventBridge EC2 Spot Instance Interruption Warning", ... (Event::source indexes this).
const std::vector<std::string>& event_source_names();
struct EventLog {
  std::vector<Event> events;  // in file order, duplicates removed
  int64_t records = 0;
  int64_t duplicates = 0;                    // same id seen before (dropped)
  int64_t other = 0;                         // well-formed records of another kind (ignored)
  std::map<std::string, int64_t> by_source;  // "EventBridge interruption warning" → count
  std::unordered_set<std::string> seen;      // ids read so far
  std::vector<std::string> files;            // Event::file indexes this
};
// Reads one events file (JSON Lines or one JSON list), detecting each record's shape:
//  - EventBridge: "detail-type" "EC2 Spot Instance Interruption Warning" / "EC2 Instance Rebalance
//    Recommendation", "id", "time", "region", "detail": {"instance-id", "instance-action"}
//  - GCP Cloud Logging audit entry: protoPayload.methodName "compute.instances.preempted", insertId,
//    timestamp, resource.labels.{instance_id, zone}, protoPayload.resourceName .../instances/NAME
//  - Azure Activity Log record: operationName ({"value": ..} or a string) naming a preempt action,
//    eventDataId (or id), eventTimestamp (or time), resourceId
//  - Azure Scheduled Events document (as polled from the metadata service): {"DocumentIncarnation":
//    N, "Events": [{"EventId", "EventType": "Preempt", "Resources": [vm names], "NotBefore": RFC 1123}]}
// Appends to `log` (dedupe by id across files, in file order). Large files are parsed on several
// threads (`threads`, 0 = as many as worth it); the result is the same for any number.
Status read_events(const std::string& path, EventLog& log, const ProgressFn& progress = {}, size_t threads = 0);

// ---- Inventory of running VMs: CSV ------------------------------------------------------------
// A header line naming the columns (any order; aliases accepted): instance_id, instance_type,
// zone, start, end (empty end: still running at the end of the period). Extra columns are ignored.
struct InventoryRow {
  std::string instance;
  std::string instance_type;
  std::string zone;
  int64_t start_us = 0;
  int64_t end_us = -1;  // -1: running
  int64_t line = 0;
};
struct Inventory {
  std::string file;
  std::vector<InventoryRow> rows;
  int64_t no_zone_timestamps = 0;  // timestamps without a zone (read as UTC)
};
Result<Inventory> read_inventory(const std::string& path, const ProgressFn& progress = {});

}  // namespace spotsim::calibrate
