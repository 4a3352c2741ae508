# Sourced by the install_*.sh scripts: `apt_install "<what it is for>" package...` installs Debian
# packages with apt-get (through sudo -n when not root) or stops with a message saying what to do.
apt_install() {
  local purpose="$1"; shift
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "错误：缺少 $*，且本机没有 apt-get。$* missing and apt-get is unavailable: install it for ${purpose}." >&2
    exit 1
  fi
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then sudo=(sudo -n); else
      echo "错误：安装 $* 需要 root 权限。Installing $* needs root: run apt-get install $* as root." >&2
      exit 1
    fi
  fi
  echo "==> Installing $* for ${purpose} (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq >/dev/null
  "${sudo[@]}" apt-get install -y -qq "$@" >/dev/null 2>&1 || {
    echo "错误：apt-get install $* 失败。apt-get install $* failed; run it by hand to see why." >&2
    exit 1
  }
}
