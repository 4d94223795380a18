// Interruption events: EventBridge, GCP audit log entries, Azure Activity Log and Scheduled Events.
#include <cctype>

#include "sim/calibrate/sources.h"

namespace spotsim::calibrate {

namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// The last path segment of ".../instances/NAME" or ".../virtualMachines/NAME".
std::string last_segment(const std::string& s) {
  const size_t slash = s.find_last_of('/');
  return slash == std::string::npos ? s : s.substr(slash + 1);
}

enum Source : uint8_t { kEbWarning, kEbRebalance, kGcpPreempted, kAzureActivity, kAzureScheduled };

// What one part of a file (sim/calibrate/input.h, for_each_json_record_parallel) produced.
struct Part {
  std::vector<Event> events;
  int64_t other = 0;
};

Status add(Part& part, Event e, Source source) {
  e.source = source;
  part.events.push_back(std::move(e));
  return Status::ok();
}

void other(Part& part) { ++part.other; }

// The hot path of a large archive: fields are read in place; a missing or mistyped one is
// reported by get_string / get_timestamp.
Status eventbridge(const Where& w, const Json& r, Part& log) {
  const std::string* dt = string_field(r, "detail-type");
  if (!dt) return get_string(w, r, "", "detail-type").status();
  EventKind kind;
  Source source;
  if (*dt == "EC2 Spot Instance Interruption Warning") {
    kind = EventKind::kInterruption;
    source = kEbWarning;
  } else if (*dt == "EC2 Instance Rebalance Recommendation") {
    kind = EventKind::kRebalance;
    source = kEbRebalance;
  } else {
    other(log);
    return Status::ok();
  }
  Event e;
  e.kind = kind;
  e.provider = "aws";
  const std::string* id = string_field(r, "id");
  if (!id) return get_string(w, r, "", "id").status();
  e.id.reserve(4 + id->size());
  e.id.append("aws:").append(*id);
  const std::string* time = string_field(r, "time");
  const auto t = time ? parse_timestamp_us(*time) : std::nullopt;
  if (!t) return get_timestamp(w, r, "", "time").status();
  e.t_us = *t;
  if (const std::string* region = string_field(r, "region")) e.region = *region;
  auto d = r.find("detail");
  if (d == r.end() || !d->is_object()) return w.error("detail", "expected an object {\"instance-id\": ..}");
  const std::string* inst = string_field(*d, "instance-id");
  if (!inst) return get_string(w, *d, "detail", "instance-id").status();
  e.instance = *inst;
  e.line = w.line;
  return add(log, std::move(e), source);
}

Status gcp_audit(const Where& w, const Json& r, Part& log) {
  const Json& pp = r["protoPayload"];
  if (!pp.is_object()) return w.error("protoPayload", "expected an object, found " + json_kind(pp));
  auto method = get_string(w, pp, "protoPayload", "methodName");
  if (!method) return method.status();
  if (*method != "compute.instances.preempted") {
    other(log);
    return Status::ok();
  }
  Event e;
  e.provider = "gcp";
  auto id = get_string(w, r, "", "insertId");
  if (!id) return id.status();
  e.id = "gcp:" + *id;
  auto t = get_timestamp(w, r, "", "timestamp");
  if (!t) return t.status();
  e.t_us = *t;
  auto rn = get_string(w, pp, "protoPayload", "resourceName");
  if (!rn) return rn.status();
  if (rn->find("/instances/") == std::string::npos) {
    return w.error("protoPayload.resourceName",
                   "expected projects/PROJECT/zones/ZONE/instances/NAME, found \"" + *rn + "\"");
  }
  const std::string name = last_segment(*rn);
  const Json* labels = nullptr;
  if (auto res = r.find("resource"); res != r.end() && res->is_object()) {
    if (auto l = res->find("labels"); l != res->end() && l->is_object()) labels = &*l;
  }
  const std::string inst_id = labels ? opt_string(*labels, "instance_id").value_or("") : "";
  e.instance = inst_id.empty() ? name : inst_id;
  e.alt_instance = inst_id.empty() ? "" : name;
  e.zone = labels ? opt_string(*labels, "zone").value_or("") : "";
  if (e.zone.empty()) {  // from the resource name: projects/P/zones/Z/instances/N
    const size_t z = rn->find("/zones/");
    if (z != std::string::npos) e.zone = rn->substr(z + 7, rn->find('/', z + 7) - (z + 7));
  }
  if (!e.zone.empty()) {
    const size_t dash = e.zone.find_last_of('-');
    e.region = dash == std::string::npos ? e.zone : e.zone.substr(0, dash);
  }
  e.line = w.line;
  return add(log, std::move(e), kGcpPreempted);
}

Status azure_activity(const Where& w, const Json& r, Part& log) {
  const Json& op = r["operationName"];
  std::string name;
  if (op.is_string()) name = op.get<std::string>();
  else if (op.is_object() && op.contains("value") && op["value"].is_string()) name = op["value"].get<std::string>();
  else
    return w.error("operationName",
                   "expected a string or {\"value\": \"Microsoft.Compute/...\"}, found " + json_kind(op));
  const std::string lname = lower(name);
  if (lname.find("microsoft.compute/") != 0 ||
      (lname.find("preempt") == std::string::npos && lname.find("evictspot") == std::string::npos)) {
    other(log);
    return Status::ok();
  }
  Event e;
  e.provider = "azure";
  // One operation writes several records (Started, Succeeded): its operationId names it once.
  const char* id_key = r.contains("operationId") ? "operationId" : r.contains("eventDataId") ? "eventDataId" : "id";
  auto id = get_string(w, r, "", id_key);
  if (!id) return id.status();
  auto t = get_timestamp(w, r, "", r.contains("eventTimestamp") ? "eventTimestamp" : "time");
  if (!t) return t.status();
  e.t_us = *t;
  auto rid = get_string(w, r, "", "resourceId");
  if (!rid) return rid.status();
  e.instance = lower(*rid);
  e.alt_instance = lower(last_segment(*rid));
  e.id = "azure:" + *id + ":" + e.instance;
  e.line = w.line;
  return add(log, std::move(e), kAzureActivity);
}

Status azure_scheduled(const Where& w, const Json& r, Part& log) {
  const Json& evs = r["Events"];
  if (!evs.is_array()) return w.error("Events", "expected a list of scheduled events, found " + json_kind(evs));
  bool any = false;
  for (size_t i = 0; i < evs.size(); ++i) {
    const std::string p = "Events[" + std::to_string(i) + "]";
    const Json& ev = evs[i];
    if (!ev.is_object()) return w.error(p, "expected an object, found " + json_kind(ev));
    auto type = get_string(w, ev, p, "EventType");
    if (!type) return type.status();
    if (*type != "Preempt") continue;  // Reboot, Redeploy, Freeze, Terminate: not spot evictions
    auto id = get_string(w, ev, p, "EventId");
    if (!id) return id.status();
    auto nb = get_string(w, ev, p, "NotBefore");
    if (!nb) return nb.status();
    auto t = parse_timestamp_us(*nb);
    if (!t)
      return w.error(p + ".NotBefore",
                     "expected a time like \"Mon, 19 Sep 2016 18:29:47 GMT\", found \"" + nb->substr(0, 40) + "\"");
    auto res_it = ev.find("Resources");
    if (res_it == ev.end()) return w.error(p + ".Resources", "missing (expected a list of VM names)");
    const Json& res = *res_it;
    if (!res.is_array() || res.empty())
      return w.error(p + ".Resources", "expected a list of VM names, found " + json_kind(res));
    for (size_t j = 0; j < res.size(); ++j) {
      if (!res[j].is_string())
        return w.error(p + ".Resources[" + std::to_string(j) + "]", "expected a VM name, found " + json_kind(res[j]));
      Event e;
      e.provider = "azure";
      e.id = "azure-se:" + *id + ":" + res[j].get<std::string>();
      // Polled documents repeat an event across incarnations; the id dedupes them.
      e.t_us = *t;
      e.instance = lower(res[j].get<std::string>());
      e.line = w.line;
      any = true;
      if (Status st = add(log, std::move(e), kAzureScheduled); !st) return st;
    }
  }
  if (!any) other(log);  // a document of other events (or none)
  return Status::ok();
}

}  // namespace

const std::vector<std::string>& event_source_names() {
  static const std::vector<std::string> kNames = {
      "EventBridge EC2 Spot Instance Interruption Warning", "EventBridge EC2 Instance Rebalance Recommendation",
      "GCP audit log compute.instances.preempted", "Azure Activity Log preempt", "Azure Scheduled Events Preempt"};
  return kNames;
}

Status read_events(const std::string& path, EventLog& log, const ProgressFn& progress, size_t threads) {
  auto text = read_file_text(path);
  if (!text) return text.status();
  const size_t parts = threads > 0 ? threads : worker_count(text->size());
  std::vector<Part> out(parts);
  Status st = for_each_json_record_parallel(
      path, *text, parts,
      [&](const Where& w, const Json& r, size_t k) -> Status {
        Part& part = out[k];
        if (!r.is_object()) return w.error("", "expected an event object, found " + json_kind(r));
        Status s = Status::ok();
        if (r.contains("detail-type")) s = eventbridge(w, r, part);
        else if (r.contains("protoPayload")) s = gcp_audit(w, r, part);
        else if (r.contains("Events") && (r.contains("DocumentIncarnation") || r["Events"].is_array()))
          s = azure_scheduled(w, r, part);
        else if (r.contains("operationName")) s = azure_activity(w, r, part);
        else {
          return w.error(
              "",
              "not an event this importer knows: expected an EventBridge event (\"detail-type\"), a GCP audit "
              "log entry (\"protoPayload\"), an Azure Activity Log record (\"operationName\") or an Azure "
              "Scheduled Events document (\"Events\")");
        }
        return s;
      },
      progress);
  if (!st) return st;
  // Merge the parts in file order: the same result for any number of threads.
  const int32_t file = static_cast<int32_t>(log.files.size());
  log.files.push_back(path);
  size_t n = 0;
  for (const Part& part : out) n += part.events.size();
  log.events.reserve(log.events.size() + n);
  log.seen.reserve(log.seen.size() + n);
  std::vector<int64_t> per_source(event_source_names().size(), 0);
  for (Part& part : out) {
    log.records += part.other;
    log.other += part.other;
    for (Event& e : part.events) {
      ++log.records;
      if (!log.seen.insert(e.id).second) {
        ++log.duplicates;
        continue;
      }
      e.file = file;
      ++per_source[e.source];
      log.events.push_back(std::move(e));
    }
    part.events = {};
  }
  for (size_t s = 0; s < per_source.size(); ++s) {
    if (per_source[s] > 0) log.by_source[event_source_names()[s]] += per_source[s];
  }
  return Status::ok();
}

}  // namespace spotsim::calibrate
