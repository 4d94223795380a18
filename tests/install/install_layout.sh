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
         lib/systemd/system/chaos-agent.service; do
  [ -e "$DEST/$f" ] || { echo "missing after cmake --install: $f"; exit 1; }
done
version=$(sed -n 's/^project(spotsim VERSION \([0-9.]*\).*/\1/p' "$(dirname "$0")/../../CMakeLists.txt")
"$DEST/bin/spotsim" --version | grep -qx "spotsim $version" || { echo "spotsim --version is not $version"; exit 1; }
"$DEST/bin/chaos-agent" --version | grep -qx "chaos-agent $version" || { echo "chaos-agent --version is not $version"; exit 1; }
echo ok
