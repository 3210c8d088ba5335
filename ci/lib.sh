# shellcheck shell=bash
# Shared helpers for the set-up and test scripts. Source it; do not run it.
#
# Everything heavy (kernel tree, Python venv, downloaded .debs) lives in $BES2600_CACHE,
# outside the clone, keyed by its inputs, so a clean clone reuses it and a fresh machine
# rebuilds it.

BES2600_ROOT="${BES2600_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
BES2600_CACHE="${BES2600_CACHE:-/var/cache/bes2600-rs}"
BES2600_VENV="$BES2600_CACHE/venv"
export BES2600_ROOT BES2600_CACHE BES2600_VENV
export DEBIAN_FRONTEND=noninteractive
export PATH="$HOME/.cargo/bin:$BES2600_VENV/bin:$PATH"
mkdir -p "$BES2600_CACHE"

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Runs `apt-get update` at most once per hour-long set-up (stamp in the cache).
apt_update_once() {
    local stamp="$BES2600_CACHE/.apt-updated"
    if [ -z "$(find "$stamp" -mmin -60 2>/dev/null)" ]; then
        log "apt-get update"
        apt-get update -q >/dev/null || die "apt-get update failed"
        touch "$stamp"
    fi
}

# apt_install PKG...: installs only the packages that are not installed yet.
apt_install() {
    local missing=() p
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    apt_update_once
    log "apt-get install ${missing[*]}"
    apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null \
        || die "apt-get install ${missing[*]} failed"
}

# pip_install PKG==VER...: installs into the project venv (outside the clone).
pip_install() {
    if [ ! -x "$BES2600_VENV/bin/python" ]; then
        apt_install python3-venv
        log "creating venv $BES2600_VENV"
        python3 -m venv "$BES2600_VENV" || die "cannot create $BES2600_VENV"
    fi
    local missing=() spec name want have
    for spec in "$@"; do
        name="${spec%%==*}"; want="${spec#*==}"
        have="$("$BES2600_VENV/bin/pip" show "$name" 2>/dev/null | sed -n 's/^Version: //p')"
        [ "$have" = "$want" ] || missing+=("$spec")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    log "pip install ${missing[*]}"
    "$BES2600_VENV/bin/pip" install -q "${missing[@]}" || die "pip install ${missing[*]} failed"
}

# cargo_tool BIN CRATE VERSION: installs a cargo tool at a pinned version unless present.
cargo_tool() {
    local bin="$1" crate="$2" ver="$3"
    if command -v "$bin" >/dev/null 2>&1 && "$bin" --version 2>/dev/null | grep -q "$ver"; then
        return 0
    fi
    log "cargo install $crate@$ver"
    cargo install -q --locked "$crate" --version "$ver" || die "cargo install $crate@$ver failed"
}
