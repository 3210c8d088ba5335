# shellcheck shell=bash
# Source after ci/lib.sh (and the packages of ci/setup.d/10-kernel.sh, 11-kernel-yocto.sh):
# computes where the QEMU test kernel for the current inputs lives and how to call kbuild.
# Builds nothing. Two kernels, chosen by BES2600_KERNEL:
#   debian (default)  Debian 12's linux-source-6.12, C and Rust through LLVM/clang 19
#   yocto             Debian's newest released linux-source (>= 6.18, wrynose's linux-yocto),
#                     C through GCC (aarch64-linux-gnu-gcc) as oe-core's kernel-arch.bbclass
#                     does, bindgen-cli 0.72 as in wrynose
# Exports:
#   BES2600_KDIR    the kernel build tree (in-tree build) for this input key
#   BES2600_KMAKE   array: make -C $BES2600_KDIR with the toolchain arguments
#   BES2600_KCC     "clang" or "gcc": the kernel's C compiler, for reports
#   BES2600_OUT     module/initramfs/log directory of this kernel (unless already set)
BES2600_KERNEL="${BES2600_KERNEL:-debian}"
BES2600_TOOLS="${BES2600_TOOLS:-$BES2600_CACHE/tools}"
BES2600_YK_TOOLS="${BES2600_YK_TOOLS:-$BES2600_CACHE/tools-yocto}"
export LIBCLANG_PATH=/usr/lib/llvm-19/lib
# Debian's rustc (matching rust-src) must win over rustup's; bindgen comes from the cache.
export PATH="$BES2600_TOOLS/bin:/usr/bin:$PATH"

case "$BES2600_KERNEL" in
debian)
    BES2600_KSRC_TAR=/usr/src/linux-source-6.12.tar.xz
    BES2600_KTOP=linux-source-6.12
    BES2600_KCC=clang
    bes2600_kernel_toolchain() {
        echo "recipe 1"   # bump when build-kernel.sh changes what it produces
        dpkg-query -W -f='${Version}\n' linux-source-6.12 rustc-web rust-web-src clang-19 lld-19
        "$BES2600_TOOLS/bin/bindgen" --version
    }
    BES2600_KMAKE_ARGS=(ARCH=arm64 LLVM=-19 RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc
        "BINDGEN=$BES2600_TOOLS/bin/bindgen")
    ;;
yocto)
    bes2600_yk_ver="$(cat "$BES2600_CACHE/apt-yocto-kernel/fetched" 2>/dev/null || true)"
    BES2600_KSRC_TAR="$(ls "$BES2600_CACHE/apt-yocto-kernel/src/$bes2600_yk_ver"/usr/src/linux-source-*.tar.xz 2>/dev/null | head -1)"
    BES2600_KTOP="$(basename "${BES2600_KSRC_TAR:-linux-source-none}" .tar.xz)"
    BES2600_KCC=gcc
    bes2600_kernel_toolchain() {
        echo "recipe yocto 1"   # bump when build-kernel.sh changes what it produces
        echo "$BES2600_KTOP $bes2600_yk_ver"
        dpkg-query -W -f='${Version}\n' gcc-aarch64-linux-gnu rustc-web rust-web-src libclang-19-dev
        "$BES2600_YK_TOOLS/bin/bindgen" --version
    }
    # No LLVM=: CC/LD/AR are the GNU cross tools; Rust still goes through rustc/LLVM, and
    # bindgen reads the GCC flags through the kernel's own filter (rust/Makefile).
    BES2600_KMAKE_ARGS=(ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- RUSTC=/usr/bin/rustc
        RUSTDOC=/usr/bin/rustdoc "BINDGEN=$BES2600_YK_TOOLS/bin/bindgen")
    ;;
*)
    echo "error: BES2600_KERNEL must be debian or yocto, not '$BES2600_KERNEL'" >&2
    return 1 2>/dev/null || exit 1
    ;;
esac

# The cache key: this kernel's source and toolchain (above), then the config fragments both
# kernels share.
BES2600_KKEY="$({
    bes2600_kernel_toolchain
    cat "$BES2600_ROOT/board/pinetab2/kernel/bes2600-rust.cfg" "$BES2600_ROOT/image/qemu.cfg"
} 2>&1 | sha256sum | cut -c1-16)"
BES2600_KBASE="$BES2600_CACHE/kernel/$BES2600_KKEY"
BES2600_KDIR="$BES2600_KBASE/$BES2600_KTOP"
BES2600_KMAKE=(make -C "$BES2600_KDIR" "${BES2600_KMAKE_ARGS[@]}")
# Module objects, initramfs and logs of one kernel must not meet the other's: one output
# directory per kernel (the default kernel keeps the historical path).
if [ -z "${BES2600_OUT:-}" ]; then
    BES2600_OUT="$BES2600_CACHE/qemu"
    [ "$BES2600_KERNEL" = debian ] || BES2600_OUT="$BES2600_CACHE/qemu-$BES2600_KERNEL"
fi
export BES2600_KERNEL BES2600_OUT BES2600_KKEY BES2600_KBASE BES2600_KDIR BES2600_KSRC_TAR BES2600_KCC
