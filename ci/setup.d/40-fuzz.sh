# shellcheck shell=bash
# cargo-fuzz for the wire crate's fuzz targets (driver/wire/fuzz). It drives libFuzzer on the
# stable toolchain with RUSTC_BOOTSTRAP=1 (see ci/tests.d/20-fuzz.sh).
cargo_tool cargo-fuzz cargo-fuzz 0.13.2
