#!/usr/bin/env bash
# Cuts a release: applies the pending changesets (versions and CHANGELOG.md per package), rebuilds,
# runs the checks a publish needs, and packs each package into release/ — `npm publish` of those
# tarballs is left to a maintainer with the registry credentials.
set -euo pipefail
cd "$(dirname "$0")/.."
npx --no-install changeset version
npm install --no-audit --no-fund
npm run --silent build
npm run --silent typecheck
bash scripts/check-packages.sh
npx --no-install size-limit
rm -rf release && mkdir release
for pkg in core browser node react; do
  npm pack --silent --pack-destination release "./packages/$pkg"
done
ls -l release
