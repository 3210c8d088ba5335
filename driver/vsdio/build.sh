#!/usr/bin/env bash
# Builds bes2600_vsdio.ko (test only) against the cached QEMU test kernel, staged under
# $BES2600_OUT/src like bes2600.ko (image/build-module.sh). Prints the .ko path last.
set -euo pipefail
. "$(dirname "$0")/../../ci/lib.sh"
. "$BES2600_ROOT/image/kernel-env.sh"
OUT="${BES2600_OUT:-$BES2600_CACHE/qemu}"
[ -e "$BES2600_KBASE/.done" ] || die "kernel build missing (image/build-kernel.sh)"

S="$OUT/src"
for d in driver/vsdio driver/kmod driver/wire driver/engine driver/sim; do
    mkdir -p "$S/$d"
    rsync -a --checksum --no-times --delete --exclude target --exclude fuzz --exclude '*.o' \
        --exclude '*.ko' --exclude '*.rmeta' --exclude '.*.cmd' --exclude '*.mod*' \
        --exclude 'Module.symvers' --exclude 'modules.order' \
        "$BES2600_ROOT/$d/" "$S/$d/"
done
"${BES2600_KMAKE[@]}" M="$S/driver/vsdio" -j"$(nproc)" modules >"$OUT/vsdio-build.log" 2>&1 \
    || { tail -60 "$OUT/vsdio-build.log" >&2; die "vsdio build failed (log: $OUT/vsdio-build.log)"; }
grep -E "^warning|^error" -A4 "$OUT/vsdio-build.log" >&2 || true
echo "$S/driver/vsdio/bes2600_vsdio.ko"
