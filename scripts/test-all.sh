#!/usr/bin/env bash
# The one command that runs everything: system deps, build, typecheck, every test layer, size budgets.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/ensure-system-deps.sh
[ -d node_modules ] || npm install --no-audit --no-fund

echo "== build" && npm run --silent build
echo "== typecheck" && npm run --silent typecheck
echo "== lint and format (Biome)" && npm run --silent lint
echo "== runtimes: Node 22 and 24, Bun, Deno" && bash scripts/test-runtimes.sh
reports=$(mktemp -d)
status=0
# Unit tests first, then the end-to-end layer on its own, so real-time scenarios (Retry-After,
# offline spells, crash and restart) do not compete with the unit suite for the two cores.
echo "== unit tests"
npx vitest run --project unit --reporter=default --reporter=json --outputFile="$reports/unit.json" || status=$?
echo "== end-to-end tests (Chromium, HTTP backends, PGlite, PostgreSQL, the demo)"
npx vitest run --project e2e --reporter=default --reporter=json --outputFile="$reports/e2e.json" || status=$?
echo "== size budgets"
npx size-limit || status=$?
echo "== packages as published (publint, arethetypeswrong)"
bash scripts/check-packages.sh || status=$?
node -e '
  const fs = require("fs")
  const totals = { passed: 0, failed: 0, skipped: 0 }
  for (const name of ["unit.json", "e2e.json"]) {
    const file = `${process.argv[1]}/${name}`
    if (!fs.existsSync(file)) { totals.failed += 1; console.error(`no report from the ${name} run`); continue }
    const r = JSON.parse(fs.readFileSync(file, "utf8"))
    totals.passed += r.numPassedTests
    totals.failed += r.numFailedTests
    totals.skipped += r.numPendingTests + r.numTodoTests
  }
  console.log(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`)
' "$reports"
rm -rf "$reports"
exit $status
