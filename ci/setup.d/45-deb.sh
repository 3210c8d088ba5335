# shellcheck shell=bash
# cargo-deb builds the bes2600-fw .deb (ci/tests.d/40-fw-loader.sh); dpkg-deb inspects it.
apt_install dpkg-dev util-linux
cargo_tool cargo-deb cargo-deb 3.8.0
