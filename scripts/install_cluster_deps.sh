#!/usr/bin/env bash
# Installs what `make cluster` and tests/cluster/ need besides PostgreSQL (install_postgres.sh):
# Debian's redis-server (Rasa's lock store, the WeChat access token) and nginx (the single entry
# point balancing the gateways), only when missing. Nothing is configured system-wide: the
# cluster starts its own redis-server and nginx with files under var/cluster/.
# Idempotent and quiet: does nothing when both are there.
set -euo pipefail

have() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] || [ -x "/usr/bin/$1" ]; }
packages=()
have redis-server || packages+=(redis-server)
have nginx || packages+=(nginx)
[ ${#packages[@]} -eq 0 ] && exit 0

source "$(dirname "$0")/apt_install.sh"
apt_install "make cluster (Redis, nginx)" "${packages[@]}"
# the Debian packages start system-wide services; the cluster runs its own instances
for service in redis-server nginx; do
  if command -v systemctl >/dev/null 2>&1; then systemctl disable --now "$service" >/dev/null 2>&1 || true; fi
done
have redis-server && have nginx || { echo "错误：安装后仍未找到 redis-server 或 nginx。redis-server or nginx still missing after installing." >&2; exit 1; }
