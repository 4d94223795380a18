"""botocore's own IMDS client (IMDSv2 token path) against chaos-agent.

The fetcher is botocore.utils.IMDSFetcher with the endpoint override that
AWS_EC2_METADATA_SERVICE_ENDPOINT / ec2_metadata_service_endpoint feed it.
"""
import json
import sys

from botocore.utils import IMDSFetcher

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


if __name__ == "__main__":
    main(sys.argv[1])
