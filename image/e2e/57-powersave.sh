# 802.11 power save (issue 15 §4) on the simulated AP. mac80211 tells the driver through
# BSS_CHANGED_PS; the driver sends set-PM 0x0010 (fast PS 0x81 with 16 units = 8 ms, engine
# mac::pm); the simulated firmware dozes between the beacons it wakes for, the AP buffers
# and announces in the TIM what arrives meanwhile (driver/sim/src/ps.rs). The card counts the
# receiver's time on and off in simulated ns (contract ps_awake_ns / ps_doze_ns); the awake
# fraction of a window is the first's share of their sum.
# 1. The stream: the default card (the AP's paced downlink), associated; rx-probe 47600
#    with power save off (the control: what this machine loses without PS), then on:
#    nothing lost, and the firmware stayed in fast PS throughout.
# 2. Idle: a card without the stream; PS off for PS_IDLE_S (awake fraction ~1), then PS on
#    for PS_IDLE_S (ps_awake_fraction_idle, goal < 0.5); the link stays up.
# Leaves the stream-less card loaded (phase 60 reloads its own).
PS_IDLE_S=$(arg e2e.ps_idle_s); PS_IDLE_S=${PS_IDLE_S:-10}
psv() { sed -n "s/^$1 //p" $V/contract 2>/dev/null | head -1; }
# Awake share between two "awake doze" snapshots ($1 before, $2 after); -1 if no time passed.
ps_fraction() {
    echo "$1 $2" | awk '{ a = $3 - $1; d = $4 - $2
        if (a + d > 0) printf "%.4f", a / (a + d); else print -1 }'
}
ps_snap() { echo "$(psv ps_awake_ns) $(psv ps_doze_ns)"; }
# Reload the card with the module parameters given, associate, address. 0 when associated.
ps_card() {
    unload_card
    load_card "$@" && load_driver && wlan_ready || return 1
    for i in $(seq 1 40); do
        sim_connected && return 0
        [ $((i % 8)) = 1 ] && iw dev wlan0 connect bes2600-sim 2>/dev/null
        sleep 0.25
    done
    return 1
}
ps_on() { iw dev wlan0 set power_save "$1" 2>/dev/null; iw dev wlan0 get power_save 2>/dev/null; }
# UDP datagrams the socket layer dropped for a full receive buffer (not the link's loss).
ps_rcvbuf_errors() { awk '/^Udp:/ { if (h) { print $6; exit } h = 1 }' /proc/net/snmp; }
ps_stream_assoc=false ps_stream_rx='{}' ps_stream_mode=-1 ps_stream_fraction=-1
ps_stream_ap_dropped=-1 ps_stream_off_rx='{}' ps_stream_chip_dropped=-1 ps_stream_rcvbuf_errors=-1 ps_idle_assoc=false ps_fraction_off=-1 ps_fraction_on=-1 ps_mode_idle=-1
ps_link_after=false ps_set_pm=0 ps_beacons_slept=-1 ps_wakeups=-1 ps_wake_line=-1 ps_wake_edges=-1
ps_tim_seen=-1

# 1. The stream with power save on.
if ps_card; then
    ps_stream_assoc=true
    # Room for bursts while the (emulated) CPU schedules the receiver, as phase 20 gives.
    echo 8388608 >/proc/sys/net/core/rmem_max
    echo 8388608 >/proc/sys/net/core/rmem_default
    e ps_stream_off_power_save "$(ps_on off)"
    ps_stream_off_rx=$(rx-probe 47600 "$SECS"); [ -n "$ps_stream_off_rx" ] || ps_stream_off_rx='{}'
    e ps_stream_off rx "$ps_stream_off_rx"
    e ps_stream_power_save "$(ps_on on)"
    sleep 1
    s0=$(ps_snap) drop0=$(psv ps_ap_dropped) q0=$(psv chip_dropped_queue_full) r0=$(ps_rcvbuf_errors)
    ps_stream_rx=$(rx-probe 47600 "$SECS"); [ -n "$ps_stream_rx" ] || ps_stream_rx='{}'
    s1=$(ps_snap) drop1=$(psv ps_ap_dropped) q1=$(psv chip_dropped_queue_full) r1=$(ps_rcvbuf_errors)
    ps_stream_fraction=$(ps_fraction "$s0" "$s1")
    ps_stream_mode=$(psv ps_mode)
    ps_stream_ap_dropped=$(( ${drop1:-0} - ${drop0:-0} ))
    # Where a loss would come from: the firmware's RX queue, or the receiving socket.
    ps_stream_chip_dropped=$(( ${q1:-0} - ${q0:-0} ))
    ps_stream_rcvbuf_errors=$(( ${r1:-0} - ${r0:-0} ))
    e ps_stream rx "$ps_stream_rx" mode "$ps_stream_mode" awake_fraction "$ps_stream_fraction" \
        ap_dropped "$ps_stream_ap_dropped" chip_queue_dropped "$ps_stream_chip_dropped" \
        rcvbuf_errors "$ps_stream_rcvbuf_errors"
fi

# 2. Idle, without the stream: PS off, then on.
if ps_card rate_kbps=0; then
    ps_idle_assoc=true
    e ps_idle_power_save_off "$(ps_on off)"
    sleep 1
    s0=$(ps_snap); sleep "$PS_IDLE_S"; s1=$(ps_snap)
    ps_fraction_off=$(ps_fraction "$s0" "$s1")
    set0=$(psv ps_set_pm)
    e ps_idle_power_save_on "$(ps_on on)"
    sleep 1
    s0=$(ps_snap) sl0=$(psv ps_beacons_slept) w0=$(psv ps_wakeups) ed0=$(psv wake_edges)
    t0=$(psv ps_tim_seen)
    sleep "$PS_IDLE_S"
    s1=$(ps_snap) sl1=$(psv ps_beacons_slept) w1=$(psv ps_wakeups) ed1=$(psv wake_edges)
    t1=$(psv ps_tim_seen)
    ps_fraction_on=$(ps_fraction "$s0" "$s1")
    ps_mode_idle=$(psv ps_mode)
    ps_set_pm=$(( $(psv ps_set_pm) - ${set0:-0} ))
    ps_beacons_slept=$(( ${sl1:-0} - ${sl0:-0} )) ps_wakeups=$(( ${w1:-0} - ${w0:-0} ))
    ps_tim_seen=$(( ${t1:-0} - ${t0:-0} ))
    # The module's wake line (issue 14) over the window: held, no edges.
    ps_wake_line=$(psv wake_line) ps_wake_edges=$(( ${ed1:-0} - ${ed0:-0} ))
    sim_connected && ps_link_after=true
    e ps_idle off "$ps_fraction_off" on "$ps_fraction_on" mode "$ps_mode_idle" set_pm "$ps_set_pm" \
        wakeups "$ps_wakeups" beacons_slept "$ps_beacons_slept" tim "$ps_tim_seen" \
        wake_line "$ps_wake_line" wake_edges "$ps_wake_edges" link_after "$ps_link_after"
fi
grep "^ps_" $V/contract 2>/dev/null | sed 's/^/E2E ps contract: /'

result ps_stream_associated $ps_stream_assoc
result ps_stream_rx "$ps_stream_rx"
result ps_stream_off_rx "$ps_stream_off_rx"
result ps_stream_mode "\"${ps_stream_mode:--1}\""
result ps_stream_awake_fraction "$ps_stream_fraction"
result ps_stream_ap_dropped "$ps_stream_ap_dropped"
result ps_stream_chip_dropped "$ps_stream_chip_dropped"
result ps_stream_rcvbuf_errors "$ps_stream_rcvbuf_errors"
result ps_idle_associated $ps_idle_assoc
result ps_idle_s "$PS_IDLE_S"
result ps_awake_fraction_idle_off "$ps_fraction_off"
result ps_awake_fraction_idle "$ps_fraction_on"
result ps_mode_idle "\"${ps_mode_idle:--1}\""
result ps_set_pm_requests "$ps_set_pm"
result ps_wakeups "$ps_wakeups"
result ps_beacons_slept "$ps_beacons_slept"
result ps_tim_seen "$ps_tim_seen"
result ps_wake_line "${ps_wake_line:--1}"
result ps_wake_edges "$ps_wake_edges"
result ps_link_after $ps_link_after
