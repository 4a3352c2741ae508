#!/usr/bin/env bash
# Installs what the document tests (tests/documents/) need, only when it is missing:
#   - LibreOffice Writer without a GUI (`soffice --headless --convert-to pdf` renders the exported
#     .docx as an office clerk would see it);
#   - poppler-utils (pdftotext for the rendered text and layout, pdftoppm for the page screenshots);
#   - a Chinese font, so that the rendered pages show Chinese text rather than empty boxes.
# Idempotent and quiet: does nothing when all are present.
set -euo pipefail

packages=()
command -v soffice >/dev/null 2>&1 || packages+=(libreoffice-writer-nogui)
command -v pdftoppm >/dev/null 2>&1 && command -v pdftotext >/dev/null 2>&1 || packages+=(poppler-utils)
if ! command -v fc-list >/dev/null 2>&1 || [ -z "$(fc-list :lang=zh 2>/dev/null | head -n 1)" ]; then
  packages+=(fonts-wqy-zenhei)
fi
[ ${#packages[@]} -eq 0 ] && exit 0

source "$(dirname "$0")/apt_install.sh"
apt_install "the document tests" "${packages[@]}"
if ! command -v soffice >/dev/null 2>&1; then
  echo "错误：安装后仍未找到 soffice。soffice is still missing after installing libreoffice-writer-nogui." >&2
  exit 1
fi
