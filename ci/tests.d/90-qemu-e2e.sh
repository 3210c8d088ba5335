#!/usr/bin/env bash
# bes2600.ko checks outside the cargo workspace: rustfmt of the modules' Rust sources (bes2600.ko
# and the test-only virtual SDIO card), then
# the QEMU arm64 end-to-end test (kernel build cached in $BES2600_CACHE; a cold kernel build
# costs 6-15 min of 2 cores, a cached run about 2-4 min).
set -uo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
rustfmt --check --edition 2021 --config-path "$root/rustfmt.toml" \
    "$root/driver/kmod/src/bes2600_main.rs" "$root/driver/vsdio/src/bes2600_vsdio.rs" \
    "$root/image/rx-probe/rx-probe.rs" \
    || { echo "kmod: rustfmt differences"; exit 1; }
exec "$root/ci/qemu-e2e"
