# The recovery helper as bes2600-fw-watch.service runs it: its ExecStart (/usr/bin/bes2600-fw
# watch, checked by mkinitramfs.sh) with the packaged /etc/bes2600/fw.toml, its
# RuntimeDirectory. It hears the driver's recovery uevents on its own NETLINK_KOBJECT_UEVENT
# socket and, rate-limited, runs bus-reset: unbind/bind of the SDIO host's driver (the
# virtual host is a platform driver, bes2600-vsdio, as dw_mmc is on the PineTab2), or the
# module reload when the host cannot be rebound or the chip does not come back.
W=/tmp/watch.log
cfg_num() { sed -n "s/^$1 *= *\([0-9][0-9]*\).*/\1/p" /etc/bes2600/fw.toml 2>/dev/null | head -1; }
THRESH=$(cfg_num threshold); THRESH=${THRESH:-3}
MIN_INT=$(cfg_num min_interval_secs); MIN_INT=${MIN_INT:-120}
MAX_H=$(cfg_num max_resets_per_hour); MAX_H=${MAX_H:-4}
uptime_s() { cut -d. -f1 /proc/uptime; }
loss_lines() { n=$(grep -c "recovery connection_loss" /tmp/uevents 2>/dev/null); echo "${n:-0}"; }
fw_ups() { n=$(dmesg | grep -c "firmware back up"); echo "${n:-0}"; }
w_count() { n=$(grep -c "$1" $W 2>/dev/null); echo "${n:-0}"; }
# One connection-loss recovery of the driver: the card's firmware reports the BSS lost three
# times within a second (inject 3). An injection made while the driver's own reset-and-reload
# power-cycles the chip is forgotten with the firmware's state; then inject again.
loss_event() {
    n0=$(loss_lines)
    for try in 1 2 3; do
        echo 3 >$V/inject 2>/dev/null || return 1
        for i in $(seq 1 24); do
            [ "$(loss_lines)" -gt "$n0" ] && return 0
            sleep 0.25
        done
    done
    return 1
}
# Waits for the driver's own reset-and-reload after an event (the next injection needs the
# firmware running).
fw_settle() { for i in $(seq 1 60); do [ "$(fw_ups)" -gt "$1" ] && return 0; sleep 0.25; done; return 1; }
helper_started=false helper_events=0 helper_resets=0 helper_method=none helper_recovered=false
helper_rx=0 storm_events=0 storm_resets=0 storm_limit=null storm_suppressed=0 watch_pid=
if $module_loaded && [ -x /usr/bin/bes2600-fw ]; then
    mkdir -p /run/bes2600-fw && chmod 0700 /run/bes2600-fw
    /usr/bin/bes2600-fw watch >$W 2>&1 &
    watch_pid=$!
    for i in $(seq 1 40); do
        if grep -q "watching for recovery uevents" $W; then helper_started=true; break; fi
        sleep 0.25
    done
fi
e helper_started $helper_started threshold $THRESH min_interval_secs $MIN_INT max_resets_per_hour $MAX_H
# The card counts its host's binds and unbinds: a rebind shows there, not only in the
# helper's log. A debugfs file of the card held open across the rebind must stay readable.
host_num() { n=$(sed -n "s/^$1 //p" $V/contract 2>/dev/null | head -1); echo "${n:-0}"; }
removes0=$(host_num host_removes); probes0=$(host_num host_probes)
exec 3<$V/contract
t_reset=0
if $helper_started; then
    # threshold events within window_secs: one reset.
    for k in $(seq 1 $((THRESH + 3))); do
        u0=$(fw_ups)
        loss_event || { e helper_event_missing $k; continue; }
        helper_events=$((helper_events + 1))
        for i in $(seq 1 20); do [ "$(w_count "recovery event")" -ge "$helper_events" ] && break; sleep 0.25; done
        if [ "$(w_count "decision=Reset")" -ge 1 ]; then t_reset=$(uptime_s); break; fi
        fw_settle "$u0"
    done
    for i in $(seq 1 160); do
        [ "$(w_count "bus reset done")" -ge 1 ] || [ "$(w_count "bus reset failed")" -ge 1 ] && break
        sleep 0.25
    done
    [ "$t_reset" = 0 ] && [ "$(w_count "decision=Reset")" -ge 1 ] && t_reset=$(uptime_s)
    helper_resets=$(w_count "bus reset done")
    rebind=$(w_count "bus-reset: write .*/unbind"); reload=$(w_count "bus-reset: run .*modprobe -r")
    case "$rebind/$reload" in
    0/0) ;; 0/*) helper_method=module_reload ;; */0) helper_method=rebind ;; *) helper_method=rebind+module_reload ;;
    esac
fi
host_rebinds=$(( $(host_num host_removes) - removes0 ))
host_probes=$(( $(host_num host_probes) - probes0 ))
open_file_ok=false
grep -q "^contract_violations " <&3 && open_file_ok=true
exec 3<&-
e helper_events $helper_events helper_bus_resets $helper_resets helper_reset_method $helper_method \
    host_unbinds $host_rebinds host_binds $host_probes debugfs_open_across_rebind $open_file_ok
# After the reset the interface comes back; associate again as a supplicant would (the
# reconnect pattern above) until the downlink flows.
if [ "$helper_resets" -ge 1 ] && wlan_ready && await_downlink 20 count; then
    helper_rx=$DL_RX
    [ "$helper_rx" -gt 0 ] && helper_recovered=true
    e helper_recovered_after_s "$DL_AFTER_S" rx "$DL_JSON"
fi
e helper_recovered $helper_recovered helper_rx $helper_rx
# A storm: 2 x threshold counted events in quick succession, which without the limits would
# be two resets. The helper may reset at most once per min_interval_secs and
# max_resets_per_hour times: the limit for this storm is what those allow since its last reset.
if $helper_recovered; then
    e0=$(w_count "recovery event"); r0=$(w_count "decision=Reset"); s0=$(w_count "decision=Suppressed")
    for k in $(seq 1 $((2 * THRESH + 3))); do
        [ $(( $(w_count "recovery event") - e0 )) -ge $((2 * THRESH)) ] && break
        u0=$(fw_ups)
        loss_event || { e helper_storm_event_missing $k; continue; }
        sleep 0.5
        fw_settle "$u0"
    done
    sleep 1
    # a reset the storm may have started is allowed to finish before counting
    for i in $(seq 1 160); do
        [ $(( $(w_count "bus reset done") + $(w_count "bus reset failed") )) -ge "$(w_count "decision=Reset")" ] && break
        sleep 0.25
    done
    t_end=$(uptime_s)
    storm_events=$(grep "recovery event" $W | tail -n +$((e0 + 1)) | grep -vc "decision=Ignored")
    storm_resets=$(( $(w_count "decision=Reset") - r0 ))
    storm_suppressed=$(( $(w_count "decision=Suppressed") - s0 ))
    # +2 s: the helper's clock may have stamped its reset slightly before t_reset was read.
    by_interval=$(( (t_end - t_reset + 2) / MIN_INT ))
    by_hour=$(( MAX_H - r0 ))
    storm_limit=$by_interval; [ "$by_hour" -lt "$storm_limit" ] && storm_limit=$by_hour
    [ "$storm_limit" -lt 0 ] && storm_limit=0
    e helper_storm_events $storm_events helper_storm_resets $storm_resets helper_storm_limit $storm_limit helper_storm_suppressed $storm_suppressed storm_s $((t_end - t_reset))
fi
[ -n "$watch_pid" ] && kill "$watch_pid" 2>/dev/null
cut -c1-240 $W 2>/dev/null | sed 's/^/E2E watch: /'
sed 's/^/E2E uevent: /' /tmp/uevents 2>/dev/null
sed 's/^/E2E recovery: /' $D/recovery 2>/dev/null
sed 's/^/E2E counters: /' $D/counters 2>/dev/null
sed 's/^/E2E contract: /' $V/contract 2>/dev/null

result helper_started $helper_started
result helper_threshold $THRESH
result helper_events $helper_events
result helper_bus_resets $helper_resets
result helper_reset_method "\"$helper_method\""
result helper_host_unbinds $host_rebinds
result helper_host_binds $host_probes
result helper_debugfs_open_across_rebind $open_file_ok
result helper_recovered $helper_recovered
result helper_rx $helper_rx
result helper_storm_events $storm_events
result helper_storm_resets $storm_resets
result helper_storm_limit $storm_limit
result helper_storm_suppressed $storm_suppressed
