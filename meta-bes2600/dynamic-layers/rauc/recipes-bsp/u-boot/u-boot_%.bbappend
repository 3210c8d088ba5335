# RAUC A/B boot for the PineTab2: a boot-counting boot.scr for the "bootab" partition (outside
# both slots), a redundant U-Boot environment and the U-Boot options the script needs. Only with
# BES2600_RAUC = "1" on a bes2600 machine.

FILESEXTRAPATHS:prepend:bes2600-rauc := "${THISDIR}/files:"

DEPENDS:append:bes2600-rauc = " u-boot-mkimage-native"
SRC_URI:append:bes2600-rauc = " \
    file://bes2600-rauc.cfg \
    file://bes2600-boot.cmd.in \
"

# bes2600-rauc.cfg must win over meta-rockchip's rockchip-enable-environment-mmc.cfg (one
# 32 KiB copy); stop here if the merge order ever lets the single copy through, because
# fw_env.config below describes two copies.
do_configure:append:bes2600-rauc() {
    for opt in CONFIG_ENV_REDUNDANT=y CONFIG_ENV_SIZE=0x4000 \
               CONFIG_ENV_OFFSET=0x3f8000 CONFIG_ENV_OFFSET_REDUND=0x3fc000 \
               CONFIG_CMD_SETEXPR=y CONFIG_CMD_PART=y; do
        grep -qx "$opt" ${B}/.config || bbfatal "U-Boot .config lacks $opt (bes2600-rauc.cfg not applied last?)"
    done
}

do_compile:append:bes2600-rauc() {
    sed -e 's|@@BOOT_TRIES@@|${BES2600_BOOT_TRIES}|g' \
        -e 's|@@KERNEL_IMAGE@@|${UBOOT_EXTLINUX_KERNEL_IMAGE}|g' \
        -e 's|@@FDT@@|${UBOOT_EXTLINUX_FDT}|g' \
        -e 's|@@FDTOVERLAYS@@|${UBOOT_EXTLINUX_FDTOVERLAYS}|g' \
        -e 's|@@KERNEL_ARGS@@|${UBOOT_EXTLINUX_KERNEL_ARGS} ${UBOOT_EXTLINUX_CONSOLE}|g' \
        ${UNPACKDIR}/bes2600-boot.cmd.in > ${B}/bes2600-boot.cmd
    mkimage -A ${UBOOT_ARCH} -T script -C none -n "bes2600 RAUC A/B" \
        -d ${B}/bes2600-boot.cmd ${B}/boot.scr
    # fw_setenv/fw_printenv (RAUC's U-Boot backend) must see both copies of the environment.
    printf '%s\n' "/dev/disk/by-partlabel/uboot_env 0x0000 0x4000" \
        "/dev/disk/by-partlabel/uboot_env 0x4000 0x4000" > ${B}/bes2600-fw_env.config
}

do_install:append:bes2600-rauc() {
    install -d ${D}${sysconfdir}
    install -m 0644 ${B}/bes2600-fw_env.config ${D}${sysconfdir}/fw_env.config
}

# boot.scr goes to the deploy directory only: wic's bootimg_partition copies it to bootab
# (IMAGE_BOOT_FILES), so no root filesystem, and therefore no bundle, carries it.
do_deploy:append:bes2600-rauc() {
    install -m 0644 ${B}/boot.scr ${DEPLOYDIR}/boot.scr
    install -m 0644 ${B}/bes2600-fw_env.config ${DEPLOYDIR}/fw_env.config-${MACHINE}-${UBOOT_VERSION}
}
