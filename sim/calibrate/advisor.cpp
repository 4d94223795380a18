// AWS Spot Instance Advisor data (spot-advisor-data.json, the file behind the advisor's web page).
#include "sim/calibrate/sources.h"
#include "common/yaml_reader.h"

namespace spotsim::calibrate {

namespace {

template <class M>
std::vector<std::string> keys_of(const M& m) {
  std::vector<std::string> out;
  for (const auto& [k, v] : m) out.push_back(k);
  return out;
}

Result<int64_t> get_int(const Where& w, const Json& obj, const std::string& path, const char* key) {
  const std::string sub = path + "." + key;
  auto it = obj.find(key);
  if (it == obj.end()) return w.error(sub, "missing (expected a whole number)");
  if (!it->is_number_integer() && !it->is_number_unsigned()) {
    return w.error(sub, "expected a whole number, found " + json_kind(*it));
  }
  return it->get<int64_t>();
}

}  // namespace

Result<AdvisorData> read_spot_advisor(const std::string& path) {
  auto doc = read_json_file(path);
  if (!doc) return doc.status();
  const Where w{path, 0, ""};
  if (!doc->is_object())
    return w.error("",
                   "expected the Spot Instance Advisor object {\"ranges\": [...], \"spot_advisor\": {...}}, found " +
                       json_kind(*doc));
  AdvisorData out;
  out.file = path;
  auto ranges = doc->find("ranges");
  if (ranges == doc->end() || !ranges->is_array() || ranges->empty()) {
    return w.error("ranges", "expected a list of interruption ranges [{\"label\": \"<5%\", \"max\": 5}, ...]");
  }
  for (size_t i = 0; i < ranges->size(); ++i) {
    const std::string p = "ranges[" + std::to_string(i) + "]";
    const Json& r = (*ranges)[i];
    auto label = get_string(w, r, p, "label");
    if (!label) return label.status();
    auto max = get_int(w, r, p, "max");
    if (!max) return max.status();
    auto band = parse_frequency_band(*label);
    if (!band)
      return w.error(p + ".label", "expected a band such as \"<5%\", \"5-10%\" or \">20%\", found \"" + *label + "\"");
    // Ranges are listed by index; when "index" is given it must match the position (r refers to it).
    if (r.contains("index")) {
      auto idx = get_int(w, r, p, "index");
      if (!idx) return idx.status();
      if (*idx != static_cast<int64_t>(i))
        return w.error(p + ".index", "expected " + std::to_string(i) + " (ranges in index order)");
    }
    out.ranges.push_back(*band);
  }
  auto adv = doc->find("spot_advisor");
  if (adv == doc->end() || !adv->is_object()) {
    return w.error("spot_advisor", "expected an object region → OS → instance type → {\"s\": savings, \"r\": range}");
  }
  for (auto reg = adv->begin(); reg != adv->end(); ++reg) {
    const std::string rp = "spot_advisor." + reg.key();
    if (!reg->is_object()) return w.error(rp, "expected an object OS → instance types, found " + json_kind(*reg));
    for (auto os = reg->begin(); os != reg->end(); ++os) {
      const std::string op = rp + "." + os.key();
      if (!os->is_object())
        return w.error(op, "expected an object instance type → {\"s\", \"r\"}, found " + json_kind(*os));
      auto& types = out.entries[reg.key()][os.key()];
      for (auto ty = os->begin(); ty != os->end(); ++ty) {
        const std::string tp = op + "." + ty.key();
        if (!ty->is_object())
          return w.error(tp, "expected {\"s\": savings %, \"r\": range index}, found " + json_kind(*ty));
        auto r = get_int(w, *ty, tp, "r");
        if (!r) return r.status();
        auto s = get_int(w, *ty, tp, "s");
        if (!s) return s.status();
        if (*r < 0 || *r >= static_cast<int64_t>(out.ranges.size())) {
          return w.error(tp + ".r", "range index " + std::to_string(*r) + " is not in ranges (0.." +
                                        std::to_string(out.ranges.size() - 1) + ")");
        }
        if (*s < 0 || *s > 100) return w.error(tp + ".s", "savings must be 0..100 (%), found " + std::to_string(*s));
        types[ty.key()] = AdvisorEntry{out.ranges[static_cast<size_t>(*r)], static_cast<int>(*s)};
      }
    }
  }
  return out;
}

Result<AdvisorEntry> AdvisorData::lookup(const std::string& region, const std::string& os,
                                         const std::string& type) const {
  auto reg = entries.find(region);
  if (reg == entries.end()) {
    return Status::invalid(file + ": no region \"" + region + "\" in spot_advisor" +
                           did_you_mean(region, keys_of(entries)));
  }
  auto o = reg->second.find(os);
  if (o == reg->second.end()) {
    return Status::invalid(file + ": no OS \"" + os + "\" in spot_advisor." + region +
                           did_you_mean(os, keys_of(reg->second)) + " (the advisor writes Linux and Windows)");
  }
  auto t = o->second.find(type);
  if (t == o->second.end()) {
    return Status::invalid(file + ": no instance type \"" + type + "\" in spot_advisor." + region + "." + os +
                           did_you_mean(type, keys_of(o->second)));
  }
  return t->second;
}

}  // namespace spotsim::calibrate
