SUMMARY = "BES2600 firmware loader, calibration and recovery helper"
DESCRIPTION = "bes2600-fw verifies and installs BES2600 firmware images, converts the factory \
               calibration, reads the driver's counters and recovery log (status), resets the SDIO bus and, \
               as the bes2600-fw-watch service, reacts to the driver's recovery uevents."
HOMEPAGE = "https://example.invalid/bes2600-rs"
SECTION = "net"
# LICENSE and LIC_FILES_CHKSUM: our GPL-2.0-only crates and every crates.io crate linked into
# the binary, generated from Cargo.lock by meta-bes2600/scripts/gen-licenses-inc.py.
require ${BPN}-licenses.inc

PV = "0.1.0+git"

SRC_URI = "${BES2600_SRC_URI}"
# Crates pinned from the workspace Cargo.lock by meta-bes2600/scripts/gen-crates-inc.py
# (same output as "bitbake -c update_crates bes2600-fw").
require ${BPN}-crates.inc

S = "${UNPACKDIR}/bes2600-rs"

inherit bes2600_src cargo cargo-update-recipe-crates systemd

# A member of the bes2600-rs workspace: build only this package, with the workspace lock.
CARGO_SRC_DIR = "firmware-loader"
CARGO_LOCK_PATH = "${S}/Cargo.lock"

# Default configuration shipped by the crate; installed as /etc/bes2600/fw.toml.
BES2600_FW_CONFIG ?= "firmware-loader/config/fw.toml"

do_install:append() {
    install -d ${D}${systemd_system_unitdir}
    install -m 0644 ${S}/firmware-loader/systemd/bes2600-fw-watch.service ${D}${systemd_system_unitdir}/
    install -d ${D}${sysconfdir}/bes2600
    install -m 0644 ${S}/${BES2600_FW_CONFIG} ${D}${sysconfdir}/bes2600/fw.toml
}

SYSTEMD_SERVICE:${PN} = "bes2600-fw-watch.service"

CONFFILES:${PN} = "${sysconfdir}/bes2600/fw.toml"
# bus-reset reloads the module as its last resort (modprobe).
RDEPENDS:${PN} += "kmod"
RRECOMMENDS:${PN} += "bes2600-firmware kernel-module-bes2600"
