// Azure Resource Graph SpotResources rows (eviction rates, spot price history) and AWS
// describe-spot-price-history output.
#include <algorithm>
#include <cctype>
#include <optional>

#include "sim/calibrate/sources.h"
#include "common/units.h"

namespace spotsim::calibrate {

namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

struct Row {
  std::string path;
  Json value;
};

// The rows of a Resource Graph answer (see sources.h for the accepted envelopes).
Result<std::vector<Row>> arg_rows(const Where& w, const Json& doc) {
  std::vector<Row> rows;
  const Json* data = &doc;
  std::string base = "";
  if (doc.is_object()) {
    auto it = doc.find("data");
    if (it == doc.end()) {
      return w.error("", "expected a Resource Graph answer: {\"data\": [rows...]} (az graph query) or a list of rows");
    }
    data = &*it;
    base = "data";
  }
  if (data->is_object()) {  // resultFormat "table": {"columns": [{"name": ..}], "rows": [[..], ..]}
    auto cols = data->find("columns");
    auto rws = data->find("rows");
    if (cols == data->end() || rws == data->end() || !cols->is_array() || !rws->is_array()) {
      return w.error(base, "expected a list of rows, or a table {\"columns\": [...], \"rows\": [...]}");
    }
    std::vector<std::string> names;
    for (size_t i = 0; i < cols->size(); ++i) {
      auto n = get_string(w, (*cols)[i], base + ".columns[" + std::to_string(i) + "]", "name");
      if (!n) return n.status();
      names.push_back(*n);
    }
    for (size_t i = 0; i < rws->size(); ++i) {
      const std::string p = base + ".rows[" + std::to_string(i) + "]";
      const Json& r = (*rws)[i];
      if (!r.is_array() || r.size() != names.size()) {
        return w.error(
            p, "expected a list of " + std::to_string(names.size()) + " cells (one per column), found " + json_kind(r));
      }
      Json obj = Json::object();
      for (size_t c = 0; c < names.size(); ++c) obj[names[c]] = r[c];
      rows.push_back({p, std::move(obj)});
    }
    return rows;
  }
  if (!data->is_array()) return w.error(base, "expected a list of rows, found " + json_kind(*data));
  for (size_t i = 0; i < data->size(); ++i) {
    const std::string p = (base.empty() ? "" : base) + "[" + std::to_string(i) + "]";
    if (!(*data)[i].is_object()) return w.error(p, "expected a row object, found " + json_kind((*data)[i]));
    rows.push_back({p, (*data)[i]});
  }
  return rows;
}

// true if the row is of resource type `type` (or says no type: a projection).
bool row_has_type(const Json& row, const std::string& type) {
  auto t = opt_string(row, "type");
  return !t || lower(*t) == type;
}

// The row's properties object (a whole resource) or the row itself (a projection).
const Json& props_of(const Json& row) {
  auto it = row.find("properties");
  return it != row.end() && it->is_object() ? *it : row;
}

// One row of the wanted type, its fields read.
struct TypedRow {
  std::string sku, location;  // location in lower case
  Json props;                 // a copy: the rows are gone when typed_rows returns
  std::string props_path;
};

// The rows of resource type `type` (others counted in `skipped`), with sku and location checked.
Result<std::vector<TypedRow>> typed_rows(const Where& w, const Json& doc, const std::string& type, int64_t& skipped);

Result<std::string> row_sku(const Where& w, const Row& r) {
  auto sku = r.value.find("sku");
  if (sku != r.value.end() && sku->is_object()) return get_string(w, *sku, r.path + ".sku", "name");
  if (r.value.contains("skuName")) return get_string(w, r.value, r.path, "skuName");
  return w.error(r.path, "expected the VM size as sku.name (the resource) or skuName (a projection)");
}

Result<std::vector<TypedRow>> typed_rows(const Where& w, const Json& doc, const std::string& type, int64_t& skipped) {
  auto rows = arg_rows(w, doc);
  if (!rows) return rows.status();
  std::vector<TypedRow> out;
  for (const Row& r : *rows) {
    if (!row_has_type(r.value, type)) {
      ++skipped;
      continue;
    }
    auto sku = row_sku(w, r);
    if (!sku) return sku.status();
    auto loc = get_string(w, r.value, r.path, "location");
    if (!loc) return loc.status();
    const Json& props = props_of(r.value);
    out.push_back({*sku, lower(*loc), props, &props == &r.value ? r.path : r.path + ".properties"});
  }
  if (out.empty()) {
    return Status::invalid(std::string(w.file) + ": no rows of type " + type + " (" + std::to_string(skipped) +
                           " rows of other types)");
  }
  return out;
}

// A price as providers write it: a number, or a string such as "0.071200" (AWS SpotPrice).
Result<double> price_value(const Where& w, const Json& obj, const std::string& path, const char* key,
                           const char* example) {
  const std::string sub = path + "." + key;
  auto it = obj.find(key);
  if (it == obj.end()) return w.error(sub, std::string("missing (expected a price such as ") + example + ")");
  std::optional<double> price;
  if (it->is_number()) price = it->get<double>();
  else if (it->is_string()) {
    if (auto v = parse_number(it->get<std::string>())) price = *v;
  }
  if (!price) return w.error(sub, std::string("expected a price such as ") + example + ", found " + json_kind(*it));
  if (!(*price >= 0)) return w.error(sub, "a price must be ≥ 0, found " + fmt(*price));
  return *price;
}

}  // namespace

Result<AzureEvictionRates> read_azure_eviction_rates(const std::string& path) {
  auto doc = read_json_file(path);
  if (!doc) return doc.status();
  const Where w{path, 0, ""};
  AzureEvictionRates out;
  auto rows = typed_rows(w, *doc, "microsoft.compute/skuspotevictionrate/location", out.skipped);
  if (!rows) return rows.status();
  for (const TypedRow& r : *rows) {
    const Json& props = r.props;
    const char* key =
        props.contains("spotEvictionRate") && !props.contains("evictionRate") ? "spotEvictionRate" : "evictionRate";
    auto rate = get_string(w, props, r.props_path, key);
    if (!rate) return rate.status();
    auto band = parse_frequency_band(*rate);
    if (!band) {
      return w.error(
          r.props_path + "." + key,
          "expected an eviction-rate band such as \"0-5\", \"5-10\", \"10-15\", \"15-20\" or \"20+\", found \"" +
              *rate + "\"");
    }
    out.rows.push_back({r.sku, r.location, *band});
  }
  return out;
}

Result<PriceHistory> read_azure_price_history(const std::string& path) {
  auto doc = read_json_file(path);
  if (!doc) return doc.status();
  const Where w{path, 0, ""};
  PriceHistory out;
  auto rows = typed_rows(w, *doc, "microsoft.compute/skuspotpricehistory/ostype/location", out.skipped);
  if (!rows) return rows.status();
  std::map<std::tuple<std::string, std::string, std::string>, size_t> index;
  for (const TypedRow& r : *rows) {
    const Json& props = r.props;
    const std::string& pp = r.props_path;
    const std::string os = opt_string(props, "osType").value_or("");
    auto sp = props.find("spotPrices");
    if (sp == props.end() || !sp->is_array()) {
      return w.error(
          pp + ".spotPrices",
          "expected a list [{\"availabilityZone\": .., \"priceHistory\": [{\"timestamp\": .., \"priceUSD\": ..}]}]");
    }
    for (size_t i = 0; i < sp->size(); ++i) {
      const Json& e = (*sp)[i];
      const std::string ep = pp + ".spotPrices[" + std::to_string(i) + "]";
      if (!e.is_object()) return w.error(ep, "expected an object, found " + json_kind(e));
      std::string zone = r.location;
      if (auto az = opt_string(e, "availabilityZone"); az && !az->empty() && *az != "no-zone") zone += "-" + *az;
      auto key = std::make_tuple(lower(r.sku), zone, lower(os));
      auto [it, fresh] = index.emplace(key, out.series.size());
      if (fresh) out.series.push_back(PriceSeries{"azure", r.sku, zone, r.location, os, {}, path});
      PriceSeries& s = out.series[it->second];
      // The points: e.priceHistory[], or e itself as one point (older shape).
      std::vector<std::pair<std::string, const Json*>> pts;
      if (auto ph = e.find("priceHistory"); ph != e.end()) {
        if (!ph->is_array())
          return w.error(ep + ".priceHistory",
                         "expected a list of {\"timestamp\", \"priceUSD\"}, found " + json_kind(*ph));
        for (size_t j = 0; j < ph->size(); ++j)
          pts.emplace_back(ep + ".priceHistory[" + std::to_string(j) + "]", &(*ph)[j]);
      } else {
        pts.emplace_back(ep, &e);
      }
      for (const auto& [ptp, pt] : pts) {
        if (!pt->is_object())
          return w.error(ptp, "expected {\"timestamp\": .., \"priceUSD\": ..}, found " + json_kind(*pt));
        auto t = get_timestamp(w, *pt, ptp, "timestamp");
        if (!t) return t.status();
        auto price = price_value(w, *pt, ptp, "priceUSD", "0.0184 (USD per hour)");
        if (!price) return price.status();
        s.points.push_back({*t, *price});
        ++out.records;
      }
    }
  }
  for (auto& s : out.series) {
    std::stable_sort(s.points.begin(), s.points.end(),
                     [](const PricePoint& a, const PricePoint& b) { return a.t_us < b.t_us; });
  }
  return out;
}

Result<PriceHistory> read_aws_price_history(const std::string& path) {
  auto doc = read_json_file(path);
  if (!doc) return doc.status();
  const Where w{path, 0, ""};
  if (!doc->is_object() || !doc->contains("SpotPriceHistory")) {
    return w.error(
        "",
        "expected the output of `aws ec2 describe-spot-price-history --output json`: {\"SpotPriceHistory\": [...]}");
  }
  const Json& list = (*doc)["SpotPriceHistory"];
  if (!list.is_array()) return w.error("SpotPriceHistory", "expected a list, found " + json_kind(list));
  PriceHistory out;
  std::map<std::tuple<std::string, std::string, std::string>, size_t> index;
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string p = "SpotPriceHistory[" + std::to_string(i) + "]";
    const Json& r = list[i];
    if (!r.is_object()) return w.error(p, "expected an object, found " + json_kind(r));
    auto type = get_string(w, r, p, "InstanceType");
    if (!type) return type.status();
    auto product = get_string(w, r, p, "ProductDescription");
    if (!product) return product.status();
    auto t = get_timestamp(w, r, p, "Timestamp");
    if (!t) return t.status();
    // SpotPrice is a string ("0.071200"); a number is accepted too.
    auto price = price_value(w, r, p, "SpotPrice", "\"0.071200\"");
    if (!price) return price.status();
    // A record without AvailabilityZone (seen when a filter drops it) cannot be placed in a pool.
    auto zone = opt_string(r, "AvailabilityZone");
    if (!zone || zone->empty()) {
      ++out.skipped;
      continue;
    }
    auto key = std::make_tuple(*type, *zone, *product);
    auto [it, fresh] = index.emplace(key, out.series.size());
    if (fresh) {
      std::string region = *zone;
      while (!region.empty() && std::isalpha(static_cast<unsigned char>(region.back()))) region.pop_back();
      out.series.push_back(PriceSeries{"aws", *type, *zone, region, *product, {}, path});
    }
    out.series[it->second].points.push_back({*t, *price});
    ++out.records;
  }
  if (out.records == 0) return Status::invalid(path + ": SpotPriceHistory holds no prices with an AvailabilityZone");
  for (auto& s : out.series) {
    std::stable_sort(s.points.begin(), s.points.end(),
                     [](const PricePoint& a, const PricePoint& b) { return a.t_us < b.t_us; });
  }
  return out;
}

}  // namespace spotsim::calibrate
