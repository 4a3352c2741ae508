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

source "$(dirname "$0")/apt_install.sh"
apt_install "the browser tests" "${packages[@]}"
if [ ! -x "$CHROMIUM" ]; then
  echo "错误：安装后仍未找到 $CHROMIUM。$CHROMIUM is still missing after installing chromium." >&2
  exit 1
fi
