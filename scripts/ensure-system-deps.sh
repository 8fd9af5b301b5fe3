#!/usr/bin/env bash
# Makes sure the real parts the tests drive are on this machine: Chromium (for the script tag,
# IndexedDB, offline and tabs) and a PostgreSQL 15 server (for the store). On Debian as root they are
# installed with apt; elsewhere this says what to install and stops.
set -euo pipefail

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/lib/postgresql/15/bin/initdb ] || missing+=(postgresql)
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "ecrm tests: installing ${missing[*]} with apt-get" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  exit 0
fi

cat >&2 <<MSG
ecrm tests need these system packages, which are missing: ${missing[*]}
  - chromium: Debian/Ubuntu 'apt-get install chromium' (the tests expect /usr/bin/chromium)
  - postgresql: PostgreSQL 15 server binaries in /usr/lib/postgresql/15/bin ('apt-get install postgresql')
Install them (as root), then run 'npm test' again.
MSG
exit 1
