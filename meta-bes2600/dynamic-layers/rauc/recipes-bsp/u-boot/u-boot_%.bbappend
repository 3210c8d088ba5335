# RAUC A/B boot for the PineTab2: a boot-counting boot.scr (instead of extlinux) and the
# U-Boot options it needs. Only with BES2600_RAUC = "1" on a bes2600 machine.

FILESEXTRAPATHS:prepend:bes2600-rauc := "${THISDIR}/files:"

DEPENDS:append:bes2600-rauc = " u-boot-mkimage-native"
SRC_URI:append:bes2600-rauc = " \
    file://bes2600-rauc.cfg \
    file://bes2600-boot.cmd.in \
"

do_compile:append:bes2600-rauc() {
    sed -e 's|@@BOOT_TRIES@@|${BES2600_BOOT_TRIES}|g' \
        -e 's|@@KERNEL_IMAGE@@|${UBOOT_EXTLINUX_KERNEL_IMAGE}|g' \
        -e 's|@@FDT@@|${UBOOT_EXTLINUX_FDT}|g' \
        -e 's|@@FDTOVERLAYS@@|${UBOOT_EXTLINUX_FDTOVERLAYS}|g' \
        -e 's|@@KERNEL_ARGS@@|${UBOOT_EXTLINUX_KERNEL_ARGS} ${UBOOT_EXTLINUX_CONSOLE}|g' \
        ${UNPACKDIR}/bes2600-boot.cmd.in > ${B}/bes2600-boot.cmd
    mkimage -A ${UBOOT_ARCH} -T script -C none -n "bes2600 RAUC A/B" \
        -d ${B}/bes2600-boot.cmd ${B}/boot.scr
}

do_install:append:bes2600-rauc() {
    install -d ${D}/boot
    install -m 0644 ${B}/boot.scr ${D}/boot/boot.scr
}

FILES:${PN}-extlinux:append:bes2600-rauc = " /boot/boot.scr"
