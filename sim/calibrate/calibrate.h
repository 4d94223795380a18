#pragma once
// `spotsim calibrate`: real data in, the pool blocks of a scenario out (docs/calibration.md).
//
//   inventory (exposure) + interruption events  →  per pool (instance type × zone): λ̂ with a 95%
//                                                  interval and constant-hazard tests
//   AWS Spot Instance Advisor / Azure eviction bands → interruption: {advisor_band: ..}
//   AWS / Azure spot price history                →  spot_price: (constant or schedule)
//
// The library does the work; the CLI (sim/cli/main.cpp) only parses arguments and writes the text.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "sim/calibrate/hazard.h"
#include "sim/calibrate/sources.h"
#include "common/status.h"
#include "sim/scenario/advisor_band.h"

namespace spotsim::calibrate {

struct Options {
  std::vector<std::string> event_files;        // EventBridge / GCP audit / Azure records (JSON Lines or a list)
  std::string inventory_file;                  // CSV of running VMs
  std::string advisor_file;                    // spot-advisor-data.json
  std::string azure_eviction_file;             // Resource Graph skuspotevictionrate rows
  std::vector<std::string> aws_price_files;    // describe-spot-price-history --output json
  std::vector<std::string> azure_price_files;  // Resource Graph skuspotpricehistory rows
  std::string region;                          // band sources: the region to take (AWS region / Azure location)
  std::vector<std::string> instance_types;     // band sources: the types to take (empty: the inventory's)
  std::string os = "Linux";                    // advisor OS key (Linux / Windows)
  std::string product;                         // price series: AWS ProductDescription / Azure osType (default: Linux)
  std::optional<int64_t> from_us, to_us;       // the period (default: the inventory's span)
  BandEdge band_edge = BandEdge::kMid;
  std::string provider;   // aws / azure / gcp for inventory pools no event names
  bool scenario = false;  // a whole runnable scenario, not only pools:
  double confidence = 0.95;
  // Progress on long inputs: stage ("events", "inventory", ...), done and total (bytes or rows).
  std::function<void(const std::string& stage, int64_t done, int64_t total)> progress;
};

struct PoolCalibration {
  std::string name;      // pool name in the YAML (type-zone, dots replaced)
  std::string provider;  // aws / azure / gcp
  std::string region, zone, instance_type;
  // Events and exposure (when an inventory was given).
  bool has_exposure = false;
  RateEstimate estimate;
  int64_t instances = 0;
  int64_t peak_concurrent = 0;
  int64_t rebalances = 0;
  FitTest time_of_day, bursts;
  double burst_window_h = 0;
  // Published band (advisor / Azure eviction rate), when one matched.
  std::optional<FrequencyBand> band;
  std::string band_source;  // "AWS Spot Instance Advisor (us-east-1 Linux, savings 70%)"
  int savings_pct = -1;     // advisor: savings of spot over on-demand, % (-1: unknown)
  // Spot price.
  std::vector<PricePoint> prices;  // in the period, first at the period start (empty: none)
  std::string price_source;
};

struct Calibration {
  int64_t from_us = 0, to_us = 0;  // the period
  bool period_known = true;        // false: no times among the inputs (bands only): 30 days assumed
  std::vector<PoolCalibration> pools;
  std::vector<std::string> inputs;  // one line per input file: what it held
  std::vector<std::string> notes;   // what was dropped or assumed, for the header comment
  int64_t events_used = 0;
  double alpha = 0.01;  // a constant-hazard test rejects below this p
};

// Reads every input and calibrates. Errors name the file and record; nothing is written.
Result<Calibration> run_calibration(const Options& opt);

// The estimation alone, on data already read (used by run_calibration and the tests).
Calibration calibrate_exposure(const Inventory& inv, const EventLog& log, const Options& opt);

// The YAML text: pool blocks (or a whole scenario with opt.scenario) with comments giving the
// source, period and interval of every number.
std::string to_yaml(const Calibration& cal, const Options& opt);

// A pool name usable in --set paths: "m5.xlarge" in "us-east-1a" → "m5-xlarge-us-east-1a".
std::string pool_name(const std::string& instance_type, const std::string& zone);

}  // namespace spotsim::calibrate
