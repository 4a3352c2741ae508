#!/usr/bin/env bash
# Creates (or refreshes) the two virtual environments. Idempotent: an environment is rebuilt
# only when the files that define it change (a hash stamp is kept inside the venv).
#   .venv-rasa : Python 3.10 + rasa 3.6 (the Rasa server; loads no project code)
#   .venv      : Python 3.11 + torch 2.13.0 (CPU) + this project (actions, gateway, knowledge)
set -euo pipefail
cd "$(dirname "$0")/.."

stamp_of() { cat "$@" | sha256sum | cut -d' ' -f1; }

setup_rasa_env() {
  local stamp; stamp="$(stamp_of requirements-rasa.txt)"
  if [ -f .venv-rasa/.stamp ] && [ "$(cat .venv-rasa/.stamp)" = "$stamp" ]; then return; fi
  local py310; py310="$(scripts/find_python310.sh)"
  echo "==> Rasa environment (.venv-rasa) with $py310"
  rm -rf .venv-rasa
  "$py310" -m venv .venv-rasa
  .venv-rasa/bin/pip install -q --upgrade pip wheel
  .venv-rasa/bin/pip install -q -r requirements-rasa.txt
  echo "$stamp" > .venv-rasa/.stamp
}

find_python311() {
  for candidate in "${PYTHON311:-}" "$(command -v python3.11 2>/dev/null || true)" \
      $(ls -d "${PYENV_ROOT:-$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")}"/versions/3.11.*/bin/python3.11 2>/dev/null); do
    if [ -n "$candidate" ] && "$candidate" -c 'import sys; assert sys.version_info[:2] == (3, 11)' >/dev/null 2>&1; then
      echo "$candidate"; return 0
    fi
  done
  echo "错误：未找到 Python 3.11。Python 3.11 not found: install it (e.g. pyenv install 3.11.7) and run again." >&2
  return 1
}

setup_app_env() {
  local stamp; stamp="$(stamp_of pyproject.toml)"
  if [ -f .venv/.stamp ] && [ "$(cat .venv/.stamp)" = "$stamp" ]; then return; fi
  local py311; py311="$(find_python311)"
  echo "==> Application environment (.venv) with $py311"
  [ -d .venv ] || "$py311" -m venv .venv
  .venv/bin/pip install -q --upgrade pip
  # torch first: the local CPU build; letting a dependency pull torch would fetch CUDA wheels.
  .venv/bin/pip install -q torch==2.13.0
  .venv/bin/pip install -q -e '.[dev]'
  echo "$stamp" > .venv/.stamp
}

setup_rasa_env
setup_app_env
# chromium (and a Chinese font) for the browser tests; `make run` does not need them, so a
# machine where they cannot be installed still runs the assistant (the browser tests then say why).
scripts/install_browser.sh || echo "警告：浏览器测试所需的 chromium 未能安装 / warning: chromium for the browser tests could not be installed" >&2
# A PostgreSQL server for the helpdesk tests (they start a throw-away one); `make run` uses SQLite.
scripts/install_postgres.sh || echo "警告：PostgreSQL 未能安装，相关测试将失败 / warning: PostgreSQL for the tests could not be installed" >&2
# LibreOffice (headless) and poppler-utils for the document tests (rendering the exported .docx).
scripts/install_libreoffice.sh || echo "警告：LibreOffice 未能安装，文档测试将失败 / warning: LibreOffice for the document tests could not be installed" >&2
