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

Status add(EventLog& log, Event e, const std::string& source) {
  ++log.records;
  if (!log.seen.insert(e.id).second) {
    ++log.duplicates;
    return Status::ok();
  }
  ++log.by_source[source];
  log.events.push_back(std::move(e));
  return Status::ok();
}

Status eventbridge(const Where& w, const Json& r, EventLog& log) {
  auto dt = get_string(w, r, "", "detail-type");
  if (!dt) return dt.status();
  EventKind kind;
  std::string source;
  if (*dt == "EC2 Spot Instance Interruption Warning") {
    kind = EventKind::kInterruption;
    source = "EventBridge EC2 Spot Instance Interruption Warning";
  } else if (*dt == "EC2 Instance Rebalance Recommendation") {
    kind = EventKind::kRebalance;
    source = "EventBridge EC2 Instance Rebalance Recommendation";
  } else {
    ++log.records;
    ++log.other;
    return Status::ok();
  }
  Event e;
  e.kind = kind;
  e.provider = "aws";
  auto id = get_string(w, r, "", "id");
  if (!id) return id.status();
  e.id = "aws:" + *id;
  auto t = get_timestamp(w, r, "", "time");
  if (!t) return t.status();
  e.t_us = *t;
  e.region = opt_string(r, "region").value_or("");
  auto d = r.find("detail");
  if (d == r.end() || !d->is_object()) return w.error("detail", "expected an object {\"instance-id\": ..}");
  auto inst = get_string(w, *d, "detail", "instance-id");
  if (!inst) return inst.status();
  e.instance = *inst;
  e.file = w.file;
  e.line = w.line;
  return add(log, std::move(e), source);
}

Status gcp_audit(const Where& w, const Json& r, EventLog& log) {
  const Json& pp = r["protoPayload"];
  if (!pp.is_object()) return w.error("protoPayload", "expected an object, found " + json_kind(pp));
  auto method = get_string(w, pp, "protoPayload", "methodName");
  if (!method) return method.status();
  if (*method != "compute.instances.preempted") {
    ++log.records;
    ++log.other;
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
    return w.error("protoPayload.resourceName", "expected projects/PROJECT/zones/ZONE/instances/NAME, found \"" + *rn + "\"");
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
  e.file = w.file;
  e.line = w.line;
  return add(log, std::move(e), "GCP audit log compute.instances.preempted");
}

Status azure_activity(const Where& w, const Json& r, EventLog& log) {
  const Json& op = r["operationName"];
  std::string name;
  if (op.is_string()) name = op.get<std::string>();
  else if (op.is_object() && op.contains("value") && op["value"].is_string()) name = op["value"].get<std::string>();
  else return w.error("operationName", "expected a string or {\"value\": \"Microsoft.Compute/...\"}, found " + json_kind(op));
  const std::string lname = lower(name);
  if (lname.find("microsoft.compute/") != 0 || (lname.find("preempt") == std::string::npos && lname.find("evictspot") == std::string::npos)) {
    ++log.records;
    ++log.other;
    return Status::ok();
  }
  Event e;
  e.provider = "azure";
  const char* id_key = r.contains("eventDataId") ? "eventDataId" : "id";
  auto id = get_string(w, r, "", id_key);
  if (!id) return id.status();
  e.id = "azure:" + *id;
  auto t = get_timestamp(w, r, "", r.contains("eventTimestamp") ? "eventTimestamp" : "time");
  if (!t) return t.status();
  e.t_us = *t;
  auto rid = get_string(w, r, "", "resourceId");
  if (!rid) return rid.status();
  e.instance = lower(*rid);
  e.alt_instance = lower(last_segment(*rid));
  e.file = w.file;
  e.line = w.line;
  return add(log, std::move(e), "Azure Activity Log preempt");
}

Status azure_scheduled(const Where& w, const Json& r, EventLog& log) {
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
    if (!t) return w.error(p + ".NotBefore", "expected a time like \"Mon, 19 Sep 2016 18:29:47 GMT\", found \"" + nb->substr(0, 40) + "\"");
    auto res_it = ev.find("Resources");
    if (res_it == ev.end()) return w.error(p + ".Resources", "missing (expected a list of VM names)");
    const Json& res = *res_it;
    if (!res.is_array() || res.empty()) return w.error(p + ".Resources", "expected a list of VM names, found " + json_kind(res));
    for (size_t j = 0; j < res.size(); ++j) {
      if (!res[j].is_string()) return w.error(p + ".Resources[" + std::to_string(j) + "]", "expected a VM name, found " + json_kind(res[j]));
      Event e;
      e.provider = "azure";
      e.id = "azure-se:" + *id + ":" + res[j].get<std::string>();
      // Polled documents repeat an event across incarnations; the id dedupes them.
      e.t_us = *t;
      e.instance = lower(res[j].get<std::string>());
      e.file = w.file;
      e.line = w.line;
      any = true;
      if (Status st = add(log, std::move(e), "Azure Scheduled Events Preempt"); !st) return st;
    }
  }
  if (!any) {  // a document of other events (or none)
    ++log.records;
    ++log.other;
  }
  return Status::ok();
}

}  // namespace

Status read_events(const std::string& path, EventLog& log, const ProgressFn& progress) {
  auto text = read_file_text(path);
  if (!text) return text.status();
  return for_each_json_record(
      path, *text,
      [&](const Where& w, const Json& r) -> Status {
        if (!r.is_object()) return w.error("", "expected an event object, found " + json_kind(r));
        if (r.contains("detail-type")) return eventbridge(w, r, log);
        if (r.contains("protoPayload")) return gcp_audit(w, r, log);
        if (r.contains("Events") && (r.contains("DocumentIncarnation") || r["Events"].is_array())) return azure_scheduled(w, r, log);
        if (r.contains("operationName")) return azure_activity(w, r, log);
        return w.error("", "not an event this importer knows: expected an EventBridge event (\"detail-type\"), a GCP audit "
                           "log entry (\"protoPayload\"), an Azure Activity Log record (\"operationName\") or an Azure "
                           "Scheduled Events document (\"Events\")");
      },
      progress);
}

}  // namespace spotsim::calibrate
