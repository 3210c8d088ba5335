# shellcheck shell=bash
# cargo-fuzz for the fuzz targets (driver/wire/fuzz, firmware-loader/fuzz). It drives libFuzzer
# on the stable toolchain with RUSTC_BOOTSTRAP=1 (see ci/tests.d/20-fuzz.sh). The checks fuzz with
# `-s none`, which also suits Debian's rustc-web (00-base.sh where no rustup is present): it
# ships no sanitizer runtimes (no librustc-stable_rt.asan.a), so `-s address` cannot link there.
cargo_tool cargo-fuzz cargo-fuzz 0.13.2
