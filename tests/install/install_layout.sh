#!/usr/bin/env bash
# `cmake --install` lays out the programs, docs and the files a game day deploys.
#   install_layout.sh BUILD_DIR
set -euo pipefail
BUILD=$1
DEST=$(mktemp -d)
trap 'rm -rf "$DEST"' EXIT
cmake --install "$BUILD" --prefix "$DEST" >/dev/null
for f in bin/spotsim bin/chaos-agent share/doc/spotsim/README.md share/doc/spotsim/metrics.md \
         share/spotsim/scenarios/spot-fleet-basic.yaml share/spotsim/examples/gameday/daemonset.yaml \
         lib/systemd/system/chaos-agent.service share/man/man1/chaos-agent.1 etc/default/chaos-agent \
         share/doc/chaos-agent/chaos-agent.md; do
  [ -e "$DEST/$f" ] || { echo "missing after cmake --install: $f"; exit 1; }
done
# The unit runs the binary and reads the config where this prefix put them.
grep -qxF "ExecStart=$DEST/bin/chaos-agent serve --control unix:/run/chaos-agent/control.sock \\" \
  "$DEST/lib/systemd/system/chaos-agent.service" || { echo "the unit does not run $DEST/bin/chaos-agent"; exit 1; }
grep -qxF "EnvironmentFile=-$DEST/etc/default/chaos-agent" "$DEST/lib/systemd/system/chaos-agent.service" \
  || { echo "the unit does not read $DEST/etc/default/chaos-agent"; exit 1; }
grep -q '^CHAOS_AGENT_OPTS="--intercept ' "$DEST/etc/default/chaos-agent" || { echo "no default CHAOS_AGENT_OPTS"; exit 1; }
version=$(sed -n 's/^project(spotsim VERSION \([0-9.]*\).*/\1/p' "$(dirname "$0")/../../CMakeLists.txt")
"$DEST/bin/spotsim" --version | grep -qx "spotsim $version" || { echo "spotsim --version is not $version"; exit 1; }
"$DEST/bin/chaos-agent" --version | grep -qx "chaos-agent $version" || { echo "chaos-agent --version is not $version"; exit 1; }
echo ok
