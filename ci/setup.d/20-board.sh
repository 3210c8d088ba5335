# shellcheck shell=bash
# Board (PineTab2 device tree): dtc/fdtoverlay/fdtget, the pinned Linux source subset (mainline
# PineTab2 DTS, dt-bindings headers, binding schemas, Kconfig + kbuild for the config merge) and
# dtschema (dt-validate) in its own venv.
# Versions live in board/pinetab2/pins.sh. Heavy parts go to $BES2600_CACHE; a re-run is ~1 s.
# shellcheck source=board/pinetab2/pins.sh
. "$BES2600_ROOT/board/pinetab2/pins.sh"

# flex/bison/make/gcc build the kernel's kconfig tool for the fragment merge check; the arm64
# cross gcc makes Kconfig's compiler probes answer as they would for the real build.
# python3-dev: pylibfdt (a dtschema pin) has no wheel for Debian's Python and builds from source,
# which needs Python.h (swig comes from PyPI as its build dependency).
apt_install device-tree-compiler cpp xz-utils make gcc flex bison gcc-aarch64-linux-gnu python3-dev
if [ "$(dpkg-query -W -f='${Version}' "$BOARD_KSRC_PKG" 2>/dev/null)" != "$BOARD_KSRC_VER" ]; then
    apt_update_once
    log "apt-get install $BOARD_KSRC_PKG=$BOARD_KSRC_VER"
    apt-get install -y -q --no-install-recommends "$BOARD_KSRC_PKG=$BOARD_KSRC_VER" >/dev/null \
        || die "apt-get install $BOARD_KSRC_PKG=$BOARD_KSRC_VER failed"
fi

# Extract into a temp dir and rename, so an interrupted run never leaves a tree that looks done.
if [ "$(cat "$BOARD_DTS_DIR/.complete" 2>/dev/null)" != "$BOARD_DTS_STAMP" ]; then
    [ -f "$BOARD_KSRC_TAR" ] || die "$BOARD_KSRC_TAR missing"
    log "extracting the DTS subset of $BOARD_KSRC_PKG $BOARD_KSRC_VER into $BOARD_DTS_DIR"
    rm -rf "$BOARD_DTS_DIR.tmp" "$BOARD_DTS_DIR"
    mkdir -p "$BOARD_DTS_DIR.tmp"
    tar -C "$BOARD_DTS_DIR.tmp" --strip-components=1 --wildcards -xJf "$BOARD_KSRC_TAR" \
        "$BOARD_KSRC_TOP/*Kconfig*" \
        "$BOARD_KSRC_TOP/arch/arm64/boot/dts/rockchip" \
        "$BOARD_KSRC_TOP/include/dt-bindings" \
        "$BOARD_KSRC_TOP/include/uapi/linux/input-event-codes.h" \
        "$BOARD_KSRC_TOP/Documentation/devicetree/bindings" \
        "$BOARD_KSRC_TOP/Makefile" "$BOARD_KSRC_TOP/scripts" \
        "$BOARD_KSRC_TOP/arch/arm64/Makefile" "$BOARD_KSRC_TOP/arch/arm64/configs" \
        || die "cannot extract the DTS subset from $BOARD_KSRC_TAR"
    # dt-bindings/input/linux-event-codes.h links into uapi: fail here, not later in cpp.
    # (scripts/dtc/include-prefixes links to other arches' DTS dirs, which we do not need.)
    [ -z "$(find "$BOARD_DTS_DIR.tmp/include" -xtype l)" ] || die "dangling symlinks in include/"
    echo "$BOARD_DTS_STAMP" > "$BOARD_DTS_DIR.tmp/.complete"
    mv "$BOARD_DTS_DIR.tmp" "$BOARD_DTS_DIR"
fi

BES2600_VENV="$BOARD_VENV" pip_install "${BOARD_DTSCHEMA_PINS[@]}"
