# shellcheck shell=bash
# Base host tools for the Rust workspace: a C toolchain, git, Python, and a Rust toolchain with
# cargo, rustfmt and clippy.
#
# The Rust toolchain is rustup's where rustup is installed (a developer's choice, kept), else
# Debian's rustc-web/cargo-web from bookworm-security, at the exact version the kernel build pins
# (BES2600_RUST_DEB_VER in ci/lib.sh): a Debian 12 with no Rust at all needs nothing else, and
# host and kernel then share one compiler. The crates' MSRV (1.94) is below it and is enforced by
# clippy's incompatible_msrv lint (see the root Cargo.toml).
apt_install build-essential pkg-config git ca-certificates python3 python3-venv

if command -v rustup >/dev/null 2>&1; then
    # Already installed components need no network; a missing one is fetched or reported.
    if ! cargo fmt --version >/dev/null 2>&1 || ! cargo clippy --version >/dev/null 2>&1; then
        log "rustup component add rustfmt clippy"
        run_quiet "rustup component add rustfmt clippy" rustup component add rustfmt clippy
    fi
else
    apt_install_pinned "rustc-web=$BES2600_RUST_DEB_VER" "cargo-web=$BES2600_RUST_DEB_VER" \
        "rust-web-clippy=$BES2600_RUST_DEB_VER" "rustfmt-web=$BES2600_RUST_DEB_VER" \
        "libstd-rust-web-dev=$BES2600_RUST_DEB_VER"
    # Held like the kernel's rustc (10-kernel.sh): an upgrade must come from a change here.
    run_quiet "apt-mark hold of Debian's Rust toolchain" \
        apt-mark hold rustc-web cargo-web rust-web-clippy rustfmt-web libstd-rust-web-dev
fi
for t in "cargo" "cargo fmt" "cargo clippy"; do
    # shellcheck disable=SC2086 # "cargo fmt" is two words on purpose.
    $t --version >/dev/null 2>&1 || die "'$t --version' does not run after the toolchain install"
done
