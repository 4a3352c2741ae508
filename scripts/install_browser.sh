#!/usr/bin/env bash
# Installs what the browser tests (tests/browser/) need, only when it is missing:
#   - Debian's chromium at /usr/bin/chromium (Playwright drives it through executable_path;
#     `playwright install` is never used: it downloads browsers, which offline machines cannot);
#   - a Chinese font, so that screenshots show Chinese text rather than empty boxes.
# Idempotent and quiet: does nothing when both are present.
set -euo pipefail

CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
packages=()
[ -x "$CHROMIUM" ] || packages+=(chromium)
if ! command -v fc-list >/dev/null 2>&1 || [ -z "$(fc-list :lang=zh 2>/dev/null | head -n 1)" ]; then
  packages+=(fonts-wqy-zenhei)
fi
[ ${#packages[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "错误：缺少 ${packages[*]}，且本机没有 apt-get。Missing ${packages[*]} and apt-get is unavailable: install them (or set CHROMIUM=/path/to/chromium)." >&2
  exit 1
fi
SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=(sudo -n); else
    echo "错误：安装 ${packages[*]} 需要 root 权限。Installing ${packages[*]} needs root: run apt-get install ${packages[*]} as root." >&2
    exit 1
  fi
fi

echo "==> Installing ${packages[*]} for the browser tests (apt-get)"
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq >/dev/null
"${SUDO[@]}" apt-get install -y -qq "${packages[@]}" >/dev/null 2>&1 || {
  echo "错误：apt-get install ${packages[*]} 失败。apt-get install ${packages[*]} failed; run it by hand to see why." >&2
  exit 1
}
if [ ! -x "$CHROMIUM" ]; then
  echo "错误：安装后仍未找到 $CHROMIUM。$CHROMIUM is still missing after installing chromium." >&2
  exit 1
fi
