SUMMARY = "Boot-time Wi-Fi throughput smoke test for the BES2600 driver"
DESCRIPTION = "bes2600-smoke checks module, firmware, interface, scan and association and, \
               when a peer is configured, sustained throughput, and exits non-zero on failure. The \
               bes2600-smoke-gate package makes boot-complete.target (and so RAUC's mark-good) require it."
HOMEPAGE = "https://example.invalid/bes2600-rs"
SECTION = "net"
# LICENSE and LIC_FILES_CHKSUM: our GPL-2.0-only crates and every crates.io crate linked into
# the binary, generated from Cargo.lock by meta-bes2600/scripts/gen-licenses-inc.py.
require ${BPN}-licenses.inc

PV = "0.1.0+git"

SRC_URI = "${BES2600_SRC_URI}"
# Crates pinned from the workspace Cargo.lock by meta-bes2600/scripts/gen-crates-inc.py
# (same output as "bitbake -c update_crates bes2600-smoke").
require ${BPN}-crates.inc

S = "${UNPACKDIR}/bes2600-rs"

inherit bes2600_src cargo cargo-update-recipe-crates

CARGO_SRC_DIR = "smoke"
CARGO_LOCK_PATH = "${S}/Cargo.lock"

# The configuration shipped by smoke/ (checks, optional peer, thresholds; keys in
# smoke/README.md); installed as /etc/bes2600/smoke.toml.
BES2600_SMOKE_CONFIG ?= "smoke/smoke.toml"

do_install:append() {
    install -d ${D}${systemd_system_unitdir}
    install -m 0644 ${S}/smoke/systemd/bes2600-smoke.service ${D}${systemd_system_unitdir}/
    install -d ${D}${sysconfdir}/bes2600
    install -m 0644 ${S}/${BES2600_SMOKE_CONFIG} ${D}${sysconfdir}/bes2600/smoke.toml
    # ${PN}-gate: the link "systemctl add-requires boot-complete.target bes2600-smoke.service"
    # makes (the unit's own [Install] is only WantedBy=multi-user.target, so gating is this
    # opt-in), plus boot-complete.target wanted by multi-user.target,
    # which systemd otherwise pulls in only for units that need it (rauc-mark-good).
    install -d ${D}${systemd_system_unitdir}/boot-complete.target.requires \
        ${D}${systemd_system_unitdir}/multi-user.target.wants
    ln -sf ../bes2600-smoke.service ${D}${systemd_system_unitdir}/boot-complete.target.requires/bes2600-smoke.service
    ln -sf ../boot-complete.target ${D}${systemd_system_unitdir}/multi-user.target.wants/boot-complete.target
}

# The test itself is generic; whether it gates the boot is image policy (BES2600_SMOKE_GATE in
# pinetab2-image). Without ${PN}-gate the unit is installed but not enabled: run it with
# "systemctl start bes2600-smoke" or "bes2600-smoke run".
PACKAGES =+ "${PN}-gate"

FILES:${PN} += "${systemd_system_unitdir}/bes2600-smoke.service"
FILES:${PN}-gate += "${systemd_system_unitdir}/boot-complete.target.requires \
                     ${systemd_system_unitdir}/multi-user.target.wants"
CONFFILES:${PN} = "${sysconfdir}/bes2600/smoke.toml"
RDEPENDS:${PN}-gate += "${PN}"
# The module package is machine-specific; a generic package only recommends it.
RRECOMMENDS:${PN} += "iw wpa-supplicant kernel-module-bes2600"
