#!/bin/sh
# Asserts what the layer should resolve to, inside an initialised bitbake build environment
# with MACHINE = "pinetab2" (e.g. kas shell meta-bes2600/kas/pinetab2-rauc.yml -c
# meta-bes2600/scripts/assert-parse.sh). Needs only a parse, no fetch or build: run after
# "bitbake -p". Set BES2600_EXPECT_RAUC=1 when the configuration has BES2600_RAUC = "1".
# Sources (README.md, "Sources"): BES2600_EXPECT_SOURCES=local (default; the kas builds of this
# repository, kas/local-tree.yml: externalsrc on the checkout) or git (a standalone layer:
# BES2600_GIT_URI at BES2600_SRCREV).
# Prints one line per assertion; exits 1 if any fails.
set -u
fails=0 n=0
val() { bitbake-getvar --quiet --value ${2:+-r "$2"} "$1" 2>/dev/null; }
flag() { bitbake-getvar --quiet --value -r "$3" -f "$2" "$1" 2>/dev/null; } # flag VAR FLAG RECIPE
expect() { # expect DESCRIPTION ACTUAL PATTERN (a grep -E pattern the actual value must match)
    n=$((n + 1))
    if printf '%s\n' "$2" | grep -Eq -- "$3"; then echo "ok    $1"
    else echo "FAIL  $1: got '$2', want /$3/"; fails=$((fails + 1)); fi
}
expect "machine-wide KERNEL_FEATURES has rust" "$(val KERNEL_FEATURES)" '(^| )rust( |$)'
expect "module recipe sees rust (module-rust does not skip it)" "$(val KERNEL_FEATURES bes2600-module)" '(^| )rust( |$)'
expect "virtual/kernel is linux-yocto" "$(val PREFERRED_PROVIDER_virtual/kernel)" '^linux-yocto$'
expect "kernel-yocto-rust adds bindgen to the kernel" "$(val DEPENDS linux-yocto)" 'bindgen-cli-native'
expect "module depends on rust-native, not bindgen (binding checked in)" "$(val DEPENDS bes2600-module | grep -v bindgen)" '(^| )rust-native( |$)'
expect "module builds driver/kmod with Kbuild, in B" "$(val EXTRA_OEMAKE bes2600-module)" "M=$(val B bes2600-module)/driver/kmod( |\$)"
expect "module autoloads" "$(val KERNEL_MODULE_AUTOLOAD bes2600-module)" 'bes2600'
expect "plain Image, no FIT" "$(val KERNEL_IMAGETYPE) $(val RK_KERNEL_FITIMAGE)" '^Image False$'
expect "U-Boot board" "$(val UBOOT_MACHINE)" '^pinetab2-rk3566_defconfig$'
expect "extlinux applies our overlay" "$(val UBOOT_EXTLINUX_FDTOVERLAYS)" '/boot/devicetree/rk3566-pinetab2-v[02]\.[01]-bes2600\.dtbo'
expect "overlay recipe compiles both boards" "$(val DT_FILES bes2600-dt-overlays)" 'v0\.1-bes2600\.dtso.*v2\.0-bes2600\.dtso'
expect "wic + bmap image types" "$(val IMAGE_FSTYPES pinetab2-image)" 'wic\.gz.*wic\.bmap|wic\.bmap.*wic\.gz'
expect "firmware pinned by sha256" "$(val SRC_URI bes2600-firmware)" 'best2002_fw_boot_sdio\.bin;name=boot'
expect "cargo recipes pin crates" "$(val SRC_URI bes2600-fw)" 'crate://crates\.io/'
expect "image provisions Wi-Fi (bootcfg partition, BES2600_WIFI_*)" "$(val IMAGE_INSTALL pinetab2-image) $(val ROOTFS_POSTPROCESS_COMMAND pinetab2-image)" 'bes2600-wifi-provision.*bes2600_wifi_rootfs'
rev="$(val BES2600_SRCREV)"
expect "BES2600_SRCREV pins a full commit" "$rev" '^[0-9a-f]{40}$'
expect "BES2600_GIT_URI is the bes2600-rs repository over https, branch main" "$(val BES2600_GIT_URI)" '^git://[^;]+/bes2600-rs\.git;protocol=https;branch=main$'
if [ "${BES2600_EXPECT_SOURCES:-local}" = local ]; then
    tree="$(val BES2600_LOCAL_TREE)"
    expect "BES2600_LOCAL_TREE is a bes2600-rs checkout" "$tree $(test -f "$tree/Cargo.toml" && echo tree)" '^/.* tree$'
    expect "externalsrc is inherited globally" "$(val INHERIT)" '(^| )externalsrc( |$)'
    for pn in bes2600-module bes2600-fw bes2600-smoke bes2600-dt-overlays; do
        expect "$pn builds the checkout (S = EXTERNALSRC = BES2600_LOCAL_TREE)" "$(val EXTERNALSRC $pn) $(val S $pn)" "^$tree $tree\$"
        expect "$pn builds outside the checkout's sources (B under WORKDIR)" "$(val B $pn)" "^$(val WORKDIR $pn)/"
        expect "$pn fetches nothing of ours by git (externalsrc dropped it)" "$(val SRC_URI $pn | grep -c 'git://')" '^0$'
        sums="$(flag do_compile file-checksums $pn | tr ' ' '\n')"
        expect "$pn hashes its paths in the checkout" "$(printf '%s\n' "$sums" | grep -c "^$tree/")" '^[1-9][0-9]*$'
        expect "$pn hashes nothing of build/ or layers/" "$(printf '%s\n' "$sums" | grep -c -e "^$tree/build/" -e "^$tree/layers/" -e "^$tree/\*")" '^0$'
    done
    expect "kernel takes both config fragments from the checkout" "$(val SRC_URI linux-yocto)" 'file://bes2600-rust\.cfg.*file://pinetab2\.cfg'
else
    for pn in bes2600-module bes2600-fw bes2600-smoke bes2600-dt-overlays; do
        expect "$pn fetches BES2600_GIT_URI" "$(val SRC_URI $pn)" '(^| )git://[^ ]*/bes2600-rs\.git;protocol=https;branch=main;destsuffix=bes2600-rs( |$)'
        expect "$pn is pinned to BES2600_SRCREV" "$(val SRCREV $pn)" "^$rev\$"
        expect "$pn version carries the revision (+git)" "$(val PV $pn)" '^0\.1\.0\+git'
        expect "$pn is not built from an external tree" "$(val EXTERNALSRC $pn)" '^$'
    done
    expect "kernel fetches the fragments as kernel metadata at BES2600_SRCREV" "$(val SRC_URI linux-yocto) $(val SRCREV_bes2600 linux-yocto)" "bes2600-rs\.git;protocol=https;branch=main;name=bes2600;type=kmeta;destsuffix=bes2600-kmeta.* $rev\$"
    expect "kernel features name both fragments" "$(val KERNEL_FEATURES linux-yocto)" 'board/pinetab2/kernel/bes2600-rust\.cfg board/pinetab2/kernel/pinetab2\.cfg'
fi
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
