SUMMARY = "Boot-time Wi-Fi throughput smoke test for the BES2600 driver"
DESCRIPTION = "bes2600-smoke checks module, firmware, interface and association, measures \
               sustained throughput against a peer and link survival, and exits non-zero on failure. Its \
               oneshot unit is RequiredBy=boot-complete.target, so an A/B slot is only marked good (RAUC) \
               when Wi-Fi works."
HOMEPAGE = "https://example.invalid/bes2600-rs"
SECTION = "net"
LICENSE = "GPL-2.0-only"
# nooelint: oelint.var.licenseremotefile - the tree has no licence file yet; GPL-2.0-only is declared in its Cargo.toml
LIC_FILES_CHKSUM = "file://${COMMON_LICENSE_DIR}/GPL-2.0-only;md5=801f80980d171dd6425610833a22dbe6"

PV = "0.1.0+git"

SRC_URI = "${BES2600_SRC_URI}"
# Crates pinned from the workspace Cargo.lock by meta-bes2600/scripts/gen-crates-inc.py
# (same output as "bitbake -c update_crates bes2600-smoke").
require ${BPN}-crates.inc

S = "${UNPACKDIR}/bes2600-rs"

inherit bes2600_src cargo cargo-update-recipe-crates systemd

CARGO_SRC_DIR = "smoke"
CARGO_LOCK_PATH = "${S}/Cargo.lock"

# Default thresholds and peer; installed as /etc/bes2600/smoke.toml.
BES2600_SMOKE_CONFIG ?= "smoke/smoke.toml"

do_install:append() {
    install -d ${D}${systemd_system_unitdir}
    install -m 0644 ${S}/smoke/systemd/bes2600-smoke.service ${D}${systemd_system_unitdir}/
    install -d ${D}${sysconfdir}/bes2600
    install -m 0644 ${S}/${BES2600_SMOKE_CONFIG} ${D}${sysconfdir}/bes2600/smoke.toml
    # systemd pulls boot-complete.target in only for units that need it (rauc-mark-good);
    # wanting it from multi-user.target makes the smoke test run on every boot.
    install -d ${D}${systemd_system_unitdir}/multi-user.target.wants
    ln -sf ../boot-complete.target ${D}${systemd_system_unitdir}/multi-user.target.wants/boot-complete.target
}

# Enabling the unit links it into boot-complete.target.requires/ (its [Install] section).
SYSTEMD_SERVICE:${PN} = "bes2600-smoke.service"

FILES:${PN} += "${systemd_system_unitdir}/multi-user.target.wants/boot-complete.target"
CONFFILES:${PN} = "${sysconfdir}/bes2600/smoke.toml"
RDEPENDS:${PN} += "kernel-module-bes2600"
RRECOMMENDS:${PN} += "iw wpa-supplicant"
