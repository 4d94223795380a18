"""botocore's own IMDS client (IMDSv2 token path) against chaos-agent.

The fetcher is botocore.utils.IMDSFetcher with the endpoint override that
AWS_EC2_METADATA_SERVICE_ENDPOINT / ec2_metadata_service_endpoint feed it.
"""
import json
import os
import sys
import tempfile

from botocore.utils import IMDSFetcher, InstanceMetadataRegionFetcher

from harness import Agent, check

SPOT = "latest/meta-data/spot/instance-action"


def fetch(fetcher, path):
    token = fetcher._fetch_metadata_token()
    check(token is not None and token.startswith("AQAEA"), "botocore obtained an IMDSv2 token")
    resp = fetcher._get_request(url_path=path, retry_func=None, token=token)
    return resp


def main(binary):
    with Agent(binary, ["--imds-v2-only"]) as agent:
        fetcher = IMDSFetcher(timeout=2, num_attempts=1,
                              config={"ec2_metadata_service_endpoint": agent.base})
        try:
            fetch(fetcher, SPOT)
            check(False, "no notice before injection")
        except Exception as e:  # botocore raises on non-200 (_RetriesExceededError / BadIMDSRequestError)
            check(True, "no notice before injection (%s)" % type(e).__name__)
        agent.inject("preempt", "--provider", "aws", "--notice", "120s", "--action", "stop")
        resp = fetch(fetcher, SPOT)
        body = json.loads(resp.text)
        check(resp.status_code == 200, "200 after injection")
        check(body["action"] == "stop" and body["time"].endswith("Z"), "instance-action body %s" % resp.text)
        agent.clear()
        try:
            fetch(fetcher, SPOT)
            check(False, "no notice after clear")
        except Exception as e:
            check(True, "no notice after clear (%s)" % type(e).__name__)
        reads = [e for e in agent.audit_events() if e["event"] == "read"]
        check(any(e["notice_visible"] for e in reads), "audit log recorded the read that saw the notice")

        # Standalone mode: what botocore and handlers read at start is there, without a cloud.
        config = {"ec2_metadata_service_endpoint": agent.base}
        region = InstanceMetadataRegionFetcher(timeout=2, num_attempts=1, config=config).retrieve_region()
        check(region == "us-east-1", "botocore's region fetcher (placement/availability-zone/) -> %r" % region)
        for path, want in [("latest/meta-data/instance-id", "i-0123456789abcdef0"),
                           ("latest/meta-data/instance-type", "m5.xlarge"),
                           ("latest/meta-data/placement/availability-zone", "us-east-1a"),
                           ("latest/meta-data/placement/region", "us-east-1")]:
            resp = fetch(fetcher, path)
            check(resp.status_code == 200 and resp.text == want, "%s -> %r" % (path, resp.text))
        doc = json.loads(fetch(fetcher, "latest/dynamic/instance-identity/document").text)
        check(doc["instanceId"] == "i-0123456789abcdef0" and doc["region"] == "us-east-1",
              "instance identity document %r" % doc)

    # --identity FILE overrides the defaults.
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
        f.write("aws: {instance-id: i-0feedfacefeedface, instance-type: c6i.large, availability-zone: eu-west-1b}\n")
    try:
        with Agent(binary, ["--identity", f.name]) as agent:
            config = {"ec2_metadata_service_endpoint": agent.base}
            fetcher = IMDSFetcher(timeout=2, num_attempts=1, config=config)
            region = InstanceMetadataRegionFetcher(timeout=2, num_attempts=1, config=config).retrieve_region()
            check(region == "eu-west-1", "--identity: region from the overridden zone -> %r" % region)
            check(fetch(fetcher, "latest/meta-data/instance-id").text == "i-0feedfacefeedface",
                  "--identity: instance-id overridden")
            check(fetch(fetcher, "latest/meta-data/instance-type").text == "c6i.large",
                  "--identity: instance-type overridden")
    finally:
        os.unlink(f.name)


if __name__ == "__main__":
    main(sys.argv[1])
