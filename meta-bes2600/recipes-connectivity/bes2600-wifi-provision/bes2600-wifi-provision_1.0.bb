SUMMARY = "Wi-Fi network for the BES2600 interface from the boot partition"
DESCRIPTION = "bes2600-wifi-provision moves wpa_supplicant.conf from the bootcfg FAT partition \
               into /etc/wpa_supplicant/wpa_supplicant-<if>.conf (mode 0600) at boot, removes it \
               from the partition and enables wpa_supplicant@<if>; systemd-networkd then takes an \
               address by DHCP. The image build uses the same script for BES2600_WIFI_*."
HOMEPAGE = "https://example.invalid/bes2600-rs"
SECTION = "net"
LICENSE = "MIT"
# nooelint: oelint.var.licenseremotefile - the files are the layer's own, under its COPYING.MIT
LIC_FILES_CHKSUM = "file://${COMMON_LICENSE_DIR}/MIT;md5=0835ade698e0bcf8506ecda2f7b4f302"

SRC_URI = "file://bes2600-wifi-provision \
           file://bes2600-wifi-provision.service \
           file://80-bes2600-wlan.network"

S = "${UNPACKDIR}"

inherit allarch systemd

# The interface the BES2600 driver creates.
BES2600_WIFI_IFACE ?= "wlan0"

do_install() {
    install -d ${D}${sbindir} ${D}${systemd_system_unitdir} ${D}${systemd_unitdir}/network
    sed -e 's|@IFACE@|${BES2600_WIFI_IFACE}|g' -e 's|@UNITDIR@|${systemd_system_unitdir}|g' \
        ${S}/bes2600-wifi-provision >${D}${sbindir}/bes2600-wifi-provision
    chmod 0755 ${D}${sbindir}/bes2600-wifi-provision
    sed -e 's|@IFACE@|${BES2600_WIFI_IFACE}|g' -e 's|@SBINDIR@|${sbindir}|g' \
        ${S}/bes2600-wifi-provision.service >${D}${systemd_system_unitdir}/bes2600-wifi-provision.service
    chmod 0644 ${D}${systemd_system_unitdir}/bes2600-wifi-provision.service
    sed -e 's|@IFACE@|${BES2600_WIFI_IFACE}|g' ${S}/80-bes2600-wlan.network \
        >${D}${systemd_unitdir}/network/80-bes2600-wlan.network
    chmod 0644 ${D}${systemd_unitdir}/network/80-bes2600-wlan.network
}

SYSTEMD_SERVICE:${PN} = "bes2600-wifi-provision.service"

FILES:${PN} += "${systemd_unitdir}/network/80-bes2600-wlan.network"
# wpa_supplicant@.service runs the network; networkd (a systemd PACKAGECONFIG) gives the address.
RDEPENDS:${PN} += "wpa-supplicant"
RRECOMMENDS:${PN} += "systemd-networkd"
