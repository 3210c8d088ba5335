SUMMARY = "Firmware for the Bestechnic BES2600 (BEST2002) SDIO Wi-Fi chip"
DESCRIPTION = "Vendor firmware images loaded by bes2600.ko and bes2600-fw: boot (DPD \
               calibration) stage, signal, nosignal (RF test) and BT-RF firmware, plus the factory \
               calibration text. Fetched from a pinned commit and verified by sha256; not redistributable \
               without the vendor's permission, so it is gated behind a license flag."
HOMEPAGE = "https://github.com/sailfish-on-dontbeevil/firmware-pine64-pinetab2"
SECTION = "kernel"
# No licence text ships with the blobs (the RPM spec says "Redistributable", Buildroot's
# package says non-redistributable), so treat them as proprietary and make users opt in.
LICENSE = "Proprietary"
LICENSE:${PN} = "Proprietary"
LICENSE:${PN}-signal = "Proprietary"
LICENSE:${PN}-nosignal = "Proprietary"
LICENSE:${PN}-btrf = "Proprietary"
LICENSE:${PN}-factory = "Proprietary"
LICENSE_FLAGS = "bestechnic-firmware"
# nooelint: oelint.var.licenseremotefile - upstream ships no licence file, so the common text is the reference
LIC_FILES_CHKSUM = "file://${COMMON_LICENSE_DIR}/Proprietary;md5=0557f9d92cf58f2ccdd50f62f8ac0b28"

# Commit 9622a2d "Update to latest wlan fw" (2024-01-05); the file sizes and build stamps
# match spec §2.1 of bes2600-rs. Users can point at another copy with the three variables.
BES2600_FW_COMMIT ?= "9622a2d2575f5ed88a9c4169dbc29d4500a1c5e9"
BES2600_FW_BASE_URI ?= "https://raw.githubusercontent.com/sailfish-on-dontbeevil/firmware-pine64-pinetab2/${BES2600_FW_COMMIT}/rpm"
BES2600_FW_DL_PREFIX ?= "${BPN}-${PV}-${BES2600_FW_COMMIT}"

SRC_URI = "${BES2600_FW_BASE_URI}/best2002_fw_boot_sdio.bin;name=boot;downloadfilename=${BES2600_FW_DL_PREFIX}-best2002_fw_boot_sdio.bin \
           ${BES2600_FW_BASE_URI}/best2002_fw_sdio.bin;name=signal;downloadfilename=${BES2600_FW_DL_PREFIX}-best2002_fw_sdio.bin \
           ${BES2600_FW_BASE_URI}/best2002_fw_sdio_nosignal.bin;name=nosignal;downloadfilename=${BES2600_FW_DL_PREFIX}-best2002_fw_sdio_nosignal.bin \
           ${BES2600_FW_BASE_URI}/best2002_fw_sdio_btrf.bin;name=btrf;downloadfilename=${BES2600_FW_DL_PREFIX}-best2002_fw_sdio_btrf.bin \
           ${BES2600_FW_BASE_URI}/bes2600_factory.txt;name=factory;downloadfilename=${BES2600_FW_DL_PREFIX}-bes2600_factory.txt"
SRC_URI[boot.sha256sum] = "9edccb0e14ed97f611e10ab7982e6f4804a258e016a48d2f200dce56d2411da2"
SRC_URI[signal.sha256sum] = "b04c8d70d4428c04bf2ae91883c408762169e6b595a7ecb0ce9b0f376268d4af"
SRC_URI[nosignal.sha256sum] = "22925eb53ae169effb7527da412abd8690c0d73fbf806448344e48eca4eb22c8"
SRC_URI[btrf.sha256sum] = "2020b418bb5f8bcce866f444b52cb8c4c3b50a61f94afdde20d3a8cf7a8c2331"
SRC_URI[factory.sha256sum] = "3102b1a270c9a34a4304ce336501c81811c2f100efbc8787fb26e70777f0f27e"

S = "${UNPACKDIR}"

inherit allarch

do_configure[noexec] = "1"
do_compile[noexec] = "1"

BES2600_FW_FILES = "best2002_fw_boot_sdio.bin best2002_fw_sdio.bin best2002_fw_sdio_nosignal.bin best2002_fw_sdio_btrf.bin"

do_install() {
    install -d ${D}${nonarch_base_libdir}/firmware/bes2600
    for f in ${BES2600_FW_FILES}; do
        install -m 0644 ${S}/${BES2600_FW_DL_PREFIX}-$f ${D}${nonarch_base_libdir}/firmware/bes2600/$f
    done
    # Factory calibration: the distro path holds the file, the vendor driver's path
    # (/lib/firmware/bes2600_factory.txt) is a link to it; the driver looks in both.
    install -m 0644 ${S}/${BES2600_FW_DL_PREFIX}-bes2600_factory.txt \
        ${D}${nonarch_base_libdir}/firmware/bes2600/bes2600_factory.txt
    ln -s bes2600/bes2600_factory.txt ${D}${nonarch_base_libdir}/firmware/bes2600_factory.txt
}

# One package per image so an image can leave out the RF-test and BT-RF firmware. The main
# package keeps what the split packages do not take: the boot stage, which is always needed.
PACKAGES =+ "${PN}-signal ${PN}-nosignal ${PN}-btrf ${PN}-factory"

FILES:${PN}-signal += "${nonarch_base_libdir}/firmware/bes2600/best2002_fw_sdio.bin"
FILES:${PN}-nosignal += "${nonarch_base_libdir}/firmware/bes2600/best2002_fw_sdio_nosignal.bin"
FILES:${PN}-btrf += "${nonarch_base_libdir}/firmware/bes2600/best2002_fw_sdio_btrf.bin"
FILES:${PN}-factory += "${nonarch_base_libdir}/firmware/bes2600/bes2600_factory.txt \
                        ${nonarch_base_libdir}/firmware/bes2600_factory.txt"

RDEPENDS:${PN} += "${PN}-factory ${PN}-signal"
RRECOMMENDS:${PN} += "${PN}-nosignal ${PN}-btrf"
