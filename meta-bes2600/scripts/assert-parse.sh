#!/bin/sh
# Asserts what the layer should resolve to, inside an initialised bitbake build environment
# with MACHINE = "pinetab2" (e.g. kas shell meta-bes2600/kas/pinetab2-rauc.yml -c
# meta-bes2600/scripts/assert-parse.sh). Needs only a parse, no fetch or build: run after
# "bitbake -p". Set BES2600_EXPECT_RAUC=1 when the configuration has BES2600_RAUC = "1".
# Prints one line per assertion; exits 1 if any fails.
set -u
fails=0 n=0
val() { bitbake-getvar --quiet --value ${2:+-r "$2"} "$1" 2>/dev/null; }
expect() { # expect DESCRIPTION ACTUAL PATTERN (a grep -E pattern the actual value must match)
    n=$((n + 1))
    if printf '%s\n' "$2" | grep -Eq -- "$3"; then echo "ok    $1"
    else echo "FAIL  $1: got '$2', want /$3/"; fails=$((fails + 1)); fi
}
expect "machine-wide KERNEL_FEATURES has rust" "$(val KERNEL_FEATURES)" '(^| )rust( |$)'
expect "module recipe sees rust (module-rust does not skip it)" "$(val KERNEL_FEATURES bes2600-module)" '(^| )rust( |$)'
expect "virtual/kernel is linux-yocto" "$(val PREFERRED_PROVIDER_virtual/kernel)" '^linux-yocto$'
expect "kernel takes both config fragments" "$(val SRC_URI linux-yocto)" 'bes2600-rust\.cfg.*pinetab2\.cfg'
expect "kernel-yocto-rust adds bindgen to the kernel" "$(val DEPENDS linux-yocto)" 'bindgen-cli-native'
expect "module depends on rust-native, not bindgen (binding checked in)" "$(val DEPENDS bes2600-module | grep -v bindgen)" '(^| )rust-native( |$)'
expect "module builds driver/kmod with Kbuild" "$(val EXTRA_OEMAKE bes2600-module)" 'M=.*/bes2600-rs/driver/kmod'
expect "module autoloads" "$(val KERNEL_MODULE_AUTOLOAD bes2600-module)" 'bes2600'
expect "plain Image, no FIT" "$(val KERNEL_IMAGETYPE) $(val RK_KERNEL_FITIMAGE)" '^Image False$'
expect "U-Boot board" "$(val UBOOT_MACHINE)" '^pinetab2-rk3566_defconfig$'
expect "extlinux applies our overlay" "$(val UBOOT_EXTLINUX_FDTOVERLAYS)" '/boot/devicetree/rk3566-pinetab2-v[02]\.[01]-bes2600\.dtbo'
expect "overlay recipe compiles both boards" "$(val DT_FILES bes2600-dt-overlays)" 'v0\.1-bes2600\.dtso.*v2\.0-bes2600\.dtso'
expect "wic + bmap image types" "$(val IMAGE_FSTYPES pinetab2-image)" 'wic\.gz.*wic\.bmap|wic\.bmap.*wic\.gz'
expect "firmware pinned by sha256" "$(val SRC_URI bes2600-firmware)" 'best2002_fw_boot_sdio\.bin;name=boot'
expect "cargo recipes pin crates" "$(val SRC_URI bes2600-fw)" 'crate://crates\.io/'
expect "image provisions Wi-Fi (bootcfg partition, BES2600_WIFI_*)" "$(val IMAGE_INSTALL pinetab2-image) $(val ROOTFS_POSTPROCESS_COMMAND pinetab2-image)" 'bes2600-wifi-provision.*bes2600_wifi_rootfs'
if [ "${BES2600_EXPECT_RAUC:-0}" = 1 ]; then
    expect "A/B layout" "$(val WKS_FILE)" '^pinetab2-ab\.wks$'
    expect "bes2600-rauc override active" "$(val MACHINEOVERRIDES)" '(^|:)bes2600-rauc(:|$)'
    expect "U-Boot env feature for the boot counter" "$(val MACHINE_FEATURES)" 'rk-u-boot-env'
    expect "no extlinux.conf in the A/B image (boot.scr counts every boot)" "$(val UBOOT_EXTLINUX u-boot)" '^0$'
    expect "U-Boot gets the RAUC fragment and boot script" "$(val SRC_URI u-boot)" 'bes2600-rauc\.cfg.*bes2600-boot\.cmd\.in'
    expect "image has rauc, mark-good and /data" "$(val IMAGE_INSTALL pinetab2-image)" 'rauc rauc-mark-good bes2600-rauc-data'
    expect "bundle carries pinetab2-image" "$(val RAUC_SLOT_rootfs pinetab2-bundle)" '^pinetab2-image$'
else
    expect "single-root layout" "$(val WKS_FILE)" '^pinetab2\.wks$'
fi
echo "parse assertions: $((n - fails)) passed, $fails failed"
[ "$fails" -eq 0 ]
