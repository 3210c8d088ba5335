SUMMARY = "Rust driver for the Bestechnic BES2600 SDIO Wi-Fi chip"
DESCRIPTION = "bes2600.ko: the Rust-for-Linux rewrite of the BES2600 (BEST2002) SDIO Wi-Fi \
               driver used in the Pine64 PineTab2, with its thin C shim. Needs a CONFIG_RUST kernel."
HOMEPAGE = "https://example.invalid/bes2600-rs"
SECTION = "kernel/modules"
LICENSE = "GPL-2.0-only"
# nooelint: oelint.var.licenseremotefile - the tree has no licence file yet; GPL-2.0-only is declared in its Cargo.toml
LIC_FILES_CHKSUM = "file://${COMMON_LICENSE_DIR}/GPL-2.0-only;md5=801f80980d171dd6425610833a22dbe6"

PV = "0.1.0+git"

# The protocol, engine, simulator and firmware-loader cores are compiled into the module.
BES2600_SRC_PATHS = "driver/kmod driver/wire driver/engine driver/sim firmware-loader"
SRC_URI = "${BES2600_SRC_URI}"

S = "${UNPACKDIR}/bes2600-rs"

inherit bes2600_src module-rust

# Build through the module's Kbuild directly against the staged kernel, in B. Fetched from
# git, B is S. Under externalsrc (kas/local-tree.yml) S is the developer's checkout and B a
# directory outside it: Kbuild writes its objects next to the sources, so do_configure copies
# the paths the module needs into B first and the checkout is never written.
EXTRA_OEMAKE += "-C ${STAGING_KERNEL_DIR} M=${B}/driver/kmod"
MODULES_MODULE_SYMVERS_LOCATION = "driver/kmod"

# A developer's tree may hold objects from a host or QEMU build; build from sources only.
# The shim binding is checked in (driver/kmod/src/ffi/shim_bindings.rs, see driver/kmod/README.md
# "Bindings"), so the build runs no bindgen; only generated '*_generated.rs' files are removed
# here (in B, never in an external tree), never a checked-in source.
do_configure:prepend() {
    if [ "$(realpath ${S})" != "$(realpath ${B})" ]; then
        # The files git sees (as bes2600_srctree_hash_files hashes them): no ignored objects
        # or fuzz targets. A tree that is not a git checkout is copied whole.
        for p in ${BES2600_SRC_PATHS}; do
            rm -rf ${B}/$p
        done
        if git -C ${S} rev-parse --git-dir >/dev/null 2>&1; then
            git -C ${S} ls-files -z --cached --others --exclude-standard -- ${BES2600_SRC_PATHS} \
                | tar -C ${S} --null --ignore-failed-read -T - -cf - | tar -C ${B} -xf -
        else
            tar -C ${S} -cf - ${BES2600_SRC_PATHS} | tar -C ${B} -xf -
        fi
    fi
    find ${B}/driver/kmod \( -name '*.o' -o -name '*.ko' -o -name '*.rmeta' -o -name '*.mod' \
        -o -name '*.mod.c' -o -name '.*.cmd' -o -name '*_generated.rs' -o -name '*.d' \
        -o -name Module.symvers -o -name modules.order \) -delete
}

# Load at boot (modules-load.d); default bus is sdio (module parameter "bus").
KERNEL_MODULE_AUTOLOAD += "bes2600"

RRECOMMENDS:${PN} += "bes2600-firmware"
RPROVIDES:${PN} += "kernel-module-bes2600"
