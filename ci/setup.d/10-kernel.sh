# shellcheck shell=bash
# Kernel toolchain for bes2600.ko, the local Rust-enabled arm64 kernel and the QEMU e2e test.
# Versions are the ones measured in shared/research/kernel-toolchain.md. rustc and rust-src must
# match the kernel build exactly (Rust symbols carry a crate hash), so they are pinned and held.
# Heavy downloads (bindgen, arm64 userspace .debs) go to $BES2600_CACHE, never into the clone.

# BES2600_RUST_DEB_VER and apt_install_pinned come from ci/lib.sh (00-base.sh installs the same
# Rust when there is no rustup).
BES2600_LINUX_DEB_VER="6.12.117-1~deb12u1"
BES2600_LLVM_DEB_VER="1:19.1.7-3~deb12u1"
BES2600_BINDGEN_VER="0.70.1"
BES2600_TOOLS="$BES2600_CACHE/tools"
BES2600_ARM64_ROOT="$BES2600_CACHE/arm64-root"
export BES2600_TOOLS BES2600_ARM64_ROOT

if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    log "dpkg --add-architecture arm64"
    dpkg --add-architecture arm64
    rm -f "$BES2600_CACHE/.apt-updated"
fi

apt_install_pinned \
    "rustc-web=$BES2600_RUST_DEB_VER" "rust-web-src=$BES2600_RUST_DEB_VER" \
    "libstd-rust-web-dev=$BES2600_RUST_DEB_VER" "cargo-web=$BES2600_RUST_DEB_VER" \
    "libstd-rust-web-dev:arm64=$BES2600_RUST_DEB_VER" \
    "linux-source-6.12=$BES2600_LINUX_DEB_VER" \
    "clang-19=$BES2600_LLVM_DEB_VER" "lld-19=$BES2600_LLVM_DEB_VER" \
    "llvm-19=$BES2600_LLVM_DEB_VER" "libclang-19-dev=$BES2600_LLVM_DEB_VER"
apt-mark hold rustc-web rust-web-src libstd-rust-web-dev libstd-rust-web-dev:arm64 cargo-web \
    >/dev/null 2>&1 || true
apt_install gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-system-arm device-tree-compiler \
    bc bison flex libssl-dev libelf-dev cpio kmod rsync xz-utils make python3 gzip

# bindgen-cli: Debian's 0.60 is too old for 6.12 (needs >= 0.65.1). It loads libclang at run time.
export LIBCLANG_PATH=/usr/lib/llvm-19/lib
if ! "$BES2600_TOOLS/bin/bindgen" --version 2>/dev/null | grep -q "$BES2600_BINDGEN_VER"; then
    log "cargo install bindgen-cli@$BES2600_BINDGEN_VER into $BES2600_TOOLS"
    cargo install -q --locked bindgen-cli --version "$BES2600_BINDGEN_VER" --root "$BES2600_TOOLS" \
        || die "cargo install bindgen-cli failed"
fi

# arm64 userspace for the initramfs: downloaded and unpacked (not installed) into the cache.
# iw needs libnl-3/libnl-genl-3 and libc6; the cross-built smoke test needs libgcc_s. hostapd and
# wpa_supplicant serve and join the real-AP phase (issue 16); the rest is their shared-library
# closure from `apt-cache depends` (libdbus-1-3 pulls libsystemd0 and its compression/crypto libs).
bes2600_arm64_debs=(busybox-static:arm64 iw:arm64 libnl-3-200:arm64 libnl-genl-3-200:arm64 libc6:arm64
    libgcc-s1:arm64
    hostapd:arm64 wpasupplicant:arm64 libnl-route-3-200:arm64 libssl3:arm64 libpcsclite1:arm64
    libdbus-1-3:arm64 libreadline8:arm64 libtinfo6:arm64 libsystemd0:arm64 libcap2:arm64
    libgcrypt20:arm64 libgpg-error0:arm64 liblz4-1:arm64 liblzma5:arm64 libzstd1:arm64)
bes2600_arm64_stamp="$BES2600_ARM64_ROOT/.done-$(printf '%s\n' "${bes2600_arm64_debs[@]}" | md5sum | cut -c1-12)"
if [ ! -e "$bes2600_arm64_stamp" ]; then
    apt_update_once
    log "downloading arm64 userspace .debs into $BES2600_CACHE/debs"
    rm -rf "$BES2600_ARM64_ROOT" "$BES2600_CACHE/debs"
    mkdir -p "$BES2600_ARM64_ROOT" "$BES2600_CACHE/debs"
    (cd "$BES2600_CACHE/debs" && apt-get download -q "${bes2600_arm64_debs[@]}" >/dev/null 2>&1) \
        || die "apt-get download of arm64 packages failed"
    for d in "$BES2600_CACHE"/debs/*.deb; do
        dpkg-deb -x "$d" "$BES2600_ARM64_ROOT" || die "cannot unpack $d"
    done
    touch "$bes2600_arm64_stamp"
fi
