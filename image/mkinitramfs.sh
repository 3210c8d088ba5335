#!/usr/bin/env bash
# Assembles the QEMU initramfs: busybox-static and iw (+ its libraries) from the arm64 .debs
# unpacked by ci/setup.d/10-kernel.sh, the kernel's modules, bes2600.ko and the virtual SDIO
# card bes2600_vsdio.ko, the synthetic firmware set (bes2600-fw synth), the rx-probe
# receiver, the smoke test, the recovery helper (bes2600-fw watch), image/init with its
# phases (image/e2e/), and what the fragments image/initramfs.d/NN-*.sh add (sourced in
# order with $R = the root being assembled, $A = the unpacked arm64 .debs, and
# install_elf below).
# Usage: mkinitramfs.sh OUT.cpio.gz   (after build-module.sh)
set -euo pipefail
. "$(dirname "$0")/../ci/lib.sh"
. "$BES2600_ROOT/image/kernel-env.sh"
OUT="${BES2600_OUT:-$BES2600_CACHE/qemu}"
A="${BES2600_ARM64_ROOT:-$BES2600_CACHE/arm64-root}"
dst="${1:?usage: mkinitramfs.sh OUT.cpio.gz}"

R="$OUT/root"
rm -rf "$R"
mkdir -p "$R"/{bin,sbin,proc,sys,dev,tmp,etc,run,lib/firmware/bes2600,lib/aarch64-linux-gnu}
# install_elf SRC DEST: an arm64 binary from $A and, transitively, every shared library its
# ELF NEEDED entries name (looked up in $A's multiarch directories), so no fragment keeps a
# hand-written library list.
install_elf() {
    install -D -m 0755 "$1" "$R/$2"
    install_elf_libs "$1"
}
# Every library ELF file $1 needs, transitively, into $R/lib/aarch64-linux-gnu.
install_elf_libs() {
    local lib f
    for lib in $(aarch64-linux-gnu-readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
        [ -e "$R/lib/aarch64-linux-gnu/$lib" ] && continue
        f=""
        for d in lib/aarch64-linux-gnu usr/lib/aarch64-linux-gnu; do
            [ -e "$A/$d/$lib" ] && { f="$A/$d/$lib"; break; }
        done
        [ -n "$f" ] || die "$1 needs $lib, which no unpacked arm64 .deb in $A provides"
        cp -L "$f" "$R/lib/aarch64-linux-gnu/$lib"
        install_elf_libs "$f"
    done
}
cp "$A/bin/busybox" "$R/bin/busybox"
cp -L "$A/lib/aarch64-linux-gnu/ld-linux-aarch64.so.1" "$R/lib/aarch64-linux-gnu/"
ln -sf aarch64-linux-gnu/ld-linux-aarch64.so.1 "$R/lib/ld-linux-aarch64.so.1"
install_elf "$A/sbin/iw" sbin/iw
# The e2e sequence: /init runs /e2e/lib.sh and the phases /e2e/NN-*.sh; the real-AP phases
# (70-74) source /e2e/realap-lib.sh themselves.
install -m 0755 "$BES2600_ROOT/image/init" "$R/init"
mkdir -p "$R/e2e"
cp "$BES2600_ROOT"/image/e2e/lib.sh "$BES2600_ROOT"/image/e2e/realap-lib.sh \
    "$BES2600_ROOT"/image/e2e/[0-9][0-9]-*.sh "$R/e2e/"

# The receiver: plain std Rust, static, built with Debian's rustc for aarch64.
/usr/bin/rustc -O -C strip=symbols --target aarch64-unknown-linux-gnu \
    -C linker=aarch64-linux-gnu-gcc -C target-feature=+crt-static \
    "$BES2600_ROOT/image/rx-probe/rx-probe.rs" -o "$R/bin/rx-probe"

# The smoke test (smoke/), cross-built for aarch64 with Debian's rustc-web and
# libstd-rust-web-dev:arm64 (cached in $BES2600_CACHE/target-aarch64). BES2600_E2E_SMOKE=0 skips.
if [ "${BES2600_E2E_SMOKE:-1}" = 1 ]; then
    if (cd "$BES2600_ROOT" && env RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc \
        CARGO_TARGET_DIR="$BES2600_CACHE/target-aarch64" \
        CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=aarch64-linux-gnu-gcc \
        /usr/bin/cargo build -q --release --locked --target aarch64-unknown-linux-gnu \
        -p bes2600-smoke); then
        cp "$BES2600_CACHE/target-aarch64/aarch64-unknown-linux-gnu/release/bes2600-smoke" "$R/bin/"
        install_elf_libs "$R/bin/bes2600-smoke"
        mkdir -p "$R/etc/bes2600"
        cp "$BES2600_ROOT/image/smoke-qemu.toml" "$R/etc/bes2600/smoke.toml"
    else
        log "bes2600-smoke did not cross-build; the image has rx-probe only"
    fi
fi

# The recovery helper (firmware-loader/): bes2600-fw cross-built the same way, installed
# where its systemd unit runs it (/usr/bin/bes2600-fw watch, bes2600-fw-watch.service) with
# the configuration the package installs (/etc/bes2600/fw.toml). The guest's busybox
# modprobe stands in at the configured /sbin/modprobe.
(cd "$BES2600_ROOT" && env RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc \
    CARGO_TARGET_DIR="$BES2600_CACHE/target-aarch64" \
    CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=aarch64-linux-gnu-gcc \
    /usr/bin/cargo build -q --release --locked --target aarch64-unknown-linux-gnu \
    -p bes2600-fw --bin bes2600-fw) || die "bes2600-fw did not cross-build for aarch64"
mkdir -p "$R/usr/bin" "$R/etc/bes2600"
aarch64-linux-gnu-strip -o "$R/usr/bin/bes2600-fw" \
    "$BES2600_CACHE/target-aarch64/aarch64-unknown-linux-gnu/release/bes2600-fw"
install_elf_libs "$R/usr/bin/bes2600-fw"
exec_start=$(sed -n 's/^ExecStart=//p' "$BES2600_ROOT/firmware-loader/systemd/bes2600-fw-watch.service")
[ "$exec_start" = "/usr/bin/bes2600-fw watch" ] ||
    die "bes2600-fw-watch.service runs '$exec_start'; image/init starts '/usr/bin/bes2600-fw watch'"
cp "$BES2600_ROOT/firmware-loader/config/fw.toml" "$R/etc/bes2600/fw.toml"
ln -sf ../bin/busybox "$R/sbin/modprobe"

# Synthetic firmware set (never vendor blobs). The dev profile shares its build with the
# workspace tests; BES2600_FW_BIN may point at an already built bes2600-fw.
if [ -n "${BES2600_FW_BIN:-}" ]; then
    "$BES2600_FW_BIN" synth --out "$R/lib/firmware/bes2600" >/dev/null
else
    ( cd "$BES2600_ROOT" && cargo run -q -p bes2600-fw -- synth --out "$R/lib/firmware/bes2600" ) >/dev/null
fi || die "bes2600-fw synth failed"
ls "$R/lib/firmware/bes2600" | sed 's/^/firmware: /' >&2

# What the fragments add (hostapd, the hwsim medium, ...), each in its own file.
for frag in "$BES2600_ROOT"/image/initramfs.d/[0-9][0-9]-*.sh; do
    [ -e "$frag" ] || continue
    . "$frag" || die "initramfs fragment $frag failed"
done

"${BES2600_KMAKE[@]}" INSTALL_MOD_PATH="$R" INSTALL_MOD_STRIP=1 modules_install >/dev/null
"${BES2600_KMAKE[@]}" M="$OUT/src/driver/kmod" INSTALL_MOD_PATH="$R" INSTALL_MOD_STRIP=1 \
    modules_install >/dev/null
"${BES2600_KMAKE[@]}" M="$OUT/src/driver/vsdio" INSTALL_MOD_PATH="$R" INSTALL_MOD_STRIP=1 \
    modules_install >/dev/null
(cd "$R" && find . | cpio -o -H newc --quiet | gzip -1) >"$dst"
log "initramfs $(du -h "$dst" | cut -f1) -> $dst"
