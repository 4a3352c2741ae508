#!/usr/bin/env bash
# Installs a PostgreSQL server for the tests (tests/helpdesk/ start a throw-away one with initdb
# and pg_ctl on a free port; nothing is configured system-wide), only when it is missing:
# Debian's postgresql package (server binaries under /usr/lib/postgresql/<version>/bin).
# Idempotent and quiet: does nothing when initdb and pg_ctl are there.
set -euo pipefail

have_server() {
  command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1 && return 0
  compgen -G "/usr/lib/postgresql/*/bin/pg_ctl" >/dev/null
}
have_server && exit 0

source "$(dirname "$0")/apt_install.sh"
apt_install "the helpdesk tests (PostgreSQL)" postgresql
have_server || { echo "错误：安装后仍未找到 pg_ctl。pg_ctl is still missing after installing postgresql." >&2; exit 1; }
