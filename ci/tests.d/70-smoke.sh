#!/usr/bin/env bash
# bes2600-smoke namespace tests (issue 8): real sockets between two network namespaces joined by
# a veth pair in 192.0.2.0/24, shaped with tc tbf at 4 MB/s; the link is cut mid-run with
# `ip link set down`. The peer is `bes2600-smoke serve` or a stock `iperf3 -s` (issue 17), the
# latter also with no server at all (the negative control). Needs root. About 2 min of traffic
# in all. Prints the measured figures. The default build writes SVG plots only; PNG (the `png`
# cargo feature, which links the Apache-2.0-only ab_glyph) is tested here too: the crate's tests
# with --features png, and one namespace link cut drawn as a PNG.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
cd "$BES2600_ROOT"

[ "$(id -u)" -eq 0 ] || die "70-smoke: the namespace tests need root (ip netns, tc)"
command -v ip >/dev/null || die "70-smoke: ip not found (iproute2; see ci/setup.d/70-smoke.sh)"
command -v tc >/dev/null || die "70-smoke: tc not found (iproute2; see ci/setup.d/70-smoke.sh)"
command -v iperf3 >/dev/null || die "70-smoke: iperf3 not found (see ci/setup.d/70-smoke.sh)"
log "70-smoke: $(iperf3 --version | head -1)"

# Probe first: if tbf shaping is impossible here, say so loudly and fail (never pass silently).
probe="bsmk-probe-$$"
cleanup() {
    ip netns del "$probe" 2>/dev/null || true
    # Namespaces left by a killed test run (the tests delete their own on exit).
    for ns in $(ip netns list 2>/dev/null | awk '/^bsmk-[ps]-/ {print $1}'); do
        ip netns del "$ns" 2>/dev/null || true
    done
}
trap cleanup EXIT
ip netns add "$probe" || die "70-smoke: cannot create a network namespace (ip netns add)"
ip -n "$probe" link add bsmk-a type veth peer name bsmk-b || die "70-smoke: cannot create veth"
tbf_ok() { ip netns exec "$probe" tc qdisc replace dev bsmk-a root tbf rate 32mbit burst 64kb latency 400ms 2>/dev/null; }
if ! tbf_ok; then
    if command -v modprobe >/dev/null && modprobe sch_tbf 2>/dev/null && tbf_ok; then
        log "70-smoke: loaded sch_tbf"
    else
        printf '\n!!! 70-smoke: tc tbf shaping is IMPOSSIBLE on this machine (kernel %s):\n' "$(uname -r)" >&2
        printf '!!! no sch_tbf built in and it cannot be loaded. The shaped-link tests cannot run.\n\n' >&2
        exit 1
    fi
fi
if ip netns exec "$probe" tc qdisc replace dev bsmk-a root netem loss 100% 2>/dev/null; then
    log "70-smoke: tbf available; netem available (not needed: the cut uses ip link set down)"
else
    log "70-smoke: tbf available; netem not available on kernel $(uname -r) (not needed: the cut uses ip link set down)"
fi
ip netns del "$probe"

cargo test -p bes2600-smoke --locked --test netns -- --ignored --test-threads=1 --nocapture
# The PNG path (smoke/README.md, "Plots"): unit and loopback tests, then a cut link's PNG plot.
log "70-smoke: bes2600-smoke with --features png"
cargo test -p bes2600-smoke --locked --features png
cargo test -p bes2600-smoke --locked --features png --test netns -- --ignored --test-threads=1 --nocapture \
    --exact issue_8_link_cut_mid_receive_fails_and_names_the_cause
