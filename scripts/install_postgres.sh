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

if ! command -v apt-get >/dev/null 2>&1; then
  echo "错误：缺少 PostgreSQL 服务器，且本机没有 apt-get。PostgreSQL (initdb, pg_ctl) is missing and apt-get is unavailable: install a PostgreSQL server and put its bin/ on PATH." >&2
  exit 1
fi
SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=(sudo -n); else
    echo "错误：安装 PostgreSQL 需要 root 权限。Installing PostgreSQL needs root: run apt-get install postgresql as root." >&2
    exit 1
  fi
fi

echo "==> Installing PostgreSQL for the helpdesk tests (apt-get)"
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq >/dev/null
"${SUDO[@]}" apt-get install -y -qq postgresql >/dev/null 2>&1 || {
  echo "错误：apt-get install postgresql 失败。apt-get install postgresql failed; run it by hand to see why." >&2
  exit 1
}
have_server || { echo "错误：安装后仍未找到 pg_ctl。pg_ctl is still missing after installing postgresql." >&2; exit 1; }
