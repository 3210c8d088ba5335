#!/usr/bin/env bash
# Builds the Rust-enabled arm64 QEMU test kernel selected by BES2600_KERNEL (image/kernel-env.sh) with
# board/pinetab2/kernel/bes2600-rust.cfg + image/qemu.cfg over allnoconfig, in the cache,
# keyed by its inputs. Skips everything when the key's build is complete (.done stamp).
# Prints the build tree path as the last line.
set -euo pipefail
. "$(dirname "$0")/../ci/lib.sh"
. "$BES2600_ROOT/image/kernel-env.sh"

if [ -e "$BES2600_KBASE/.done" ]; then
    log "kernel $BES2600_KKEY: cached"
    echo "$BES2600_KDIR"
    exit 0
fi

t0=$SECONDS
log "kernel $BES2600_KKEY: building in $BES2600_KBASE"
# An interrupted build resumes (make is incremental); only a failed unpack starts over.
if [ ! -e "$BES2600_KBASE/.unpacked" ]; then
    rm -rf "$BES2600_KBASE"
    mkdir -p "$BES2600_KBASE"
    [ -f "$BES2600_KSRC_TAR" ] || die "kernel source $BES2600_KSRC_TAR missing; run ./ci/setup.sh"
    tar -C "$BES2600_KBASE" -xf "$BES2600_KSRC_TAR"
    touch "$BES2600_KBASE/.unpacked"
fi
"${BES2600_KMAKE[@]}" rustavailable >/dev/null || die "Rust toolchain not usable for this kernel"

frag="$BES2600_KBASE/fragment.config"
cat "$BES2600_ROOT/board/pinetab2/kernel/bes2600-rust.cfg" "$BES2600_ROOT/image/qemu.cfg" >"$frag"
if [ ! -e "$BES2600_KBASE/.configured" ]; then
    KCONFIG_ALLCONFIG="$frag" "${BES2600_KMAKE[@]}" allnoconfig >/dev/null
    touch "$BES2600_KBASE/.configured"
fi

# Every fragment line must have landed: a silently dropped option (unmet dependency) is an error.
bad=0
while IFS= read -r line; do
    case "$line" in
    CONFIG_*=*)
        grep -qxF "$line" "$BES2600_KDIR/.config" || { echo "config mismatch: want $line" >&2; bad=1; } ;;
    "# CONFIG_"*" is not set")
        opt="${line#\# }"; opt="${opt%% *}"
        if grep -Eq "^$opt=" "$BES2600_KDIR/.config"; then echo "config mismatch: want $line" >&2; bad=1; fi ;;
    esac
done <"$frag"
[ "$bad" = 0 ] || die "kernel config does not match the fragments"

"${BES2600_KMAKE[@]}" -j"${BES2600_KJOBS:-$(nproc)}" Image modules >"$BES2600_KBASE/build.log" 2>&1 \
    || { tail -40 "$BES2600_KBASE/build.log" >&2; die "kernel build failed (log: $BES2600_KBASE/build.log)"; }
touch "$BES2600_KBASE/.done"
log "kernel $BES2600_KKEY: built in $((SECONDS - t0)) s"
echo "$BES2600_KDIR"
