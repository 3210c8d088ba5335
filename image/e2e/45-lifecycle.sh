# Life cycle under traffic (issue 15): ip link down/up cycles while the simulated AP's
# downlink flows into wlan0 (mac80211's stop must end RX delivery before it returns: a frame
# after it would WARN in ieee80211_rx_list), the driver unloaded while the stream flows and
# while a reset-and-reload is in progress, then loaded again. Kernel warnings are counted
# over this phase alone. Leaves the driver loaded, wlan0 up and associated, as 40 left it.
LC_CYCLES=$(arg e2e.cycles); LC_CYCLES=${LC_CYCLES:-10}
lc_warnings() { n=$(dmesg | grep -cE "WARNING:|BUG:|Oops|Call trace:"); echo "${n:-0}"; }
# The driver requests its firmware asynchronously: wlan0 follows the probe.
lc_wlan() { for i in $(seq 1 150); do [ -d /sys/class/net/wlan0 ] && return 0; sleep 0.1; done; return 1; }
lc_now_cs() { awk '{ printf "%d", $1 * 100 }' /proc/uptime; }
lc_connect() {
    ip link set wlan0 up 2>/dev/null || return 1
    ip addr add 192.0.2.2/24 dev wlan0 2>/dev/null
    for try in 1 2 3 4; do
        sim_connected && return 0
        iw dev wlan0 connect bes2600-sim 2>/dev/null
        for i in $(seq 1 20); do sim_connected && return 0; sleep 0.1; done
    done
    return 1
}
lc_rx() { json_num "$(rx-probe 47600 "$1")" datagrams; }
w0=$(lc_warnings)
cycles_ok=0 cycles_flowing=0
if [ -d /sys/class/net/wlan0 ]; then
    for c in $(seq 1 "$LC_CYCLES"); do
        lc_connect || { e lifecycle_connect_failed "$c"; continue; }
        n=$(lc_rx 1)
        [ "${n:-0}" -gt 0 ] && cycles_flowing=$((cycles_flowing + 1))
        # stop and start the hw while the firmware keeps passing frames up
        if ip link set wlan0 down && ip link set wlan0 up; then cycles_ok=$((cycles_ok + 1)); fi
    done
fi
resumed=0
lc_connect && resumed=$(lc_rx 2)
e stop_start_cycles "$cycles_ok/$LC_CYCLES" flowing "$cycles_flowing" resumed_rx "${resumed:-0}"
# Unload while the downlink flows.
unload_ok=false
if lc_connect; then
    rx-probe 47600 3 >/tmp/lc-probe.out 2>&1 &
    probe=$!
    sleep 1
    rmmod bes2600 && unload_ok=true
    wait $probe
fi
# Unload while a reset-and-reload is in progress: a firmware hang (inject 1) is detected by
# the engine's watchdog, the driver resets the chip and downloads again; rmmod in between.
reset_unload_ok=false reset_seen=false
if load_driver && lc_wlan && lc_connect; then
    r0=$(dmesg | grep -c "recovery fw_hang")
    echo 1 >$V/inject
    for i in $(seq 1 80); do
        [ "$(dmesg | grep -c "recovery fw_hang")" -gt "$r0" ] && { reset_seen=true; break; }
        sleep 0.1
    done
    # the download of the reload takes seconds: this lands inside it
    sleep 0.5
    $reset_seen && rmmod bes2600 && reset_unload_ok=true
fi
grep -q "^bes2600 " /proc/modules && rmmod bes2600
# Back as the phases after this one expect. Probe returns before the firmware is up
# (request_firmware_nowait): modprobe's time against the time until wlan0 exists.
reload_ok=false probe_ms=-1 wlan0_ms=-1
t0=$(lc_now_cs)
if modprobe "$(cat "$(sdio_dev)/modalias")"; then
    t1=$(lc_now_cs)
    lc_wlan && t2=$(lc_now_cs) && probe_ms=$(( (t1 - t0) * 10 )) && wlan0_ms=$(( (t2 - t0) * 10 ))
    lc_connect && reload_ok=true
fi
w1=$(lc_warnings)
e probe_ms $probe_ms wlan0_ms $wlan0_ms
e unload_under_traffic "$unload_ok" unload_during_reset "$reset_unload_ok" reset_seen "$reset_seen" reload "$reload_ok" warnings $((w1 - w0))
result stop_start_cycles "$LC_CYCLES"
result stop_start_cycles_ok $cycles_ok
result stop_start_flowing $cycles_flowing
result stop_start_resumed_rx "${resumed:-0}"
result unload_under_traffic_ok $unload_ok
result unload_during_reset_ok $reset_unload_ok
result lifecycle_reload_ok $reload_ok
result probe_ms $probe_ms
result wlan0_after_probe_ms $wlan0_ms
result lifecycle_warnings $((w1 - w0))
