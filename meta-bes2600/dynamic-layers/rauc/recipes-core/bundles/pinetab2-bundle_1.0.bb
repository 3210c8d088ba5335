# nooelint: oelint.var.mandatoryvar.SRC_URI - a bundle has no sources; bundle.bbclass packs pinetab2-image from the deploy directory
SUMMARY = "RAUC update bundle with the pinetab2-image root filesystem"
DESCRIPTION = "A verity-format RAUC bundle that installs pinetab2-image into the inactive \
               rootfs slot of the PineTab2 A/B layout (files/wic/pinetab2-ab.wks). Signed with the key \
               and certificate in BES2600_RAUC_KEYDIR."
HOMEPAGE = "https://example.invalid/bes2600-rs"
SECTION = "images"
LICENSE = "MIT"

inherit bundle

COMPATIBLE_MACHINE = "^$"
COMPATIBLE_MACHINE:bes2600-rauc = "${MACHINE}"

RAUC_BUNDLE_COMPATIBLE = "${MACHINE}"
RAUC_BUNDLE_DESCRIPTION = "PineTab2 root filesystem with the Rust BES2600 driver"
RAUC_BUNDLE_FORMAT = "verity"
RAUC_BUNDLE_SLOTS = "rootfs"
RAUC_SLOT_rootfs = "pinetab2-image"
RAUC_SLOT_rootfs[fstype] = "ext4"

# Never a key from the layer: the signing key and its certificate come from the user
# (scripts/rauc-dev-keys.sh makes a throw-away set for development and CI).
RAUC_KEY_FILE = "${BES2600_RAUC_KEYDIR}/signing.key.pem"
RAUC_CERT_FILE = "${BES2600_RAUC_KEYDIR}/signing.cert.pem"
RAUC_KEYRING_FILE = "${BES2600_RAUC_KEYDIR}/ca.cert.pem"

python bes2600_bundle_keys_check() {
    for var in ('RAUC_KEY_FILE', 'RAUC_CERT_FILE', 'RAUC_KEYRING_FILE'):
        path = d.getVar(var)
        if not os.path.isfile(path):
            bb.fatal('%s (%s) does not exist: set BES2600_RAUC_KEYDIR to a directory with '
                     'signing.key.pem, signing.cert.pem and ca.cert.pem' % (var, path))
}
bes2600_bundle_keys_check[doc] = "Stops do_bundle with a clear message when the RAUC keys are missing"
do_bundle[prefuncs] += "bes2600_bundle_keys_check"
