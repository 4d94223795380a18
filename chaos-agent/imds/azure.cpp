#include "chaos-agent/imds/azure.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "chaos-agent/core/time_format.h"

namespace agent::imds {
namespace {

// Versions the Scheduled Events endpoint accepts (oldest clients still in use send 2017-08-01).
const char* const kScheduledEventsVersions[] = {"2017-03-01", "2017-08-01", "2017-11-01",
                                                "2019-01-01", "2019-08-01", "2020-07-01"};
// Versions /metadata/instance accepts in this emulation (no upstream).
const char* const kInstanceVersions[] = {
    "2017-03-01", "2017-04-02", "2017-08-01", "2017-12-01", "2018-02-01", "2018-04-02", "2018-10-01", "2019-02-01",
    "2019-03-11", "2019-04-30", "2019-06-01", "2019-06-04", "2019-08-01", "2019-08-15", "2019-11-01", "2020-06-01",
    "2020-07-15", "2020-09-01", "2020-10-01", "2020-12-01", "2021-01-01", "2021-02-01", "2021-03-01", "2021-05-01",
    "2021-08-01", "2021-10-01", "2021-11-01", "2021-11-15", "2021-12-13", "2022-02-01", "2022-03-01", "2022-07-01",
    "2022-08-01", "2022-11-01", "2023-07-01", "2023-11-15"};

}  // namespace

AzureImds::AzureImds(ChaosState& state, std::map<std::string, std::string> identity)
    : state_(state), identity_(std::move(identity)) {}

Response AzureImds::not_found(const Request& req, bool under_instance) const {
  // As the service answers them (MicrosoftDocs/azure-docs issue 15282): an unknown element of
  // the instance document vs an unknown category.
  return json(req, 404, under_instance ? R"({ "error": "Not found" })" : R"({"error":"Not Found"})");
}

nlohmann::ordered_json AzureImds::instance_document() const {
  auto id = [&](const char* k) { return identity_.count(k) ? identity_.at(k) : std::string(); };
  const std::string& name = state_.vm_name();
  nlohmann::ordered_json compute = {
      {"azEnvironment", "AzurePublicCloud"},
      {"evictionPolicy", id("evictionPolicy")},
      {"isHostCompatibilityLayerVm", "false"},
      {"licenseType", ""},
      {"location", id("location")},
      {"name", name},
      {"offer", ""},
      {"osProfile",
       {{"adminUsername", "azureuser"}, {"computerName", name}, {"disablePasswordAuthentication", "true"}}},
      {"osType", id("osType")},
      {"placementGroupId", ""},
      {"plan", {{"name", ""}, {"product", ""}, {"publisher", ""}}},
      {"platformFaultDomain", "0"},
      {"platformUpdateDomain", "0"},
      {"priority", id("priority")},
      {"provider", "Microsoft.Compute"},
      {"publicKeys", nlohmann::ordered_json::array()},
      {"publisher", ""},
      {"resourceGroupName", id("resourceGroupName")},
      {"resourceId", "/subscriptions/" + id("subscriptionId") + "/resourceGroups/" + id("resourceGroupName") +
                         "/providers/Microsoft.Compute/virtualMachines/" + name},
      {"sku", ""},
      {"subscriptionId", id("subscriptionId")},
      {"tags", ""},
      {"tagsList", nlohmann::ordered_json::array()},
      {"userData", ""},
      {"version", ""},
      {"vmId", id("vmId")},
      {"vmScaleSetName", ""},
      {"vmSize", id("vmSize")},
      {"zone", id("zone")}};
  nlohmann::ordered_json network = {
      {"interface",
       {{{"ipv4",
          {{"ipAddress", {{{"privateIpAddress", id("privateIpAddress")}, {"publicIpAddress", ""}}}},
           {"subnet", {{{"address", "10.0.0.0"}, {"prefix", "24"}}}}}},
         {"ipv6", {{"ipAddress", nlohmann::ordered_json::array()}}},
         {"macAddress", id("macAddress")}}}}};
  return {{"compute", compute}, {"network", network}};
}

bool AzureImds::owns(const Target& t) { return t.path == "/metadata" || t.path.rfind("/metadata/", 0) == 0; }

bool AzureImds::valid_scheduled_events_version(const std::string& v) {
  return std::find(std::begin(kScheduledEventsVersions), std::end(kScheduledEventsVersions), v) !=
         std::end(kScheduledEventsVersions);
}

Response AzureImds::json(const Request& req, unsigned status, std::string body) const {
  Response r{static_cast<bhttp::status>(status), req.version()};
  r.set(bhttp::field::content_type, "application/json; charset=utf-8");
  r.set(bhttp::field::server, "Microsoft-IIS/10.0");
  if (status >= 400) {
    r.set(bhttp::field::connection, "close");
    r.keep_alive(false);
  }
  r.body() = std::move(body);
  return r;
}

Response AzureImds::bad_request(const Request& req, const std::string& message, bool versions) const {
  nlohmann::ordered_json j = {{"error", message}};
  if (versions) j["newest-versions"] = {"2020-07-01", "2019-08-01", "2019-01-01"};
  return json(req, 400, j.dump());
}

std::string AzureImds::document(const std::string& api_version) const {
  nlohmann::ordered_json events = nlohmann::ordered_json::array();
  bool rich = api_version >= "2019-08-01";
  for (const Injection* inj : state_.azure_events()) {
    nlohmann::ordered_json e;
    e["EventId"] = inj->azure_event_id;
    e["EventStatus"] = inj->azure_started ? "Started" : "Scheduled";
    e["EventType"] = inj->azure_event_type;
    e["ResourceType"] = "VirtualMachine";
    e["Resources"] = {state_.vm_name()};
    e["NotBefore"] = inj->azure_started ? "" : format_rfc1123(inj->deadline);
    if (rich) {
      std::string what = inj->azure_event_type == "Preempt" ? "Virtual machine is being preempted"
                                                            : "Virtual machine is going to be " + inj->azure_event_type;
      e["Description"] = what + " [chaos-agent game day, injection " + inj->id + "]";
      e["EventSource"] = "Platform";
      e["DurationInSeconds"] = inj->azure_event_type == "Freeze" ? 5 : -1;
    }
    events.push_back(std::move(e));
  }
  nlohmann::ordered_json doc = {{"DocumentIncarnation", state_.azure_incarnation()}, {"Events", events}};
  return doc.dump();
}

Outcome AzureImds::handle(const Request& req, const Target& t, bool have_upstream) {
  last_acked_.clear();
  bool scheduled = t.path == "/metadata/scheduledevents";
  bool instance = t.path == "/metadata/instance" || t.path.rfind("/metadata/instance/", 0) == 0;
  if (!scheduled && (have_upstream || !instance)) {
    if (have_upstream) return forward();
    return respond(not_found(req, false));
  }
  Outcome o;
  if (scheduled) o.chaos_read = Provider::kAzure;
  if (has_header(req, "X-Forwarded-For")) {
    o.response = bad_request(req, "Bad request. X-Forwarded-For header is not allowed", false);
    return o;
  }
  if (!iequals(header(req, "Metadata"), "true")) {
    o.response = bad_request(req, "Bad request. Required metadata header not specified", false);
    return o;
  }
  auto v = t.query.find("api-version");
  if (v == t.query.end() || v->second.empty()) {
    o.response = bad_request(req,
                             "Bad request. api-version was not specified in the request. For more information "
                             "refer to aka.ms/azureimds",
                             true);
    return o;
  }
  const std::string& version = v->second;
  bool version_ok = scheduled ? valid_scheduled_events_version(version)
                              : std::find(std::begin(kInstanceVersions), std::end(kInstanceVersions), version) !=
                                    std::end(kInstanceVersions);
  if (!version_ok) {
    o.response = bad_request(req,
                             "Bad request. api-version is invalid or was not specified in the request. For more "
                             "information refer to aka.ms/azureimds",
                             true);
    return o;
  }
  if (instance) {
    if (req.method() != bhttp::verb::get) {
      o.response = json(req, 405, R"({"error":"Method not allowed"})");
      return o;
    }
    // Walk the document by the path's segments (/metadata/instance/network/interface/0/macAddress).
    nlohmann::ordered_json node = instance_document();
    std::string rest = t.path.substr(std::string("/metadata/instance").size());
    size_t pos = 0;
    while (pos < rest.size()) {
      size_t next = rest.find('/', pos + 1);
      std::string seg = rest.substr(pos + 1, next == std::string::npos ? std::string::npos : next - pos - 1);
      pos = next == std::string::npos ? rest.size() : next;
      if (node.is_object() && node.contains(seg)) {
        node = nlohmann::ordered_json(node[seg]);
      } else if (node.is_array() && !seg.empty() && seg.find_first_not_of("0123456789") == std::string::npos &&
                 seg.size() < 6 && std::stoul(seg) < node.size()) {
        node = nlohmann::ordered_json(node[std::stoul(seg)]);
      } else {
        o.response = not_found(req, true);
        return o;
      }
    }
    bool text_format = t.query.count("format") && t.query.at("format") == "text";
    if (text_format && node.is_string()) {
      o.response = json(req, 200, node.get<std::string>());
      o.response.set(bhttp::field::content_type, "text/plain; charset=utf-8");
    } else {
      o.response = json(req, 200, node.dump());
    }
    return o;
  }
  if (req.method() == bhttp::verb::get) {
    const auto events = state_.azure_events();
    if (!events.empty()) o.injection_id = events.back()->id;
    o.response = json(req, 200, document(version));
    return o;
  }
  if (req.method() == bhttp::verb::post) {
    // Clients post JSON, sometimes with a form content type: parse the body as JSON regardless,
    // falling back to a URL-decoded body.
    auto body = nlohmann::json::parse(req.body(), nullptr, false);
    if (body.is_discarded()) body = nlohmann::json::parse(percent_decode(req.body(), true), nullptr, false);
    std::vector<std::string> ids;
    bool shape_ok = body.is_object() && body.contains("StartRequests") && body["StartRequests"].is_array();
    if (shape_ok) {
      for (const auto& sr : body["StartRequests"]) {
        if (!sr.is_object() || !sr.contains("EventId") || !sr["EventId"].is_string()) {
          shape_ok = false;
          break;
        }
        ids.push_back(sr["EventId"].get<std::string>());
      }
    }
    if (!shape_ok) {
      o.response = bad_request(
          req, "Bad request. Expected a JSON body like {\"StartRequests\": [{\"EventId\": \"...\"}]}", false);
      return o;
    }
    auto result = state_.azure_ack(ids);
    last_acked_ = result.started;
    for (const Injection* inj : state_.azure_events())
      if (std::find(ids.begin(), ids.end(), inj->azure_event_id) != ids.end()) o.injection_id = inj->id;
    o.response = json(req, 200, "");
    o.response.erase(bhttp::field::content_type);
    return o;
  }
  o.response = json(req, 405, R"({"error":"Method not allowed"})");
  return o;
}

}  // namespace agent::imds
