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

# die MSG: prints what failed and exits. ci/setup.sh sets BES2600_STEP (the fragment running) and
# BES2600_RETRY (the command that resumes), so every set-up failure says where it was and how to
# retry; tests that source this file get the plain message.
die() {
    printf 'error: %s%s\n' "${BES2600_STEP:+$BES2600_STEP: }" "$*" >&2
    case "$*" in *retry:*) ;; *) [ -z "${BES2600_RETRY:-}" ] || printf 'retry: %s\n' "$BES2600_RETRY" >&2 ;; esac
    exit 1
}

# run_quiet WHAT CMD...: runs CMD with its output kept in a log instead of on the terminal; when it
# fails, shows the log's last lines (the tool's own reason) and dies naming WHAT.
run_quiet() {
    local what="$1" out rc=0
    shift
    out="$(mktemp "${TMPDIR:-/tmp}/bes2600-setup.XXXXXX")"
    "$@" >"$out" 2>&1 || rc=$?
    if [ "$rc" -ne 0 ]; then
        printf -- '--- last lines of: %s (exit %s)\n' "$*" "$rc" >&2
        tail -n 25 "$out" >&2
        printf -- '---\n' >&2
        rm -f "$out"
        die "$what failed"
    fi
    rm -f "$out"
}

# Runs `apt-get update` at most once per hour-long set-up (stamp in the cache).
apt_update_once() {
    local stamp="$BES2600_CACHE/.apt-updated"
    if [ -z "$(find "$stamp" -mmin -60 2>/dev/null)" ]; then
        log "apt-get update"
        run_quiet "apt-get update" apt-get update -q
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
    run_quiet "apt-get install ${missing[*]}" \
        apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# Debian's Rust toolchain (bookworm-security). 10-kernel.sh builds the kernel with it, and
# 00-base.sh makes it the host toolchain where no rustup is present; one version for both, since
# rustc, its std and clippy must match exactly.
# shellcheck disable=SC2034 # used by the ci/setup.d fragments
BES2600_RUST_DEB_VER="1.96.0+dfsg1-1~deb12u2"

# apt_install_pinned PKG=VER...: installs (or moves to) exactly VER when not already there.
apt_install_pinned() {
    local missing=() spec name ver have
    for spec in "$@"; do
        name="${spec%%=*}"; ver="${spec#*=}"
        have="$(dpkg-query -W -f='${Status} ${Version}\n' "$name" 2>/dev/null | head -1 || true)"
        # "hold ok installed" once apt-mark hold ran.
        case "$have" in
        "install ok installed $ver" | "hold ok installed $ver") ;;
        *) missing+=("$spec") ;;
        esac
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    apt_update_once
    log "apt-get install ${missing[*]}"
    run_quiet "apt-get install ${missing[*]}" \
        apt-get install -y -q --no-install-recommends --allow-change-held-packages "${missing[@]}"
}

# pip_install PKG==VER...: installs into the project venv (outside the clone).
pip_install() {
    if [ ! -x "$BES2600_VENV/bin/python" ]; then
        apt_install python3-venv
        log "creating venv $BES2600_VENV"
        run_quiet "python3 -m venv $BES2600_VENV" python3 -m venv "$BES2600_VENV"
    fi
    local missing=() spec name want have
    for spec in "$@"; do
        name="${spec%%==*}"; want="${spec#*==}"
        # `pip show` exits 1 for a package the venv lacks; that is "not installed", not an error.
        have="$("$BES2600_VENV/bin/pip" show "$name" 2>/dev/null | sed -n 's/^Version: //p' || true)"
        [ "$have" = "$want" ] || missing+=("$spec")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    log "pip install ${missing[*]}"
    run_quiet "pip install ${missing[*]} (venv $BES2600_VENV)" \
        "$BES2600_VENV/bin/pip" install -q "${missing[@]}"
}

# cargo_tool BIN CRATE VERSION: installs a cargo tool at a pinned version unless present.
cargo_tool() {
    local bin="$1" crate="$2" ver="$3"
    if command -v "$bin" >/dev/null 2>&1 && "$bin" --version 2>/dev/null | grep -q "$ver"; then
        return 0
    fi
    log "cargo install $crate@$ver"
    run_quiet "cargo install $crate@$ver" cargo install -q --locked "$crate" --version "$ver"
}
