#!/usr/bin/env bash
# The one command that runs everything: system deps, build, typecheck, every test layer, size budgets.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/ensure-system-deps.sh
[ -d node_modules ] || npm ci --no-audit --no-fund

echo "== build" && npm run --silent build
echo "== typecheck" && npm run --silent typecheck
echo "== Node 22 and 24" && bash scripts/test-runtimes.sh
echo "== tests (unit + end-to-end)"
report=$(mktemp)
status=0
npx vitest run --reporter=default --reporter=json --outputFile="$report" || status=$?
echo "== size budgets"
npx size-limit || status=$?
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`)
' "$report"
rm -f "$report"
exit $status
