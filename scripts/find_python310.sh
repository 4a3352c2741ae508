#!/usr/bin/env bash
# Prints the path of a working Python 3.10 interpreter (PATH first, then pyenv's versions).
# Exits 1 with instructions when none is found. Rasa 3.6 supports Python <= 3.10 only.
set -euo pipefail

works() { [ -n "$1" ] && "$1" -c 'import sys, venv; assert sys.version_info[:2] == (3, 10)' >/dev/null 2>&1; }

if [ -n "${PYTHON310:-}" ] && works "$PYTHON310"; then echo "$PYTHON310"; exit 0; fi
for candidate in "$(command -v python3.10 2>/dev/null || true)"; do
  if works "$candidate"; then echo "$candidate"; exit 0; fi
done
pyenv_root="${PYENV_ROOT:-}"
if [ -z "$pyenv_root" ] && command -v pyenv >/dev/null 2>&1; then pyenv_root="$(pyenv root)"; fi
pyenv_root="${pyenv_root:-$HOME/.pyenv}"
for candidate in $(ls -d "$pyenv_root"/versions/3.10.*/bin/python3.10 2>/dev/null | sort -V -r); do
  if works "$candidate"; then echo "$candidate"; exit 0; fi
done
cat >&2 <<'MSG'
错误：未找到 Python 3.10（Rasa 3.6 需要 Python 3.10）。
Python 3.10 not found. Install it, then run the command again, e.g.:
  pyenv install 3.10.13          # or: apt-get install python3.10 python3.10-venv
or point PYTHON310=/path/to/python3.10 at an existing interpreter.
MSG
exit 1
