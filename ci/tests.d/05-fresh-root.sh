#!/usr/bin/env bash
# Proves that the set-up works on a machine with nothing installed: a throw-away Debian 12 root
# (debootstrap --variant=minbase: apt, dpkg and coreutils, no Rust, no Python, no compiler) gets a
# copy of the repository, runs ./ci/setup.sh with an empty cache (every apt, pip and cargo step,
# and Debian's Rust toolchain since there is no rustup), then cargo fmt --check, clippy -D
# warnings of the workspace and one crate's tests, so the toolchain it installed is shown to work.
#
# Keyed on the content of the set-up files (ci/lib.sh, ci/setup.sh, ci/setup.d/*, the files they
# source, this script): a pass records the key in $BES2600_CACHE/fresh-root/passed, and an
# unchanged set-up is not redone. The developer who ran the proof also commits its key, with the
# date, duration and commit, to ci/fresh-root.proven (the pass prints the line): a machine whose
# cache is empty (a cold CI run) then does not redo a proof of the very same set-up files, which
# would cost 20-45 min of the 60-minute cold budget. Any change to a set-up file changes the key,
# so the proof runs again until its new key is committed.
# BES2600_FRESH_ROOT=force runs it anyway; BES2600_FRESH_ROOT=skip skips it (says so).
#
# The pristine debootstrap result is cached as a tarball keyed by suite, variant and mirror;
# every run unpacks a fresh copy of it. Mounts (/proc, /sys, /dev, /dev/pts) are undone on any
# exit, and the root is deleted only once nothing is mounted inside it.
set -euo pipefail
# One compound command, read whole before it runs: editing this file during a run (bash reads
# scripts as it goes) cannot change what the run does.
{
# shellcheck source=ci/lib.sh
. "$(dirname "$0")/../lib.sh"

FR_SUITE=bookworm
FR_VARIANT=minbase
FR_MIRROR=http://deb.debian.org/debian
FR_SECURITY=http://deb.debian.org/debian-security
FR_DIR="$BES2600_CACHE/fresh-root"
FR_ROOT="$FR_DIR/root"
FR_LOG="$FR_DIR/last-run.log"
FR_SRC=/root/bes2600-rs # where the repository lands inside the root
mkdir -p "$FR_DIR"

# The set-up's inputs: the set-up scripts, every file they name under $BES2600_ROOT (e.g.
# board/pinetab2/pins.sh), and this check itself.
setup_files() {
    local f
    {
        printf '%s\n' ci/lib.sh ci/setup.sh ci/tests.d/05-fresh-root.sh
        (cd "$BES2600_ROOT" && ls ci/setup.d/*.sh)
        # shellcheck disable=SC2016 # a literal $BES2600_ROOT is what the scripts contain
        (cd "$BES2600_ROOT" && grep -ho '\$BES2600_ROOT/[A-Za-z0-9_./-]*' ci/lib.sh ci/setup.sh \
            ci/setup.d/*.sh | sed 's|^\$BES2600_ROOT/||')
    } | sort -u | while read -r f; do
        [ -f "$BES2600_ROOT/$f" ] && printf '%s\n' "$f"
    done
}
key="$(cd "$BES2600_ROOT" && setup_files | while read -r f; do sha256sum "$f"; done \
    | sha256sum | cut -c1-16)"

case "${BES2600_FRESH_ROOT:-}" in
skip) echo "fresh-root: SKIPPED (BES2600_FRESH_ROOT=skip); set-up key $key not proven"; exit 0 ;;
force) ;;
*)
    if [ "$(cat "$FR_DIR/passed" 2>/dev/null)" = "$key" ]; then
        echo "fresh-root: set-up files unchanged since the pass of" \
            "$(date -r "$FR_DIR/passed" '+%F %T') (key $key): not redone"
        exit 0
    fi
    # Format: "<key> <UTC date> <seconds> <commit>" per line; the newest proof is the last line.
    proven="$(awk -v k="$key" '$1 == k { line = $0 } END { print line }' \
        "$BES2600_ROOT/ci/fresh-root.proven" 2>/dev/null || true)"
    if [ -n "$proven" ]; then
        echo "fresh-root: set-up key $key was proven in a fresh root and committed" \
            "(ci/fresh-root.proven: $proven): not redone on this machine"
        exit 0
    fi
    ;;
esac
command -v debootstrap >/dev/null || die "debootstrap missing (ci/setup.d/05-fresh-root.sh)"
log "fresh-root: set-up key $key has not passed here: proving it in a fresh $FR_SUITE root"
t_start=$SECONDS

# --- mounts and clean-up ----------------------------------------------------------------------

# Mount points inside the root, deepest first (the order to undo them in).
mounts_inside() {
    awk -v r="$FR_ROOT" '$5 == r || index($5, r "/") == 1 { print $5 }' /proc/self/mountinfo \
        | sort -r
}

# Ends the processes the check started inside the root (a gpg-agent, a stray build), by pid.
kill_inside() {
    local p
    for p in /proc/[0-9]*; do
        [ "$(readlink "$p/root" 2>/dev/null)" = "$FR_ROOT" ] && kill -9 "${p#/proc/}" 2>/dev/null
    done
    return 0
}

# Undoes every mount inside the root; fails if one stays (then the root must not be deleted).
unmount_all() {
    local m
    kill_inside
    for m in $(mounts_inside); do
        umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
    done
    [ -z "$(mounts_inside)" ]
}

# Deletes the root, never across a mount (rm stays on one file system, and only runs once
# nothing is mounted inside).
remove_root() {
    unmount_all || { echo "fresh-root: mounts remain under $FR_ROOT: $(mounts_inside | xargs)" >&2
                     return 1; }
    rm -rf --one-file-system "$FR_ROOT"
}

# shellcheck disable=SC2317 # called from the EXIT trap
cleanup() {
    local rc=$?
    trap - EXIT ERR INT TERM
    if [ "${BES2600_FRESH_ROOT_KEEP:-0}" = 1 ]; then
        unmount_all || echo "fresh-root: mounts remain under $FR_ROOT" >&2
        echo "fresh-root: root kept at $FR_ROOT (BES2600_FRESH_ROOT_KEEP=1)" >&2
    else
        remove_root || rc=1
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
trap 'echo "fresh-root: failed at line $LINENO: $BASH_COMMAND" >&2' ERR

# --- the pristine base, cached ----------------------------------------------------------------

base_key="$(printf '%s %s %s\n' "$FR_SUITE" "$FR_VARIANT" "$FR_MIRROR" | sha256sum | cut -c1-12)"
base_tar="$FR_DIR/base-$FR_SUITE-$base_key.tar"
remove_root # a root left by a killed run
if [ ! -f "$base_tar" ]; then
    t0=$SECONDS
    log "fresh-root: debootstrap --variant=$FR_VARIANT $FR_SUITE (cached as $(basename "$base_tar"))"
    rm -f "$FR_DIR"/base-*.tar # superseded bases
    mkdir -p "$FR_ROOT"
    run_quiet "debootstrap $FR_SUITE" nice -n 10 \
        debootstrap --variant="$FR_VARIANT" "$FR_SUITE" "$FR_ROOT" "$FR_MIRROR"
    # debootstrap may leave its own mounts (proc) behind; the tarball holds files only.
    unmount_all
    tar -C "$FR_ROOT" -cf "$base_tar.tmp" . && mv "$base_tar.tmp" "$base_tar"
    remove_root
    echo "fresh-root: debootstrap took $((SECONDS - t0)) s"
fi

t0=$SECONDS
mkdir -p "$FR_ROOT"
tar -C "$FR_ROOT" -xf "$base_tar"
# A Debian 12 as installed: the release, its updates and its security suite (Debian's Rust 1.96
# comes from bookworm-security), no recommends (as the set-up asks for none).
cat >"$FR_ROOT/etc/apt/sources.list" <<EOF
deb $FR_MIRROR $FR_SUITE main
deb $FR_MIRROR $FR_SUITE-updates main
deb $FR_SECURITY $FR_SUITE-security main
EOF
# No daemon may start inside a chroot (the systemd and dbus postinst scripts honour this).
printf '#!/bin/sh\nexit 101\n' >"$FR_ROOT/usr/sbin/policy-rc.d"
chmod +x "$FR_ROOT/usr/sbin/policy-rc.d"
cp -L /etc/resolv.conf "$FR_ROOT/etc/resolv.conf"
# This machine's network trust (its CA bundle: a TLS-inspecting gateway's CA sits there) and pip's
# machine-wide config belong to the machine, not to the set-up: the root gets the same, as a fresh
# Debian on this network would. ca-certificates (installed by 00-base.sh) adds them to the
# root's bundle.
mkdir -p "$FR_ROOT/usr/local/share/ca-certificates"
awk -v d="$FR_ROOT/usr/local/share/ca-certificates" '
    /-----BEGIN CERTIFICATE-----/ { n++; f = sprintf("%s/host-%03d.crt", d, n); on = 1 }
    on { print > f }
    /-----END CERTIFICATE-----/ { on = 0; close(f) }' /etc/ssl/certs/ca-certificates.crt
if [ -f /etc/pip.conf ]; then cp /etc/pip.conf "$FR_ROOT/etc/pip.conf"; fi
# Likewise apt's network settings (Acquire::*: proxies, and here a mirror whose newer suites' Release
# files are past their Valid-Until, accepted machine-wide).
for f in /etc/apt/apt.conf.d/*; do
    if grep -q '^[[:space:]]*Acquire::' "$f" 2>/dev/null; then cp "$f" "$FR_ROOT/etc/apt/apt.conf.d/"; fi
done
# The repository as a clone would have it: tracked files (plus new, not ignored ones, so a
# developer's uncommitted set-up is what gets proven), with their working-tree content.
mkdir -p "$FR_ROOT$FR_SRC"
(cd "$BES2600_ROOT" && git ls-files -z --cached --others --exclude-standard \
    | tar --null --ignore-failed-read -T - -cf - 2>/dev/null) | tar -C "$FR_ROOT$FR_SRC" -xf -

mount -t proc proc "$FR_ROOT/proc"
mount --bind /sys "$FR_ROOT/sys"
mount --bind /dev "$FR_ROOT/dev"
mount --bind /dev/pts "$FR_ROOT/dev/pts"
mount -t tmpfs -o size=1g tmpfs "$FR_ROOT/dev/shm" # not the host's /dev/shm
echo "fresh-root: fresh root ready in $((SECONDS - t0)) s"

# --- inside: set-up, then the workspace with the toolchain it installed -----------------------

# A clean environment, as a new login would have: no rustup, no venv, no host variables but the
# machine's network settings (proxies, CA bundle paths) and TERM, which CI's environment carries too.
net_env=()
for v in http_proxy https_proxy no_proxy HTTP_PROXY HTTPS_PROXY NO_PROXY SSL_CERT_FILE \
    SSL_CERT_DIR CURL_CA_BUNDLE REQUESTS_CA_BUNDLE PIP_CERT GIT_SSL_CAINFO CARGO_HTTP_CAINFO \
    PIP_INDEX_URL PIP_EXTRA_INDEX_URL PIP_DEFAULT_TIMEOUT; do
    if [ -n "${!v:-}" ]; then net_env+=("$v=${!v}"); fi
done
inside() {
    chroot "$FR_ROOT" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM="${TERM:-dumb}" CARGO_TERM_COLOR=never \
        PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "${net_env[@]}" \
        bash -c "cd $FR_SRC && $1"
}
# The full output goes to the log; the set-up's progress lines (`==>`) are shown as they come.
phase() {
    local name="$1" cmd="$2" t0=$SECONDS rc
    log "fresh-root: $name"
    echo "### $name: $cmd" >>"$FR_LOG"
    inside "$cmd" 2>&1 | tee -a "$FR_LOG" | { grep --line-buffered '==>' || true; }
    rc="${PIPESTATUS[0]}"
    if [ "$rc" -ne 0 ]; then
        echo "--- last lines of $FR_LOG:" >&2
        grep -v '^ *\(Compiling\|Checking\|Downloaded\|Fresh\)' "$FR_LOG" | tail -n 40 >&2
        echo "fresh-root: $name FAILED (exit $rc) after $((SECONDS - t0)) s; full log: $FR_LOG"
        exit 1
    fi
    echo "fresh-root: $name: $((SECONDS - t0)) s"
    times+=("$name: $((SECONDS - t0)) s;")
}
: >"$FR_LOG"
times=()
phase "no Rust before set-up" '! command -v cargo && ! command -v rustc && ! command -v python3'
phase "./ci/setup.sh (empty cache)" 'nice -n 10 ./ci/setup.sh'
phase "toolchain is Debian's" 'command -v rustup && exit 1; rustc -V; cargo -V; cargo clippy -V; cargo fmt --version'
phase "cargo fmt --check" 'cargo fmt --all -- --check'
phase "clippy's incompatible_msrv fires" 'bash ci/tests.d/06-msrv.sh'
phase "cargo clippy -D warnings" 'nice -n 10 cargo clippy --workspace --all-targets --locked -- -D warnings'
# clippy has type-checked every target; one crate's tests add codegen, linking and running a
# test harness with Debian's toolchain. The whole workspace's tests run on the host right after
# (./ci/test.sh), so repeating them here would only spend the cold CI budget (about 5 min).
phase "cargo test (bes2600-wire)" 'nice -n 10 cargo test -p bes2600-wire --locked'

# Passed only once the root is gone without a trace (nothing left mounted).
if [ "${BES2600_FRESH_ROOT_KEEP:-0}" != 1 ]; then remove_root; else unmount_all; fi
echo "$key" >"$FR_DIR/passed"
echo "fresh-root: passed in $((SECONDS - t_start)) s (${times[*]}); key $key recorded"
echo "fresh-root: so that a cold machine need not redo it, commit:" \
    "echo '$key $(date -u +%FT%TZ) $((SECONDS - t_start)) $(git -C "$BES2600_ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)' >> ci/fresh-root.proven"
exit
}
