"""Runs a Node client script against a fresh agent. The script gets the agent through env:
CHAOS_AGENT_BIN, CHAOS_AGENT_CONTROL, CHAOS_AGENT_BASE, plus each SDK's own override."""
import os
import subprocess
import sys

from harness import Agent

binary, script, node_modules = sys.argv[1], sys.argv[2], sys.argv[3]
with Agent(binary) as agent:
    env = dict(os.environ)
    env.update({
        "CHAOS_AGENT_BIN": binary,
        "CHAOS_AGENT_CONTROL": agent.control,
        "CHAOS_AGENT_BASE": agent.base,
        "NODE_PATH": node_modules,
        "AWS_EC2_METADATA_SERVICE_ENDPOINT": agent.base,
        "GCE_METADATA_HOST": "127.0.0.1:%d" % agent.port,
        "METADATA_SERVER_DETECTION": "assume-present",
    })
    rc = subprocess.run(["node", script], env=env, timeout=50).returncode
sys.exit(rc)
