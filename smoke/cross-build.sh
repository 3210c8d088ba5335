#!/usr/bin/env bash
# Cross-builds a static, stripped bes2600-smoke for arm64 (the QEMU guest, a PineTab2 without
# Yocto) with the toolchain of ci/setup.d/10-kernel.sh: Debian's rustc with the arm64 std and
# gcc-aarch64-linux-gnu (static glibc from libc6-dev-arm64-cross). Prints the binary's path.
# Usage: smoke/cross-build.sh [TARGET_DIR]   (default: $CARGO_TARGET_DIR or target/)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
target_dir="${1:-${CARGO_TARGET_DIR:-$root/target}}"
triple=aarch64-unknown-linux-gnu
command -v aarch64-linux-gnu-gcc >/dev/null || { echo "aarch64-linux-gnu-gcc not found" >&2; exit 2; }
[ -x /usr/bin/rustc ] && [ -x /usr/bin/cargo ] || { echo "Debian rustc/cargo not found" >&2; exit 2; }
cd "$root"
RUSTC=/usr/bin/rustc \
CARGO_TARGET_DIR="$target_dir" \
CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=aarch64-linux-gnu-gcc \
CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_RUSTFLAGS="-C target-feature=+crt-static" \
CARGO_PROFILE_RELEASE_DEBUG=0 \
CARGO_PROFILE_RELEASE_STRIP=symbols \
    /usr/bin/cargo build -q --locked -p bes2600-smoke --release --target "$triple" >&2
echo "$target_dir/$triple/release/bes2600-smoke"
