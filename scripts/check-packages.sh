#!/usr/bin/env bash
# Checks each package as npm would publish it: publint (package.json, exports, files) and
# arethetypeswrong (every export resolves to types, for ESM importers and bundlers — the packages
# are ESM only, so CommonJS resolution is not a goal). Run after the build.
set -euo pipefail
cd "$(dirname "$0")/.."
status=0
for pkg in core browser node react; do
  if ! out=$(npx --no-install publint --strict "packages/$pkg" 2>&1); then
    echo "$out"; status=1
  fi
  if ! out=$(npx --no-install attw --pack "packages/$pkg" --profile esm-only --format ascii 2>&1); then
    echo "$out"; status=1
  fi
  [ $status -eq 0 ] && echo "@ecrm/$pkg: publint and arethetypeswrong clean"
done
exit $status
