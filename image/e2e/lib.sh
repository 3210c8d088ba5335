# Shared by every e2e phase (sourced by /init before the phases; busybox sh).
# Paths, kernel command line knobs, the result recorder and the card/driver loaders.
T=/sys/kernel/tracing
# The driver's debugfs (counters, recovery, fw_version) and the virtual card's.
D='/sys/kernel/debug/ieee80211/phy*/bes2600'  # under the wiphy; every use is unquoted, the glob expands
V=/sys/kernel/debug/bes2600_vsdio
arg() { tr ' ' '\n' </proc/cmdline | sed -n "s/^$1=//p" | tail -1; }
RATE=$(arg e2e.rate); RATE=${RATE:-20000}
SECS=$(arg e2e.secs); SECS=${SECS:-10}
RELOADS=$(arg e2e.reloads); RELOADS=${RELOADS:-10}
# Progress lines for the log (ci/qemu-e2e prints them).
e() { echo "E2E $*"; }
# result KEY JSON-VALUE: one field of the final E2E-RESULT object (strings quoted by the
# caller). Each phase records its own fields; image/e2e/judge/ judges them.
RESULT=/tmp/e2e-result
result() { printf '"%s":%s\n' "$1" "$2" >>$RESULT; }
counter() { sed -n "s/^$1 //p" $D/counters 2>/dev/null | head -1; }
# rx-probe's JSON field N (digits) from the object in $1.
json_num() { echo "$1" | sed -n "s/.*\"$2\":\([0-9]*\).*/\1/p"; }
# Contract violations the card counted since it was loaded, summed over card reloads:
# unload_card adds the card's count before it goes.
violations=0
card_violations() { sed -n "s/^contract_violations //p" $V/contract 2>/dev/null | head -1; }
add_violations() { n=$(card_violations); violations=$((violations + ${n:-0})); }
# The card in the slot: load the virtual host, wait for the MMC core's enumeration, then
# load the driver by the card's modalias (what udev does with the uevent).
sdio_dev() { for d in /sys/bus/sdio/devices/*; do [ "$(cat $d/vendor 2>/dev/null)" = 0xbe57 ] && echo $d && return; done; }
load_card() {
    modprobe bes2600_vsdio rate_kbps="$RATE" "$@" || return 1
    for i in $(seq 1 50); do [ -n "$(sdio_dev)" ] && return 0; sleep 0.1; done
    return 1
}
# The driver requests its firmware asynchronously at probe (request_firmware_nowait), so
# modprobe returns before the firmware is up; wlan0 follows once the hw is registered.
load_driver() {
    modprobe "$(cat "$(sdio_dev)/modalias")" || return 1
    wait_wlan0
}
wait_wlan0() { for i in $(seq 1 120); do [ -d /sys/class/net/wlan0 ] && return 0; sleep 0.1; done; return 1; }
# Driver and card out, the card's violations kept. Phases that need another card
# configuration call this, then load_card with their parameters.
unload_card() {
    grep -q "^bes2600 " /proc/modules && { rmmod_bounded bes2600 || e rmmod_failed; }
    if grep -q "^bes2600_vsdio " /proc/modules; then
        add_violations
        rmmod_bounded bes2600_vsdio || e rmmod_vsdio_failed
    fi
}
# rmmod that cannot hang the run: after 60 s the module's removal is reported as hung
# (result rmmod_hung_<module>, a failed check in 99_final.py) with the kernel stacks of
# every task in D state, the rmmod's first, and the run goes on.
rmmod_bounded() {
    rmmod "$1" &
    local pid=$! i
    for i in $(seq 1 240); do
        kill -0 $pid 2>/dev/null || { wait $pid; return; }
        sleep 0.25
    done
    e rmmod_hung "$1"
    result "rmmod_hung_$1" true
    sed 's/^/E2E hung rmmod: /' /proc/$pid/stack 2>/dev/null
    for t in /proc/[0-9]*; do
        grep -q "^State:.*D " $t/status 2>/dev/null || continue
        e hung_task "$(cat $t/comm 2>/dev/null)" "${t#/proc/}"
        sed 's/^/E2E hung stack: /' $t/stack 2>/dev/null
    done
    return 1
}
# "Connected to <the simulated AP>" (its built-in AP: driver/sim/src/net.rs)
SIM_BSSID=02:b5:26:00:00:01
sim_connected() { iw dev wlan0 link 2>/dev/null | grep -q "Connected to $SIM_BSSID"; }
# wlan0 back (a re-probe makes a new netdev), up, with the station's address.
wlan_ready() {
    for i in $(seq 1 80); do [ -d /sys/class/net/wlan0 ] && break; sleep 0.25; done
    ip link set wlan0 up 2>/dev/null || return 1
    ip addr add 192.0.2.2/24 dev wlan0 2>/dev/null
    return 0
}
# After a reset: until the simulated AP's downlink flows (up to $1 tries of about 1 s), associate
# again whenever the station is not connected, as a supplicant would. With $2 = count, then
# count 2 s of the stream on a fresh socket (only post-reset frames). Sets DL_AFTER_S (the try
# it flowed at; 0 = never), DL_BY (restart: still associated at the first try, i.e. mac80211's
# state was replayed; reconnect: associated again), DL_RX (datagrams in the 2 s) and DL_JSON
# (rx-probe's object). Returns 1 if it never flowed.
await_downlink() {
    DL_AFTER_S=0 DL_BY=none DL_RX=0 DL_JSON='{}'
    for i in $(seq 1 "$1"); do
        if sim_connected; then
            [ "$DL_BY" = none ] && DL_BY=restart
        else
            DL_BY=reconnect
            iw dev wlan0 connect bes2600-sim 2>/dev/null
        fi
        r=$(rx-probe 47600 1)
        if [ "$(json_num "$r" datagrams)" -gt 0 ] 2>/dev/null; then
            DL_AFTER_S=$i
            if [ "${2:-}" = count ]; then
                DL_JSON=$(rx-probe 47600 2)
                DL_RX=$(json_num "$DL_JSON" datagrams); DL_RX=${DL_RX:-0}
            fi
            return 0
        fi
    done
    return 1
}
