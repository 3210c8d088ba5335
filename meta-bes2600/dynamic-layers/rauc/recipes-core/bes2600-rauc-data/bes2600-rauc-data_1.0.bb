SUMMARY = "Mounts the PineTab2 A/B data partition at /data"
DESCRIPTION = "systemd mount unit for the data partition of files/wic/pinetab2-ab.wks. It is \
               part of the root filesystem, not of the wic-written fstab, so an update written \
               into the other slot from the plain ext4 image mounts /data too."
HOMEPAGE = "https://example.invalid/bes2600-rs"
SECTION = "base"
LICENSE = "MIT"
# nooelint: oelint.var.licenseremotefile - the only source is this layer's own unit file, under the layer's MIT licence
LIC_FILES_CHKSUM = "file://${COREBASE}/meta/COPYING.MIT;md5=3da9cfbcb788c80a0384361b4de20420"

SRC_URI = "file://data.mount"

S = "${UNPACKDIR}"

inherit allarch systemd

do_install() {
    install -d ${D}${systemd_system_unitdir} ${D}/data
    install -m 0644 ${S}/data.mount ${D}${systemd_system_unitdir}/data.mount
}

SYSTEMD_SERVICE:${PN} = "data.mount"

FILES:${PN} += "${systemd_system_unitdir}/data.mount /data"
