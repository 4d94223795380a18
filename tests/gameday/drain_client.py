"""A termination handler built on botocore's own IMDS client (botocore.utils.IMDSFetcher, IMDSv2):
it polls the AWS spot instance-action path through a chaos-agent and, when a notice appears,
drains (finishes its in-flight work for --drain seconds) and exits. With --stuck its drain never
finishes: the bug a game day is for. Writes its pid to --pidfile (the agent's --workload) and
--ready once its first poll has been answered.
"""
import argparse
import os
import sys
import time

from botocore.utils import IMDSFetcher

SPOT = "latest/meta-data/spot/instance-action"


def write_atomic(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.rename(tmp, path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--endpoint", required=True)
    ap.add_argument("--pidfile", required=True)
    ap.add_argument("--ready", required=True)
    ap.add_argument("--drain", type=float, default=1.0)
    ap.add_argument("--poll", type=float, default=0.2)
    ap.add_argument("--stuck", action="store_true")
    a = ap.parse_args()
    write_atomic(a.pidfile, "%d\n" % os.getpid())
    fetcher = IMDSFetcher(timeout=2, num_attempts=1, config={"ec2_metadata_service_endpoint": a.endpoint})
    token = None
    ready = False
    while True:
        try:
            if token is None:
                token = fetcher._fetch_metadata_token()
            resp = fetcher._get_request(url_path=SPOT, retry_func=None, token=token)
            if resp.status_code == 200:
                print("notice: %s; draining" % resp.text, flush=True)
                if a.stuck:
                    while True:  # the drain that never ends
                        time.sleep(3600)
                time.sleep(a.drain)
                print("drained", flush=True)
                return 0
        except Exception:  # botocore raises on the 404 that means "no notice"
            pass
        if not ready:
            write_atomic(a.ready, "1\n")
            ready = True
        time.sleep(a.poll)


if __name__ == "__main__":
    sys.exit(main())
