# shellcheck shell=bash
# cargo-deb builds the bes2600-fw .deb (ci/tests.d/40-fw-loader.sh); dpkg-deb inspects it;
# systemd-analyze checks the unit; util-linux has unshare/setpriv for the CLI tests.
apt_install dpkg-dev util-linux systemd
cargo_tool cargo-deb cargo-deb 3.8.0
