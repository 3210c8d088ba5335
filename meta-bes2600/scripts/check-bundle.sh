#!/bin/sh
# Builds and signs a RAUC bundle the way pinetab2-bundle does, with Debian's rauc host tool,
# and checks it with "rauc info", offline:
#   * keys from scripts/rauc-dev-keys.sh (the layer ships none);
#   * the manifest from the recipe's own values (compatible = MACHINE, format, slot class,
#     image type), so a change to the recipe changes what is checked;
#   * the slot image is a small ext4 file system, as IMAGE_FSTYPES ext4 gives;
#   * "rauc info --keyring ca.cert.pem" must verify the signature and show the compatible,
#     the verity format and the rootfs image; the same bundle checked against another CA
#     must be refused;
#   * the system.conf the layer installs, filled in as rauc-conf.bbappend does, must name the
#     slot class of the bundle and the bootloader backend the boot script serves.
# Use: check-bundle.sh LAYER_DIR. Exits non-zero on the first failure.
set -eu
layer="${1:?usage: check-bundle.sh LAYER_DIR}"
recipe="$layer/dynamic-layers/rauc/recipes-core/bundles/pinetab2-bundle_1.0.bb"
sysconf="$layer/dynamic-layers/rauc/recipes-core/rauc/files/system.conf"
tmp="$(mktemp -d)"
trap '[ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT
fail() { echo "FAIL  $*"; exit 1; }

# The recipe's values (plain assignments; ${MACHINE} is the machine the bundle is for).
val() { sed -n "s/^$1 = \"\(.*\)\"$/\1/p" "$recipe" | sed 's/\${MACHINE}/pinetab2/g'; }
compatible="$(val RAUC_BUNDLE_COMPATIBLE)"
format="$(val RAUC_BUNDLE_FORMAT)"
slots="$(val RAUC_BUNDLE_SLOTS)"
fstype="$(sed -n 's/^RAUC_SLOT_rootfs\[fstype\] = "\(.*\)"$/\1/p' "$recipe")"
[ -n "$compatible" ] && [ -n "$format" ] && [ "$slots" = rootfs ] && [ -n "$fstype" ] \
    || fail "pinetab2-bundle: cannot read RAUC_BUNDLE_COMPATIBLE/FORMAT/SLOTS/fstype"

sh "$layer/scripts/rauc-dev-keys.sh" "$tmp/keys" >/dev/null 2>&1 || fail "rauc-dev-keys.sh"
sh "$layer/scripts/rauc-dev-keys.sh" "$tmp/other" >/dev/null 2>&1 || fail "rauc-dev-keys.sh (second CA)"
[ "$(stat -c %a "$tmp/keys/signing.key.pem")" = 600 ] || fail "signing key is not 0600"

mkdir -p "$tmp/rootfs/etc" "$tmp/content"
echo "pinetab2-image test root" >"$tmp/rootfs/etc/issue"
# Incompressible content: a verity bundle needs a squashfs larger than one 4 KiB block.
head -c 65536 /dev/urandom >"$tmp/rootfs/etc/filler"
mkfs.ext4 -q -F -L rootfs -d "$tmp/rootfs" "$tmp/content/pinetab2-image-pinetab2.rootfs.$fstype" 8M >/dev/null 2>&1
cat >"$tmp/content/manifest.raucm" <<EOF
[update]
compatible=$compatible
version=1.0

[bundle]
format=$format

[image.$slots]
filename=pinetab2-image-pinetab2.rootfs.$fstype
EOF
rauc bundle --cert="$tmp/keys/signing.cert.pem" --key="$tmp/keys/signing.key.pem" \
    "$tmp/content" "$tmp/pinetab2-bundle-pinetab2.raucb" >"$tmp/bundle.log" 2>&1 \
    || { cat "$tmp/bundle.log"; fail "rauc bundle"; }

rauc info --keyring="$tmp/keys/ca.cert.pem" "$tmp/pinetab2-bundle-pinetab2.raucb" >"$tmp/info" 2>&1 \
    || { cat "$tmp/info"; fail "rauc info with the development CA"; }
grep -q "Compatible:.*'$compatible'" "$tmp/info" || fail "rauc info: compatible is not '$compatible'"
grep -q "Bundle Format:.*$format" "$tmp/info" || fail "rauc info: format is not $format"
grep -q "\[$slots\]" "$tmp/info" && grep -q "pinetab2-image-pinetab2.rootfs.$fstype" "$tmp/info" \
    || fail "rauc info: no $slots image"
grep -q "Verified inline signature by .*development signing" "$tmp/info" \
    || fail "rauc info: signature not reported verified"
echo "ok    bundle signed and verified: $(grep -c . "$tmp/info") lines of rauc info, compatible $compatible, format $format"

if rauc info --keyring="$tmp/other/ca.cert.pem" "$tmp/pinetab2-bundle-pinetab2.raucb" >"$tmp/info2" 2>&1; then
    fail "rauc info accepted the bundle with another CA's keyring"
fi
echo "ok    bundle refused with another CA: $(grep -i -m1 'error\|fail' "$tmp/info2" | cut -c1-100)"

# system.conf as rauc-conf.bbappend fills it in: compatible matches, U-Boot backend, slot class.
sed -e "s!@MACHINE@!pinetab2!g" -e "s!@KEYRING@!$tmp/keys/ca.cert.pem!g" -e "s!@BOOT_TRIES@!3!g" \
    "$sysconf" >"$tmp/system.conf"
grep -qx "compatible=$compatible" "$tmp/system.conf" || fail "system.conf compatible differs from the bundle's"
grep -qx "bootloader=uboot" "$tmp/system.conf" || fail "system.conf: bootloader is not uboot"
grep -q "^\[slot\.$slots\.0\]" "$tmp/system.conf" && grep -q "^\[slot\.$slots\.1\]" "$tmp/system.conf" \
    || fail "system.conf: no $slots.0/$slots.1 slots"
# rauc reads the system.conf (and the bundle against it) without touching a device.
rauc info --conf="$tmp/system.conf" "$tmp/pinetab2-bundle-pinetab2.raucb" >"$tmp/info3" 2>&1 \
    || { cat "$tmp/info3"; fail "rauc info --conf system.conf"; }
echo "ok    system.conf loads in rauc and verifies the bundle with its keyring"
