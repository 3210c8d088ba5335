# shellcheck shell=bash
# The second QEMU test kernel, built the way Yocto wrynose builds the PineTab2 kernel: the C
# compiled by GCC (oe-core kernel-arch.bbclass), CONFIG_RUST=y, a kernel at least as new as
# wrynose's linux-yocto 6.18, bindgen-cli 0.72 (wrynose's version). Debian 12 has no such
# kernel source, so the linux-source .deb comes from a newer Debian suite through a *private*
# apt configuration in the cache (the machine's own apt sources stay untouched) and is only
# unpacked, never installed. Needs 10-kernel.sh (rustc-web, cross gcc, libclang).
#
# What differs from wrynose and why (the kmod README has the full table): rustc is Debian's
# 1.96 for both kernels (no 1.94.1 in any registry here; MSRV 1.94 is enforced by clippy),
# GCC is bookworm's 12.2 cross compiler, the kernel is Debian's newest released source.

# Package name and suites searched, newest released version wins (release candidates from
# experimental are not searched). The cache key includes the version actually fetched.
BES2600_YK_PKG="linux-source-7.2"
BES2600_YK_SUITES="forky sid"
BES2600_YK_BINDGEN_VER="0.72.1"
BES2600_YK_APT="$BES2600_CACHE/apt-yocto-kernel"
BES2600_YK_TOOLS="$BES2600_CACHE/tools-yocto"
export BES2600_YK_TOOLS

apt_install gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu

# apt_private ARGS...: apt-get with a configuration that lives only in $BES2600_YK_APT.
# Check-Valid-Until=false: mirrors that serve a snapshot of testing/unstable (as here) carry
# Release files past their Valid-Until; the signatures are still checked, and we only unpack
# a source tarball from it.
apt_private() {
    apt-get -o Dir::Etc::sourcelist="$BES2600_YK_APT/sources.list" -o Dir::Etc::sourceparts=- \
        -o Dir::State::lists="$BES2600_YK_APT/lists" -o Dir::Cache="$BES2600_YK_APT/cache" \
        -o Dir::State::status=/dev/null -o APT::Architecture=amd64 -o APT::Architectures=amd64 \
        -o Debug::NoLocking=1 -o Acquire::Check-Valid-Until=false "$@"
}

yk_have="$(cat "$BES2600_YK_APT/fetched" 2>/dev/null || true)"
# Resolved once per cache: a newer Debian upload is picked up when the cache is emptied, not
# in the middle of a CI week.
if [ -z "$yk_have" ] || [ ! -f "$BES2600_YK_APT/src/$yk_have/usr/src/$BES2600_YK_PKG.tar.xz" ]; then
    mkdir -p "$BES2600_YK_APT"/{lists/partial,cache/archives/partial,src}
    : >"$BES2600_YK_APT/sources.list"
    for s in $BES2600_YK_SUITES; do
        echo "deb [arch=amd64] http://deb.debian.org/debian $s main" >>"$BES2600_YK_APT/sources.list"
    done
    log "apt-get update (private config for $BES2600_YK_PKG: $BES2600_YK_SUITES)"
    run_quiet "private apt-get update for $BES2600_YK_PKG" apt_private -q update
    yk_ver="$(apt_private -q -s install "$BES2600_YK_PKG" 2>/dev/null \
        | sed -n "s/^Inst $BES2600_YK_PKG (\([^ ]*\) .*/\1/p" | head -1)"
    [ -n "$yk_ver" ] || die "no $BES2600_YK_PKG in Debian $BES2600_YK_SUITES (Debian moved on?); set BES2600_YK_PKG in ci/setup.d/11-kernel-yocto.sh to a package 'apt-cache search linux-source-' lists there"
    if [ "$yk_ver" != "$yk_have" ] || [ ! -f "$BES2600_YK_APT/src/$yk_ver/usr/src/$BES2600_YK_PKG.tar.xz" ]; then
        log "downloading $BES2600_YK_PKG $yk_ver (~160 MB) into $BES2600_YK_APT"
        (cd "$BES2600_YK_APT/cache" && run_quiet "download of $BES2600_YK_PKG=$yk_ver" \
            apt_private -q download "$BES2600_YK_PKG=$yk_ver")
        # Unpack beside, then rename: an interrupted unpack never looks complete.
        rm -rf "$BES2600_YK_APT/src/$yk_ver.tmp"
        dpkg-deb -x "$BES2600_YK_APT"/cache/"${BES2600_YK_PKG}"_*.deb "$BES2600_YK_APT/src/$yk_ver.tmp" \
            || die "cannot unpack the $BES2600_YK_PKG .deb"
        rm -f "$BES2600_YK_APT"/cache/"${BES2600_YK_PKG}"_*.deb
        rm -rf "$BES2600_YK_APT/src/$yk_ver"
        mv "$BES2600_YK_APT/src/$yk_ver.tmp" "$BES2600_YK_APT/src/$yk_ver"
        # Keep only the version in use: each unpacked source is ~160 MB.
        find "$BES2600_YK_APT/src" -mindepth 1 -maxdepth 1 ! -name "$yk_ver" -exec rm -rf {} +
    fi
    echo "$yk_ver" >"$BES2600_YK_APT/fetched"
fi

# bindgen-cli at wrynose's version, beside (not replacing) the 6.12 kernel's 0.70.1.
if ! "$BES2600_YK_TOOLS/bin/bindgen" --version 2>/dev/null | grep -q "$BES2600_YK_BINDGEN_VER"; then
    log "cargo install bindgen-cli@$BES2600_YK_BINDGEN_VER into $BES2600_YK_TOOLS"
    run_quiet "cargo install bindgen-cli@$BES2600_YK_BINDGEN_VER" \
        cargo install --locked bindgen-cli --version "$BES2600_YK_BINDGEN_VER" --root "$BES2600_YK_TOOLS"
fi
