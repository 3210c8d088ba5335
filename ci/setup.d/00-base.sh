# shellcheck shell=bash
# Base host tools for the Rust workspace.
apt_install build-essential pkg-config git ca-certificates python3 python3-venv
command -v cargo >/dev/null || die "cargo not found: install rustup stable first"
rustup component add rustfmt clippy >/dev/null 2>&1 || true
