SUMMARY = "PineTab2 image with the Rust BES2600 Wi-Fi driver and its boot-time smoke test"
DESCRIPTION = "A console image for the PineTab2: bes2600.ko (autoloaded), the firmware, the \
               device-tree overlay, Wi-Fi userspace (wpa_supplicant, iw, regulatory database), \
               bes2600-fw with its watch service and the bes2600-smoke boot check. With \
               BES2600_RAUC = 1 and meta-rauc it is also the slot image of the RAUC bundle."
HOMEPAGE = "https://example.invalid/bes2600-rs"
SECTION = "images"
LICENSE = "MIT"

inherit core-image features_check bes2600_wifi

# The smoke test gates boot-complete.target, which is a systemd concept.
REQUIRED_DISTRO_FEATURES = "systemd"

IMAGE_FEATURES += "ssh-server-dropbear"

# wpa_supplicant manages Wi-Fi; bes2600-wifi-provision gives it a network from the bootcfg
# partition or from BES2600_WIFI_* (classes-recipe/bes2600_wifi.bbclass, README "Wi-Fi").
BES2600_IMAGE_WIFI ?= "iw util-linux-rfkill wireless-regdb-static wpa-supplicant bes2600-wifi-provision"
# Whether boot-complete.target (and RAUC's mark-good) requires the smoke test: product
# policy, so off unless asked for, except in the A/B image where mark-good depends on it
# (conf/machine/include/bes2600.inc sets the default).
BES2600_SMOKE_GATE ?= "0"
BES2600_IMAGE_TOOLS ?= "bes2600-fw bes2600-smoke kernel-module-bes2600 \
                        ${@'bes2600-smoke-gate' if bb.utils.to_boolean(d.getVar('BES2600_SMOKE_GATE'), False) else ''}"
# Peer-side tools for a throughput test against this tablet, e.g. "iperf3" (meta-oe's
# openembedded-layer; kas/peer-test.yml adds the layer and sets this).
BES2600_IMAGE_PEER ?= ""
# The firmware is only built once its licence flag is accepted (README.md, "Firmware");
# without it the image still builds, but Wi-Fi cannot come up.
BES2600_IMAGE_FIRMWARE ?= "${@bb.utils.contains('LICENSE_FLAGS_ACCEPTED', 'bestechnic-firmware', 'bes2600-firmware', '', d)}"

IMAGE_INSTALL += "packagegroup-core-boot \
                  ${BES2600_IMAGE_WIFI} \
                  ${BES2600_IMAGE_TOOLS} \
                  ${BES2600_IMAGE_FIRMWARE} \
                  ${BES2600_IMAGE_PEER} \
                  ${CORE_IMAGE_EXTRA_INSTALL}"

# RAUC (dynamic-layers/rauc): the update client and the service that marks the booted slot
# good once boot-complete.target is reached, i.e. once bes2600-smoke.service succeeded.
IMAGE_INSTALL:append:bes2600-rauc = " rauc rauc-mark-good bes2600-rauc-data"

# The A/B bundle carries the root filesystem as ext4.
IMAGE_FSTYPES:append:bes2600-rauc = " ext4"

# Signed package feed (kas/pinetab2-feed.yml, README "Package feed"): oe-core writes
# "deb [trusted=yes] URI" for deb feeds, which turns apt's signature check off. With a signed
# feed, apt gets the feed key (signing-keys-packagefeed) as the only key for our feed. It runs
# in do_image because oe-core writes sources.list after ROOTFS_POSTPROCESS_COMMAND.
bes2600_feed_apt_trust() {
    list=${IMAGE_ROOTFS}${sysconfdir}/apt/sources.list
    key=${IMAGE_ROOTFS}${sysconfdir}/pki/packagefeed-gpg/PACKAGEFEED-GPG-KEY-${DISTRO}-${DISTRO_CODENAME}
    [ -f "$list" ] || return 0
    [ -f "$key" ] || bbfatal "PACKAGE_FEED_SIGN = 1 but $key is missing (signing-keys-packagefeed)"
    install -d ${IMAGE_ROOTFS}${sysconfdir}/apt/keyrings
    install -m 0644 "$key" ${IMAGE_ROOTFS}${sysconfdir}/apt/keyrings/bes2600-feed.asc
    sed -i -e 's|^deb \[trusted=yes\] |deb [signed-by=${sysconfdir}/apt/keyrings/bes2600-feed.asc] |' "$list"
}
bes2600_feed_apt_trust[doc] = "Makes apt verify the signed feed with its key instead of trusting it"
IMAGE_PREPROCESS_COMMAND += "${@'bes2600_feed_apt_trust' if d.getVar('PACKAGE_FEED_SIGN') == '1' and 'package_deb' in (d.getVar('PACKAGE_CLASSES') or '').split()[:1] else ''}"
