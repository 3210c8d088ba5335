# shellcheck shell=bash
# bes2600-smoke: ip and tc (iproute2) for the namespace tests, DejaVu for the plot's text,
# iperf3 (Debian's client and a stock `iperf3 -s` peer) for the iperf3 peer tests (issue 17).
# Shaping uses the tbf qdisc; ci/tests.d/70-smoke.sh probes that it works and fails loudly if not.
apt_install iproute2 fonts-dejavu-core iperf3
