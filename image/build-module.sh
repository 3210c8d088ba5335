#!/usr/bin/env bash
# Builds bes2600.ko and the test-only virtual SDIO card bes2600_vsdio.ko (driver/vsdio)
# against the cached QEMU test kernel (image/build-kernel.sh). The module sources and the
# crates they compile in are staged under $BES2600_OUT so the clone stays clean. Prints the
# path of bes2600.ko as the last line.
set -euo pipefail
. "$(dirname "$0")/../ci/lib.sh"
. "$BES2600_ROOT/image/kernel-env.sh"
OUT="${BES2600_OUT:-$BES2600_CACHE/qemu}"

"$BES2600_ROOT/image/build-kernel.sh" >/dev/null
[ -e "$BES2600_KBASE/.done" ] || die "kernel build missing"

t0=$SECONDS
S="$OUT/src"
mkdir -p "$S/driver" "$S/firmware-loader"
for d in driver/kmod driver/vsdio driver/wire driver/engine driver/sim firmware-loader; do
    mkdir -p "$S/$d"
    # --checksum --no-times: a file whose content changed gets a fresh mtime, so make rebuilds
    # it even when the objects in $OUT came from another checkout with newer files.
    rsync -a --checksum --no-times --delete --exclude target --exclude fuzz --exclude '*.o' --exclude '*.ko' \
        --exclude '*.rmeta' --exclude '.*.cmd' --exclude '*.mod*' --exclude 'Module.symvers' \
        --exclude 'modules.order' \
        "$BES2600_ROOT/$d/" "$S/$d/"
done
# make compares mtimes only: objects staged from another checkout (CI's clean clone shares
# this cache) can look newer than changed sources. Key the objects by the sources' content.
src_hash="$(cd "$S" && find . -type f \( -name '*.rs' -o -name '*.c' -o -name '*.h' -o -name 'Kbuild' \
    -o -name 'Makefile' -o -name 'Cargo.toml' \) ! -name '*.check.rs' -print0 \
    | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)"
if [ "$(cat "$OUT/.module-src-hash" 2>/dev/null)" != "$src_hash" ]; then
    find "$S" -type f \( -name '*.rs' -o -name '*.c' -o -name '*.h' \) -exec touch {} +
fi
"${BES2600_KMAKE[@]}" M="$S/driver/kmod" -j"$(nproc)" modules >"$OUT/module-build.log" 2>&1 \
    || { tail -60 "$OUT/module-build.log" >&2; die "module build failed (log: $OUT/module-build.log)"; }
"${BES2600_KMAKE[@]}" M="$S/driver/vsdio" -j"$(nproc)" modules >>"$OUT/module-build.log" 2>&1 \
    || { tail -60 "$OUT/module-build.log" >&2; die "bes2600_vsdio build failed (log: $OUT/module-build.log)"; }
grep -E "^warning|^error" -A4 "$OUT/module-build.log" >&2 || true
echo "$src_hash" >"$OUT/.module-src-hash"
log "bes2600.ko and bes2600_vsdio.ko built in $((SECONDS - t0)) s"
echo "$S/driver/kmod/bes2600.ko"
