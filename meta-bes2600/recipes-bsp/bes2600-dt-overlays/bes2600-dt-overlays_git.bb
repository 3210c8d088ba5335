SUMMARY = "Device-tree overlays that describe the BES2600 Wi-Fi chip on the PineTab2"
DESCRIPTION = "Mainline rk3566-pinetab2-v0.1/v2.0 device trees have no node, power sequence \
               or regulator for the BES2600 on sdmmc1. These overlays (board/pinetab2/dts in bes2600-rs) \
               add them; U-Boot applies the one for the board through extlinux FDTOVERLAYS."
HOMEPAGE = "https://example.invalid/bes2600-rs"
SECTION = "bsp"
LICENSE = "GPL-2.0-only"
# nooelint: oelint.var.licenseremotefile - the tree has no licence file yet; GPL-2.0-only is declared in its Cargo.toml
LIC_FILES_CHKSUM = "file://${COMMON_LICENSE_DIR}/GPL-2.0-only;md5=801f80980d171dd6425610833a22dbe6"

PV = "0.1.0+git"

BES2600_SRC_PATHS = "board/pinetab2/dts"
SRC_URI = "${BES2600_SRC_URI}"

inherit bes2600_src devicetree

# devicetree.bbclass sets S to UNPACKDIR; the tree is one level down (or, under externalsrc,
# the checkout itself, which externalsrc makes S).
S = "${UNPACKDIR}/bes2600-rs"

COMPATIBLE_MACHINE = "^$"
COMPATIBLE_MACHINE:pinetab2 = "pinetab2"

# The .dtso files start with /plugin/; so devicetree.bbclass compiles them as overlays (.dtbo)
# with kernel include paths (dt-bindings headers) and installs them in /boot/devicetree.
DT_FILES_PATH = "${S}/board/pinetab2/dts"
DT_FILES = "rk3566-pinetab2-v0.1-bes2600.dtso rk3566-pinetab2-v2.0-bes2600.dtso"
