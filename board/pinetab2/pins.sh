# shellcheck shell=bash disable=SC2034
# Pinned inputs of the board build and validation; sourced by ci/setup.d/20-board.sh (which
# installs them) and board/pinetab2/validate.sh (which uses them). Needs $BES2600_CACHE.

# Mainline PineTab2 DTS, dt-bindings headers and binding schemas: the same Debian package and
# version the kernel build uses (shared/research/kernel-toolchain.md).
BOARD_KSRC_PKG=linux-source-6.12
BOARD_KSRC_VER=6.12.117-1~deb12u1
BOARD_KSRC_TAR=/usr/src/linux-source-6.12.tar.xz
BOARD_KSRC_TOP=linux-source-6.12
# dtschema contemporary with Linux 6.12 (Nov 2024): the 6.12 binding files pass its
# meta-schema (2026.x tightens it). Its dependencies are pinned as pip resolved them.
BOARD_DTSCHEMA_VER=2024.11
BOARD_DTSCHEMA_PINS=("dtschema==$BOARD_DTSCHEMA_VER" jsonschema==4.17.3 pyrsistent==0.20.0
    attrs==26.1.0 pylibfdt==1.7.2.post2 ruamel.yaml==0.19.1 rfc3987==1.3.8)
# dtschema pins jsonschema below 4.18, so it gets a venv of its own (other fragments share the
# project venv and may need a newer jsonschema).
BOARD_VENV="$BES2600_CACHE/venv-board"
# The extracted subset (~60 MB of the 1.7 GB tree: Rockchip DTS, dt-bindings headers, binding
# schemas, every Kconfig file, the top Makefile, scripts/ and the arm64 defconfig), keyed by the
# package version; the stamp names what was extracted.
BOARD_DTS_DIR="$BES2600_CACHE/dts-${BOARD_KSRC_VER//[~]/_}"
BOARD_DTS_STAMP="$BOARD_KSRC_PKG $BOARD_KSRC_VER dts+bindings+kconfig+kbuild"
