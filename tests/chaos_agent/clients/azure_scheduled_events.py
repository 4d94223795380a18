"""Microsoft's documented Scheduled Events flow, as in the Azure docs' Python sample:
GET the document with Metadata: true, find the event, POST StartRequests to approve it,
see it Started. urllib only for the GET (as the docs' urllib sample), requests for the POST
(as the docs' requests sample, which sends the JSON body with a form content type)."""
import json
import sys
import urllib.request

import requests

from harness import Agent, check


def get_scheduled_events(base):
    req = urllib.request.Request(base + "/metadata/scheduledevents?api-version=2020-07-01")
    req.add_header("Metadata", "true")
    with urllib.request.urlopen(req, timeout=5) as resp:
        return json.loads(resp.read())


def confirm_scheduled_event(base, event_id):
    # Like the docs' sample: data=json.dumps(...) without a JSON content type.
    payload = json.dumps({"StartRequests": [{"EventId": event_id}]})
    resp = requests.post(base + "/metadata/scheduledevents",
                         headers={"Metadata": "true"}, params={"api-version": "2020-07-01"},
                         data=payload, timeout=5)
    return resp.status_code


def main(binary):
    with Agent(binary) as agent:
        doc = get_scheduled_events(agent.base)
        check(doc["Events"] == [], "no events before injection")
        inc0 = doc["DocumentIncarnation"]
        agent.inject("preempt", "--provider", "azure", "--notice", "30s")
        doc = get_scheduled_events(agent.base)
        check(len(doc["Events"]) == 1, "one event after injection")
        ev = doc["Events"][0]
        check(ev["EventType"] == "Preempt" and ev["EventStatus"] == "Scheduled", "Preempt, Scheduled")
        check(ev["Resources"] == ["test-vm"], "Resources names the VM")
        check(doc["DocumentIncarnation"] > inc0, "DocumentIncarnation increased")
        r = requests.get(agent.base + "/metadata/instance", headers={"Metadata": "true"},
                         params={"api-version": "2021-02-01"}, timeout=5)
        check(r.json()["compute"]["name"] == "test-vm", "compute.name matches Resources")
        # Standalone mode: the compute fields handlers read at start (no cloud here).
        compute = r.json()["compute"]
        check(compute["location"] == "eastus" and compute["vmSize"] == "Standard_D4s_v3" and
              compute["zone"] == "1" and compute["priority"] == "Spot" and compute["vmId"],
              "compute location, vmSize, zone, priority, vmId: %r" % {k: compute[k] for k in
                                                                      ("location", "vmSize", "zone", "priority", "vmId")})
        r = requests.get(agent.base + "/metadata/instance/compute/location", headers={"Metadata": "true"},
                         params={"api-version": "2021-02-01", "format": "text"}, timeout=5)
        check(r.status_code == 200 and r.text == "eastus", "compute/location?format=text -> %r" % r.text)
        r = requests.get(agent.base + "/metadata/instance/compute/nosuchfield", headers={"Metadata": "true"},
                         params={"api-version": "2021-02-01"}, timeout=5)
        check(r.status_code == 404 and r.text == '{ "error": "Not found" }', "unknown element -> Azure's 404 %r" % r.text)
        check(confirm_scheduled_event(agent.base, ev["EventId"]) == 200, "StartRequests ack answered 200")
        doc2 = get_scheduled_events(agent.base)
        check(doc2["Events"][0]["EventStatus"] == "Started", "event became Started")
        check(doc2["DocumentIncarnation"] > doc["DocumentIncarnation"], "ack changed DocumentIncarnation")
        r = requests.get(agent.base + "/metadata/scheduledevents", params={"api-version": "2020-07-01"}, timeout=5)
        check(r.status_code == 400, "no Metadata header -> 400")
        agent.clear()
        doc3 = get_scheduled_events(agent.base)
        check(doc3["Events"] == [], "no events after clear")
        acks = [e for e in agent.audit_events() if e["event"] == "ack"]
        check(len(acks) == 1 and acks[0]["event_id"] == ev["EventId"], "audit log recorded the ack")


if __name__ == "__main__":
    main(sys.argv[1])
