# shellcheck shell=bash
# Source after ci/lib.sh (and ci/setup.d/10-kernel.sh's packages): computes where the QEMU
# test kernel for the current inputs lives and how to call kbuild. Builds nothing.
#   BES2600_KDIR    the kernel build tree (in-tree build) for this input key
#   BES2600_KMAKE   array: make -C $BES2600_KDIR with the toolchain arguments
BES2600_TOOLS="${BES2600_TOOLS:-$BES2600_CACHE/tools}"
export LIBCLANG_PATH=/usr/lib/llvm-19/lib
# Debian's rustc (matching rust-src) must win over rustup's; bindgen comes from the cache.
export PATH="$BES2600_TOOLS/bin:/usr/bin:$PATH"

bes2600_kernel_key() {
    {
        echo "recipe 1"   # bump when build-kernel.sh changes what it produces
        dpkg-query -W -f='${Version}\n' linux-source-6.12 rustc-web rust-web-src clang-19 lld-19
        "$BES2600_TOOLS/bin/bindgen" --version
        cat "$BES2600_ROOT/board/pinetab2/kernel/bes2600-rust.cfg" "$BES2600_ROOT/image/qemu.cfg"
    } 2>&1 | sha256sum | cut -c1-16
}

BES2600_KKEY="$(bes2600_kernel_key)"
BES2600_KBASE="$BES2600_CACHE/kernel/$BES2600_KKEY"
BES2600_KDIR="$BES2600_KBASE/linux-source-6.12"
BES2600_KMAKE=(make -C "$BES2600_KDIR" ARCH=arm64 LLVM=-19 RUSTC=/usr/bin/rustc
    RUSTDOC=/usr/bin/rustdoc "BINDGEN=$BES2600_TOOLS/bin/bindgen")
export BES2600_KKEY BES2600_KBASE BES2600_KDIR
