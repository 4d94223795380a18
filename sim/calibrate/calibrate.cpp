#include "sim/calibrate/calibrate.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>
#include <string_view>
#include <unordered_map>

namespace spotsim::calibrate {

namespace {

constexpr int64_t kHourUs = 3'600'000'000LL;
constexpr int64_t kDayUs = 24 * kHourUs;
// An interruption warning comes before the VM stops (AWS: 2 min); the inventory's end may be
// written late. An event up to this long after a VM's recorded end still belongs to it.
constexpr int64_t kEventSlackUs = 10 * 60'000'000LL;

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// `s` in lower case, in `buf` only when it has upper-case letters (no allocation per event).
std::string_view lower_view(const std::string& s, std::string& buf) {
  if (std::none_of(s.begin(), s.end(), [](char c) { return c >= 'A' && c <= 'Z'; })) return s;
  buf = lower(s);
  return buf;
}

// Lookup by string_view in an unordered_map<std::string, ...>.
struct ViewHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

double hours(int64_t us) { return static_cast<double>(us) / static_cast<double>(kHourUs); }

// The provider a zone name looks like: us-east-1a (AWS), us-central1-f (GCP), eastus / eastus-1 (Azure).
std::string guess_provider(const std::string& zone) {
  if (zone.empty()) return "aws";
  const char last = zone.back();
  const size_t dash = zone.find_last_of('-');
  if (std::isalpha(static_cast<unsigned char>(last)) && dash != std::string::npos && dash + 2 == zone.size())
    return "gcp";
  if (std::isalpha(static_cast<unsigned char>(last)) && zone.size() >= 2 &&
      std::isdigit(static_cast<unsigned char>(zone[zone.size() - 2]))) {
    return "aws";
  }
  return "azure";
}

std::string region_of(const std::string& provider, const std::string& zone) {
  std::string r = zone;
  if (provider == "aws") {
    while (!r.empty() && std::isalpha(static_cast<unsigned char>(r.back()))) r.pop_back();
    return r.empty() ? zone : r;
  }
  const size_t dash = r.find_last_of('-');
  if (provider == "gcp") return dash == std::string::npos ? r : r.substr(0, dash);
  // azure: "eastus" or "eastus-1"
  if (dash != std::string::npos && dash + 1 < r.size() && std::isdigit(static_cast<unsigned char>(r[dash + 1])))
    return r.substr(0, dash);
  return r;
}

// Four significant digits without an exponent (scenario files read "0.0001463/h").
std::string plain(double v, int sig = 4) {
  if (v == 0 || !std::isfinite(v)) return "0";
  const int decimals = std::max(0, sig - 1 - static_cast<int>(std::floor(std::log10(std::fabs(v)))));
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", std::min(decimals, 12), v);
  std::string t = buf;
  if (t.find('.') != std::string::npos) {
    while (t.back() == '0') t.pop_back();
    if (t.back() == '.') t.pop_back();
  }
  return t;
}

std::string rate_text(double per_hour) { return plain(per_hour) + "/h"; }

}  // namespace

std::string pool_name(const std::string& instance_type, const std::string& zone) {
  std::string n = instance_type + "-" + zone;
  for (char& c : n) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_')) c = '-';
  }
  return lower(n);
}

Calibration calibrate_exposure(const Inventory& inv, const EventLog& log, const Options& opt) {
  Calibration cal;
  // The period: --from/--to, else the inventory's span (a running VM runs to the last time seen).
  int64_t lo = INT64_MAX, hi = INT64_MIN;
  bool running = false;
  for (const auto& r : inv.rows) {
    lo = std::min(lo, r.start_us);
    hi = std::max(hi, r.end_us >= 0 ? r.end_us : r.start_us);
    running = running || r.end_us < 0;
  }
  if (running) {
    for (const auto& e : log.events) hi = std::max(hi, e.t_us);
  }
  cal.from_us = opt.from_us.value_or(lo);
  cal.to_us = opt.to_us.value_or(hi);
  if (cal.to_us <= cal.from_us) return cal;  // the caller reports an empty period
  const int64_t from = cal.from_us, to = cal.to_us;

  // Pools (type × zone), named and sorted by name for stable output.
  std::map<std::pair<std::string, std::string>, size_t> pool_of_key;
  std::vector<size_t> row_pool(inv.rows.size());
  {
    std::map<std::string, std::pair<std::string, std::string>> names;
    for (const auto& r : inv.rows)
      names.emplace(pool_name(r.instance_type, r.zone), std::make_pair(r.instance_type, r.zone));
    for (const auto& [name, key] : names) {
      pool_of_key[key] = cal.pools.size();
      PoolCalibration p;
      p.name = name;
      p.instance_type = key.first;
      p.zone = key.second;
      cal.pools.push_back(std::move(p));
    }
  }
  std::unordered_map<std::string, std::vector<uint32_t>, ViewHash, std::equal_to<>>
      rows_of;  // instance (lower case) → rows
  rows_of.reserve(inv.rows.size() * 2);
  std::vector<std::set<std::string>> instances(cal.pools.size());
  std::vector<std::vector<std::pair<int64_t, int64_t>>> spans(cal.pools.size());  // clipped intervals
  std::vector<std::array<double, 24>> tod_exposure(cal.pools.size());
  for (auto& a : tod_exposure) a.fill(0);
  for (size_t i = 0; i < inv.rows.size(); ++i) {
    const auto& r = inv.rows[i];
    const size_t p = pool_of_key[{r.instance_type, r.zone}];
    row_pool[i] = p;
    rows_of[lower(r.instance)].push_back(static_cast<uint32_t>(i));
    const int64_t s = std::max(r.start_us, from);
    const int64_t e = std::min(r.end_us >= 0 ? r.end_us : to, to);
    if (e <= s) continue;
    instances[p].insert(r.instance);
    spans[p].emplace_back(s, e);
    // Exposure per hour of the day (UTC): whole days add to every hour, the rest hour by hour.
    const int64_t whole_days = (e - s) / kDayUs;
    for (auto& h : tod_exposure[p]) h += static_cast<double>(whole_days);
    int64_t t = s + whole_days * kDayUs;
    while (t < e) {
      const int64_t in_day = ((t % kDayUs) + kDayUs) % kDayUs;
      const int64_t hour_end = t - in_day % kHourUs + kHourUs;
      const int64_t stop = std::min(hour_end, e);
      tod_exposure[p][static_cast<size_t>(in_day / kHourUs)] += hours(stop - t);
      t = stop;
    }
  }

  // Events → pools.
  std::vector<std::vector<int64_t>> event_times(cal.pools.size());
  std::vector<std::string> event_provider(cal.pools.size());
  int64_t unmatched = 0, outside = 0, outside_period = 0;
  std::vector<std::string> unmatched_ids;
  std::string buf;
  for (const auto& ev : log.events) {
    auto it = rows_of.find(lower_view(ev.instance, buf));
    if (it == rows_of.end() && !ev.alt_instance.empty()) it = rows_of.find(lower_view(ev.alt_instance, buf));
    if (it == rows_of.end()) {
      ++unmatched;
      if (unmatched_ids.size() < 3) unmatched_ids.push_back(ev.instance);
      continue;
    }
    int64_t row = -1;
    for (uint32_t ri : it->second) {
      const auto& r = inv.rows[ri];
      const int64_t end = r.end_us >= 0 ? r.end_us : to;
      if (ev.t_us >= r.start_us && ev.t_us <= end + kEventSlackUs) {
        row = ri;
        break;
      }
    }
    if (row < 0) {
      ++outside;
      continue;
    }
    if (ev.t_us < from || ev.t_us > to + kEventSlackUs) {
      ++outside_period;
      continue;
    }
    const size_t p = row_pool[static_cast<size_t>(row)];
    if (event_provider[p].empty()) event_provider[p] = ev.provider;
    if (ev.kind == EventKind::kRebalance) {
      ++cal.pools[p].rebalances;
    } else {
      event_times[p].push_back(ev.t_us);
      ++cal.events_used;
    }
  }
  if (unmatched > 0) {
    std::string ids;
    for (const auto& s : unmatched_ids) ids += (ids.empty() ? "" : ", ") + s;
    cal.notes.push_back(std::to_string(unmatched) + " events name VMs that are not in the inventory (e.g. " + ids +
                        "): not counted, as their exposure is unknown");
  }
  if (outside > 0) {
    cal.notes.push_back(std::to_string(outside) +
                        " events fall outside their VM's start..end in the inventory (+10 min): not counted");
  }
  if (outside_period > 0)
    cal.notes.push_back(std::to_string(outside_period) + " events fall outside the period: not counted");
  if (inv.no_zone_timestamps > 0) {
    cal.notes.push_back(std::to_string(inv.no_zone_timestamps) +
                        " inventory rows have timestamps without a time zone: read as UTC");
  }

  // Estimates and tests per pool.
  const double period_h = hours(to - from);
  for (size_t p = 0; p < cal.pools.size(); ++p) {
    PoolCalibration& pc = cal.pools[p];
    pc.provider = !event_provider[p].empty() ? event_provider[p]
                  : !opt.provider.empty()    ? opt.provider
                                             : guess_provider(pc.zone);
    pc.region = region_of(pc.provider, pc.zone);
    pc.instances = static_cast<int64_t>(instances[p].size());
    double exposure = 0;
    for (const auto& [s, e] : spans[p]) exposure += hours(e - s);
    if (exposure <= 0) continue;
    pc.has_exposure = true;
    pc.estimate = estimate_rate(static_cast<int64_t>(event_times[p].size()), exposure, opt.confidence);
    // Peak concurrency.
    std::vector<std::pair<int64_t, int>> edges;
    edges.reserve(spans[p].size() * 2);
    for (const auto& [s, e] : spans[p]) {
      edges.emplace_back(s, +1);
      edges.emplace_back(e, -1);
    }
    std::sort(edges.begin(), edges.end(), [](const auto& a, const auto& b) {
      return a.first != b.first ? a.first < b.first : a.second < b.second;
    });
    int64_t cur = 0;
    for (const auto& [t, d] : edges) {
      cur += d;
      pc.peak_concurrent = std::max(pc.peak_concurrent, cur);
    }
    const double rate = pc.estimate.rate;
    if (rate <= 0) {
      pc.time_of_day.why_not = pc.bursts.why_not = "no interruptions";
      continue;
    }
    // Time of day.
    std::vector<double> obs(24, 0), exp(24, 0);
    for (int64_t t : event_times[p]) obs[static_cast<size_t>((((t % kDayUs) + kDayUs) % kDayUs) / kHourUs)] += 1;
    for (size_t h = 0; h < 24; ++h) exp[h] = rate * tod_exposure[p][h];
    pc.time_of_day = poisson_fit(obs, exp);
    // Bursts: windows long enough to expect about 5 interruptions each on average.
    const double mean_vms = exposure / period_h;
    // (at most 10^5 windows: a period of centuries must not allocate gigabytes)
    const double w_h = std::max({1.0, std::ceil(5.0 / (rate * mean_vms)), std::ceil(period_h / 1e5)});
    pc.burst_window_h = w_h;
    const int64_t w_us = static_cast<int64_t>(w_h) * kHourUs;
    const size_t nwin = static_cast<size_t>((to - from + w_us - 1) / w_us);
    if (nwin < 2) {
      pc.bursts.why_not = "the period is shorter than two windows of " + fmt(w_h) + " h";
      continue;
    }
    std::vector<double> wexp(nwin + 1, 0), diff(nwin + 1, 0), wobs(nwin, 0);
    for (const auto& [s, e] : spans[p]) {
      const size_t ws = static_cast<size_t>((s - from) / w_us);
      const size_t we = std::min(nwin - 1, static_cast<size_t>((e - from) / w_us));
      if (ws == we) {
        wexp[ws] += hours(e - s);
        continue;
      }
      wexp[ws] += hours(from + static_cast<int64_t>(ws + 1) * w_us - s);
      wexp[we] += hours(e - (from + static_cast<int64_t>(we) * w_us));
      diff[ws + 1] += w_h;
      diff[we] -= w_h;
    }
    double run = 0;
    for (size_t i = 0; i < nwin; ++i) {
      run += diff[i];
      wexp[i] = (wexp[i] + run) * rate;
    }
    wexp.resize(nwin);
    for (int64_t t : event_times[p])
      wobs[std::min(nwin - 1, static_cast<size_t>(std::max<int64_t>(0, t - from) / w_us))] += 1;
    pc.bursts = poisson_fit(wobs, wexp);
  }
  // Pools with no exposure in the period are dropped (say so).
  std::vector<PoolCalibration> kept;
  for (auto& pc : cal.pools) {
    if (pc.has_exposure) kept.push_back(std::move(pc));
    else cal.notes.push_back("pool " + pc.name + ": no VM ran in the period: left out");
  }
  cal.pools = std::move(kept);
  return cal;
}

namespace {

void progress_stage(const Options& opt, const std::string& stage, int64_t d, int64_t t) {
  if (opt.progress) opt.progress(stage, d, t);
}

bool default_product(const std::string& provider, const std::string& product) {
  const std::string p = lower(product);
  if (provider == "aws") return p == "linux/unix" || p == "linux/unix (amazon vpc)";
  return p.empty() || p == "linux";
}

// The pool's price points in [from, to]: the price in effect at `from` first, at `from`.
std::vector<PricePoint> clip_prices(const std::vector<PricePoint>& pts, int64_t from, int64_t to) {
  std::vector<PricePoint> out;
  double at_start = -1;
  for (const auto& p : pts) {
    if (p.t_us <= from) at_start = p.price;
  }
  if (at_start < 0 && !pts.empty()) at_start = pts.front().price;
  if (at_start < 0) return out;
  out.push_back({from, at_start});
  for (const auto& p : pts) {
    if (p.t_us > from && p.t_us <= to && p.price != out.back().price) out.push_back(p);
  }
  return out;
}

}  // namespace

Result<Calibration> run_calibration(const Options& opt) {
  if (opt.event_files.empty() && opt.inventory_file.empty() && opt.advisor_file.empty() &&
      opt.azure_eviction_file.empty() && opt.aws_price_files.empty() && opt.azure_price_files.empty()) {
    return Status::invalid(
        "spotsim calibrate: nothing to read; give --inventory with --events, --advisor, --azure-eviction, "
        "--aws-prices or --azure-prices (docs/calibration.md)");
  }
  if (!opt.event_files.empty() && opt.inventory_file.empty()) {
    return Status::invalid(
        "spotsim calibrate: interruption events need the exposure they happened in: give --inventory "
        "(a CSV of instance_id,instance_type,zone,start,end; docs/calibration.md)");
  }
  // Read every input first: an error anywhere means no output at all.
  std::optional<AdvisorData> advisor;
  if (!opt.advisor_file.empty()) {
    auto a = read_spot_advisor(opt.advisor_file);
    if (!a) return a.status();
    advisor = std::move(*a);
  }
  std::optional<AzureEvictionRates> azure_rates;
  if (!opt.azure_eviction_file.empty()) {
    auto a = read_azure_eviction_rates(opt.azure_eviction_file);
    if (!a) return a.status();
    azure_rates = std::move(*a);
  }
  std::vector<PriceSeries> prices;
  std::vector<std::string> price_inputs;
  for (const auto& f : opt.aws_price_files) {
    auto h = read_aws_price_history(f);
    if (!h) return h.status();
    price_inputs.push_back(
        f + ": AWS spot price history, " + std::to_string(h->records) + " prices in " +
        std::to_string(h->series.size()) + " series" +
        (h->skipped ? " (" + std::to_string(h->skipped) + " without AvailabilityZone skipped)" : ""));
    for (auto& s : h->series) prices.push_back(std::move(s));
  }
  for (const auto& f : opt.azure_price_files) {
    auto h = read_azure_price_history(f);
    if (!h) return h.status();
    price_inputs.push_back(f + ": Azure spot price history, " + std::to_string(h->records) + " prices in " +
                           std::to_string(h->series.size()) + " series");
    for (auto& s : h->series) prices.push_back(std::move(s));
  }
  EventLog log;
  std::vector<std::string> event_inputs;
  for (const auto& f : opt.event_files) {
    const int64_t before = static_cast<int64_t>(log.events.size()), dup0 = log.duplicates, other0 = log.other;
    if (Status st = read_events(f, log, [&](int64_t d, int64_t t) { progress_stage(opt, "events " + f, d, t); }); !st)
      return st;
    event_inputs.push_back(
        f + ": " + std::to_string(static_cast<int64_t>(log.events.size()) - before) + " events" +
        (log.duplicates > dup0 ? ", " + std::to_string(log.duplicates - dup0) + " duplicates dropped" : "") +
        (log.other > other0 ? ", " + std::to_string(log.other - other0) + " records of other kinds ignored" : ""));
  }
  Calibration cal;
  if (!opt.inventory_file.empty()) {
    auto inv =
        read_inventory(opt.inventory_file, [&](int64_t d, int64_t t) { progress_stage(opt, "inventory", d, t); });
    if (!inv) return inv.status();
    progress_stage(opt, "estimating", 0, 1);
    cal = calibrate_exposure(*inv, log, opt);
    if (cal.to_us <= cal.from_us) {
      return Status::invalid("spotsim calibrate: the period " + format_timestamp(cal.from_us) + " .. " +
                             format_timestamp(cal.to_us) +
                             " is empty; check --from/--to against the inventory's times");
    }
    cal.inputs.push_back(opt.inventory_file + ": inventory, " + std::to_string(inv->rows.size()) + " rows");
  } else {
    // No inventory: the period is --from/--to, else the span of the price history.
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    for (const auto& s : prices) {
      if (!s.points.empty()) {
        lo = std::min(lo, s.points.front().t_us);
        hi = std::max(hi, s.points.back().t_us);
      }
    }
    cal.period_known = lo != INT64_MAX || opt.from_us || opt.to_us;
    cal.from_us = opt.from_us.value_or(lo == INT64_MAX ? 0 : lo);
    cal.to_us = opt.to_us.value_or(hi == INT64_MIN ? cal.from_us + 30 * kDayUs : hi);
    if (cal.to_us <= cal.from_us) cal.to_us = cal.from_us + kDayUs;
  }
  for (auto& s : event_inputs) cal.inputs.push_back(std::move(s));
  for (const auto& [src, n] : log.by_source) cal.inputs.push_back("  " + std::to_string(n) + " × " + src);

  std::set<std::string> wanted_types;
  for (const auto& t : opt.instance_types) wanted_types.insert(lower(t));
  auto find_pool = [&](const std::string& provider, const std::string& type,
                       const std::string& zone) -> PoolCalibration* {
    for (auto& p : cal.pools) {
      if (p.provider == provider && lower(p.instance_type) == lower(type) && p.zone == zone) return &p;
    }
    return nullptr;
  };
  auto add_pool = [&](const std::string& provider, const std::string& type, const std::string& region,
                      const std::string& zone) {
    PoolCalibration p;
    p.provider = provider;
    p.instance_type = type;
    p.region = region;
    p.zone = zone;
    p.name = pool_name(type, zone);
    cal.pools.push_back(std::move(p));
    return &cal.pools.back();
  };

  // Published bands.
  if (advisor) {
    cal.inputs.push_back(opt.advisor_file + ": AWS Spot Instance Advisor data");
    for (auto& p : cal.pools) {
      if (p.provider != "aws") continue;
      auto e = advisor->lookup(p.region, opt.os, p.instance_type);
      if (!e) {
        cal.notes.push_back("pool " + p.name + ": not in the advisor data (" + e.status().message() + ")");
        continue;
      }
      p.band = e->band;
      p.savings_pct = e->savings_pct;
      p.band_source = "AWS Spot Instance Advisor (" + p.region + " " + opt.os + ", savings " +
                      std::to_string(e->savings_pct) + "%)";
    }
    if (!wanted_types.empty() || cal.pools.empty()) {
      if (opt.region.empty())
        return Status::invalid("spotsim calibrate: --advisor needs --region (e.g. us-east-1) to pick pools");
      if (opt.instance_types.empty()) {
        return Status::invalid(
            "spotsim calibrate: --advisor without an inventory needs --instance-type (repeatable) to pick pools");
      }
      for (const auto& t : opt.instance_types) {
        auto e = advisor->lookup(opt.region, opt.os, t);
        if (!e) return e.status();
        PoolCalibration* p = find_pool("aws", t, opt.region);
        if (!p) p = add_pool("aws", t, opt.region, opt.region);
        p->band = e->band;
        p->savings_pct = e->savings_pct;
        p->band_source = "AWS Spot Instance Advisor (" + opt.region + " " + opt.os + ", savings " +
                         std::to_string(e->savings_pct) + "%)";
      }
    }
  }
  if (azure_rates) {
    cal.inputs.push_back(
        opt.azure_eviction_file + ": Azure eviction rates, " + std::to_string(azure_rates->rows.size()) + " rows" +
        (azure_rates->skipped ? " (" + std::to_string(azure_rates->skipped) + " rows of other types skipped)" : ""));
    for (auto& p : cal.pools) {
      if (p.provider != "azure") continue;
      for (const auto& r : azure_rates->rows) {
        if (lower(r.sku) == lower(p.instance_type) && r.location == p.region) {
          p.band = r.band;
          p.band_source = "Azure Resource Graph eviction rate (" + r.location + ")";
        }
      }
    }
    const bool had_pools =
        std::any_of(cal.pools.begin(), cal.pools.end(), [](const PoolCalibration& p) { return p.has_exposure; });
    if (!had_pools || !wanted_types.empty() || !opt.region.empty()) {
      int64_t taken = 0;
      for (const auto& r : azure_rates->rows) {
        if (!opt.region.empty() && r.location != lower(opt.region)) continue;
        if (!wanted_types.empty() && !wanted_types.count(lower(r.sku))) continue;
        PoolCalibration* p = find_pool("azure", r.sku, r.location);
        if (!p) p = add_pool("azure", r.sku, r.location, r.location);
        p->band = r.band;
        p->band_source = "Azure Resource Graph eviction rate (" + r.location + ")";
        ++taken;
      }
      if (taken == 0) {
        return Status::invalid(opt.azure_eviction_file + ": no eviction-rate rows for" +
                               (opt.region.empty() ? std::string() : " location " + opt.region) +
                               (wanted_types.empty() ? std::string() : " the --instance-type sizes given"));
      }
    }
  }

  // Spot prices: attach to pools; without pools, each series becomes one.
  for (const auto& l : price_inputs) cal.inputs.push_back(l);
  auto product_ok = [&](const PriceSeries& s) {
    return opt.product.empty() ? default_product(s.provider, s.product) : lower(s.product) == lower(opt.product);
  };
  if (cal.pools.empty()) {
    for (const auto& s : prices) {
      if (!product_ok(s)) continue;
      if (!opt.region.empty() && s.region != lower(opt.region) && s.region != opt.region) continue;
      if (!wanted_types.empty() && !wanted_types.count(lower(s.instance_type))) continue;
      if (!find_pool(s.provider, s.instance_type, s.zone)) add_pool(s.provider, s.instance_type, s.region, s.zone);
    }
    if (cal.pools.empty() && !prices.empty()) {
      return Status::invalid(
          "spotsim calibrate: no price series matches" +
          std::string(opt.product.empty() ? " the default product (Linux)" : " --product " + opt.product) +
          (opt.region.empty() ? "" : ", --region " + opt.region) +
          (wanted_types.empty() ? "" : " and the --instance-type list"));
    }
  }
  for (auto& p : cal.pools) {
    const PriceSeries* best = nullptr;
    for (const auto& s : prices) {
      if (s.provider != p.provider || lower(s.instance_type) != lower(p.instance_type) || !product_ok(s)) continue;
      if (s.zone == p.zone) {
        best = &s;
        break;
      }
      // A region-level pool takes the first zone of its region (the series are in file order).
      if (p.zone == p.region && s.region == p.region && !best) best = &s;
    }
    if (!best) continue;
    p.prices = clip_prices(best->points, cal.from_us, cal.to_us);
    p.price_source = (best->provider == "aws" ? "AWS describe-spot-price-history " : "Azure spot price history ") +
                     best->zone + " " + best->product + " (" + best->file + ")";
  }
  std::sort(cal.pools.begin(), cal.pools.end(),
            [](const PoolCalibration& a, const PoolCalibration& b) { return a.name < b.name; });
  return cal;
}

namespace {

std::string duration_text(int64_t us) {
  const int64_t s = us / 1'000'000;
  if (s % 3600 == 0) return std::to_string(s / 3600) + "h";
  return std::to_string(std::max<int64_t>(1, s)) + "s";
}

std::string test_text(const char* what, const FitTest& t, double alpha, const std::string& extra = "") {
  if (!t.tested) return std::string(what) + ": not tested (" + t.why_not + ")";
  std::string s =
      std::string(what) + extra + ": chi2 " + fmt(t.chi2, 4) + ", df " + std::to_string(t.df) + ", p " + fmt(t.p, 3);
  return s + (t.p < alpha ? " -> DOES NOT FIT a constant hazard" : " -> fits");
}

}  // namespace

std::string to_yaml(const Calibration& cal, const Options& opt) {
  std::ostringstream o;
  int placeholders = 0;
  o << "# Written by spotsim calibrate (docs/calibration.md).\n";
  if (cal.period_known) {
    o << "# Period: " << format_timestamp(cal.from_us) << " .. " << format_timestamp(cal.to_us) << " ("
      << fmt(hours(cal.to_us - cal.from_us), 6) << " h)\n";
  } else {
    o << "# Period: none among the inputs (published bands only); a scenario runs 30 days\n";
  }
  for (const auto& i : cal.inputs) o << "# Input: " << i << "\n";
  for (const auto& n : cal.notes) o << "# Note: " << n << "\n";
  bool any_misfit = false;
  for (const auto& p : cal.pools) {
    any_misfit = any_misfit || (p.time_of_day.tested && p.time_of_day.p < cal.alpha) ||
                 (p.bursts.tested && p.bursts.p < cal.alpha);
  }
  if (any_misfit) {
    o << "# WARNING: a constant hazard does not fit some pools (see their comments): the simulated interruptions will "
         "be\n"
         "# spread evenly where the real ones cluster by time of day or come in bursts; consider a storm or a trace.\n";
  }
  std::ostringstream pools;
  for (const auto& p : cal.pools) {
    pools << "  " << p.name << ":\n";
    pools << "    provider: " << p.provider << "\n";
    pools << "    region: " << p.region << "\n";
    if (p.zone != p.region) pools << "    zone: " << p.zone << "\n";
    pools << "    instance_type: " << p.instance_type << "\n";
    // Interruptions.
    if (p.has_exposure) {
      const auto& e = p.estimate;
      pools << "    # " << e.events << " interruptions over " << fmt(e.exposure_h, 7) << " VM-hours (" << p.instances
            << " VMs";
      if (p.rebalances > 0) pools << ", " << p.rebalances << " rebalance recommendations";
      pools << ")\n";
      pools << "    # " << fmt(opt.confidence * 100, 3) << "% interval " << rate_text(e.lo) << " .. " << rate_text(e.hi)
            << " (exact Poisson); the rate below is the maximum-likelihood estimate\n";
      pools << "    # " << test_text("time of day (UTC hours)", p.time_of_day, cal.alpha) << "\n";
      pools << "    # "
            << test_text("bursts", p.bursts, cal.alpha,
                         p.burst_window_h > 0 ? " (" + fmt(p.burst_window_h) + " h windows)" : "")
            << "\n";
      if (p.band) {
        const double blo = band_hazard_per_hour(*p.band, BandEdge::kLower),
                     bhi = band_hazard_per_hour(*p.band, BandEdge::kUpper);
        const char* where = e.hi < blo ? "below the band" : e.lo > bhi ? "above the band" : "consistent with the band";
        pools << "    # " << p.band_source << ": band " << p.band->label << " = " << rate_text(blo) << " .. "
              << rate_text(bhi) << (p.band->open ? " (open band: upper edge assumed 2x lower)" : "")
              << "; the estimate is " << where << "\n";
      }
      pools << "    interruption: {rate: " << rate_text(e.rate) << "}\n";
    } else if (p.band) {
      pools << "    # " << p.band_source << ": band " << p.band->label << " of VMs interrupted per 30 days; at its "
            << band_edge_name(opt.band_edge) << " " << rate_text(band_hazard_per_hour(*p.band, opt.band_edge))
            << " (lower " << rate_text(band_hazard_per_hour(*p.band, BandEdge::kLower)) << ", upper "
            << rate_text(band_hazard_per_hour(*p.band, BandEdge::kUpper))
            << (p.band->open ? ", assumed 2x lower: the band is open" : "") << ")\n";
      pools << "    # sweep the band: --grid pools." << p.name << ".interruption.band_edge=lower,mid,upper\n";
      pools << "    interruption: {advisor_band: \"" << p.band->label
            << "\", band_edge: " << band_edge_name(opt.band_edge) << "}\n";
    }
    // Price.
    if (p.prices.size() == 1) {
      pools << "    spot_price: " << fmt(p.prices.front().price) << "  # " << p.price_source << "\n";
    } else if (p.prices.size() > 1) {
      pools << "    # " << p.price_source << ": " << p.prices.size() << " price steps in the period\n";
      pools << "    spot_price:\n      schedule:\n";
      for (const auto& pt : p.prices) {
        pools << "        - {at: " << (pt.t_us == cal.from_us ? std::string("0") : duration_text(pt.t_us - cal.from_us))
              << ", value: " << fmt(pt.price) << "}\n";
      }
    } else {
      ++placeholders;
      pools << "    spot_price: 0.1  # PLACEHOLDER: no price history for this pool; set it\n";
    }
    if (!p.prices.empty() && p.savings_pct > 0 && p.savings_pct < 100) {
      pools << "    on_demand_price: " << plain(p.prices.back().price / (1 - p.savings_pct / 100.0))
            << "  # the last spot price / (1 - the advisor's savings " << p.savings_pct << "%)\n";
    } else {
      ++placeholders;
      pools << "    on_demand_price: " << (p.prices.empty() ? "0.3" : plain(p.prices.back().price * 3))
            << "  # PLACEHOLDER (3x spot): on-demand prices are not among the inputs; set it\n";
    }
    if (p.peak_concurrent > 0) {
      pools << "    capacity: " << p.peak_concurrent
            << "  # peak concurrent VMs in the inventory (a lower bound of what the pool gives)\n";
    } else {
      ++placeholders;
      pools << "    capacity: 10  # PLACEHOLDER: no inventory for this pool; set it\n";
    }
  }
  if (placeholders > 0)
    o << "# " << placeholders << " values are PLACEHOLDERs (search for the word): the inputs do not hold them.\n";
  if (opt.scenario) {
    o << "spotsim: 1\n";
    o << "name: calibrated\n";
    o << "description: pools calibrated from real data by spotsim calibrate; the fleet is a starting point (mean VMs "
         "over the period)\n";
    o << "seed: 1\n";
    o << "replications: 10\n";
    o << "duration: " << duration_text(cal.to_us - cal.from_us) << "\n";
  }
  o << "pools:\n" << pools.str();
  if (opt.scenario) {
    int64_t cap = 0;
    double vms = 0;
    o << "fleets:\n  calibrated:\n    pools: [";
    for (size_t i = 0; i < cal.pools.size(); ++i) {
      o << (i ? ", " : "") << cal.pools[i].name;
      cap += cal.pools[i].peak_concurrent > 0 ? cal.pools[i].peak_concurrent : 10;
      if (cal.pools[i].has_exposure) vms += cal.pools[i].estimate.exposure_h / hours(cal.to_us - cal.from_us);
    }
    o << "]\n";
    o << "    target: " << std::clamp<int64_t>(std::llround(vms), 1, std::max<int64_t>(1, cap))
      << "  # mean VMs running over the period\n";
    o << "    boot_time: 90s  # PLACEHOLDER: set your boot time\n";
  }
  return o.str();
}

}  // namespace spotsim::calibrate
