# PineTab2 slot configuration and keyring; only with BES2600_RAUC = "1" on a bes2600 machine.

PACKAGE_ARCH:bes2600-rauc = "${MACHINE_ARCH}"

# BES2600_RAUC_KEYDIR holds ca.cert.pem (the keyring that verifies bundles); it is searched
# before this layer's files so a user's keyring replaces meta-rauc's example.
FILESEXTRAPATHS:prepend:bes2600-rauc := "${BES2600_RAUC_KEYDIR}:${THISDIR}/files:"

do_install:prepend:bes2600-rauc() {
    sed -i -e 's!@MACHINE@!${MACHINE}!g' \
        -e 's!@KEYRING@!${nonarch_libdir}/rauc/${RAUC_KEYRING_FILE}!g' \
        -e 's!@BOOT_TRIES@!${BES2600_BOOT_TRIES}!g' \
        ${UNPACKDIR}/system.conf
}
