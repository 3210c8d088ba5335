# System sleep under traffic (issue 15 §3): cycles of s2idle (`freeze`), each woken by the
# PL031 RTC's alarm, while the simulated AP's downlink flows into wlan0. After each resume:
# the time until datagrams arrive on wlan0 again. Without WoWLAN, cfg80211 disconnects at
# suspend and mac80211 stops the hw, so that time includes associating again, which this
# phase does as a supplicant would. The card keeps its power (the virtual host offers
# MMC_PM_KEEP_POWER, the driver asks for it), so the firmware is not downloaded again; the
# wake line stays asserted. If `freeze` is not offered, or the RTC cannot wake the guest,
# the cycles fall back to /sys/power/pm_test=devices (the devices are suspended and resumed,
# the CPU is not put to sleep, for pm_test_delay seconds) and suspend_mode says so. The
# QEMU kernels' PL031 RTC has no sysfs interface (CONFIG_RTC_INTF_SYSFS unset): no
# wakealarm, so today the fallback runs.
# Kernel warnings are counted over this phase alone. Leaves wlan0 up and associated.
SP_CYCLES=$(arg e2e.suspend_cycles); SP_CYCLES=${SP_CYCLES:-10}
SP_SLEEP_S=2
SP_RTC=/sys/class/rtc/rtc0
sp_now_cs() { awk '{ printf "%d", $1 * 100 }' /proc/uptime; }
sp_rx() { cat /sys/class/net/wlan0/statistics/rx_packets 2>/dev/null || echo 0; }
sp_warnings() { n=$(dmesg | grep -cE "WARNING:|BUG:|Oops|Call trace:"); echo "${n:-0}"; }
# wlan0 up with the station's address (phase 20 gives it; a phase subset may skip 20).
sp_ready() {
    [ -d /sys/class/net/wlan0 ] || return 1
    ip link set wlan0 up 2>/dev/null || return 1
    ip addr add 192.0.2.2/24 dev wlan0 2>/dev/null
    return 0
}
sp_downloads() { n=$(dmesg | grep -c "bes2600: firmware downloaded"); echo "${n:-0}"; }
# Associated and the downlink counted on wlan0 within $1 cs. Until associated, connect again
# every 200 ms as a supplicant retries (a connect right after resume may be refused while
# mac80211 is still restoring the interface). Sets SP_ASSOC_MS (-1: never) and SP_CONNECTS.
sp_flowing_within() {
    local t0 rx0 last=-1000 now
    t0=$(sp_now_cs); rx0=$(sp_rx)
    SP_ASSOC_MS=-1 SP_CONNECTS=0
    while :; do
        now=$(sp_now_cs)
        [ $((now - t0)) -ge "$1" ] && return 1
        [ "$(sp_rx)" -gt "$rx0" ] && return 0
        if [ "$SP_ASSOC_MS" = -1 ]; then
            if sim_connected; then
                SP_ASSOC_MS=$(( ($(sp_now_cs) - t0) * 10 ))
            elif [ $((now - last)) -ge 20 ]; then
                iw dev wlan0 connect bes2600-sim 2>/dev/null
                SP_CONNECTS=$((SP_CONNECTS + 1))
                last=$now
            fi
        fi
        sleep 0.02
    done
}
# One sleep: the alarm (freeze), the write that returns at resume. Sets SP_SLEPT_MS.
sp_sleep() {
    local t0 t1
    if [ "$sp_mode" = freeze ]; then
        echo 0 >$SP_RTC/wakealarm 2>/dev/null
        echo "+$SP_SLEEP_S" >$SP_RTC/wakealarm 2>/dev/null || return 1
    fi
    t0=$(sp_now_cs)
    echo "$sp_state" >/sys/power/state 2>/tmp/sp-err || { e suspend_write_failed "$(cat /tmp/sp-err)"; return 1; }
    t1=$(sp_now_cs)
    SP_SLEPT_MS=$(( (t1 - t0) * 10 ))
}
sp_mode=none sp_state=
# freeze only when the RTC is a wake source (PL031: dev_pm_set_wake_irq); otherwise the write
# would never return.
if grep -qw freeze /sys/power/state 2>/dev/null && [ -e $SP_RTC/wakealarm ] &&
    [ "$(cat $SP_RTC/device/power/wakeup 2>/dev/null)" = enabled ]; then
    sp_mode=freeze sp_state=freeze
elif [ -e /sys/power/pm_test ]; then
    sp_mode=pm_test_devices sp_state=$(tr ' ' '\n' </sys/power/state | head -1)
    echo devices >/sys/power/pm_test
fi
# pm_test holds the suspended devices this long (default 5 s): as long as the RTC's sleep.
[ -w /sys/module/suspend/parameters/pm_test_delay ] &&
    echo $SP_SLEEP_S >/sys/module/suspend/parameters/pm_test_delay
e suspend_mode "$sp_mode" states "$(cat /sys/power/state 2>/dev/null)" rtc "$(cat $SP_RTC/name 2>/dev/null)"
w0=$(sp_warnings) d0=$(sp_downloads)
sp_ok=0 sp_max=-1 sp_list= sp_rx_after=0 sp_before=false
if [ "$sp_mode" != none ] && sp_ready && sp_flowing_within 1500; then
    sp_before=true
    for c in $(seq 1 "$SP_CYCLES"); do
        if ! sp_sleep && [ "$c" = 1 ] && [ "$sp_mode" = freeze ]; then
            # freeze did not sleep and wake here: the documented fallback
            e suspend_freeze_unusable
            sp_mode=pm_test_devices sp_state=$(tr ' ' '\n' </sys/power/state | head -1)
            echo devices >/sys/power/pm_test
            sp_sleep || continue
        fi
        [ -n "$SP_SLEPT_MS" ] || continue
        # From the resume until datagrams arrive again (10 s bound).
        t1=$(sp_now_cs)
        if sp_flowing_within 1000; then
            ms=$(( ($(sp_now_cs) - t1) * 10 ))
            sp_ok=$((sp_ok + 1))
            [ "$ms" -gt "$sp_max" ] && sp_max=$ms
        else
            ms=-1
        fi
        e suspend_cycle "$c" slept_ms "$SP_SLEPT_MS" resume_to_traffic_ms "$ms" \
            associated_after_ms "$SP_ASSOC_MS" connects "$SP_CONNECTS"
        sp_list="${sp_list:+$sp_list,}$ms"
        SP_SLEPT_MS=
    done
    # The stream reaches a socket again after the last cycle.
    sp_rx_after=$(json_num "$(rx-probe 47600 2)" datagrams)
fi
[ -e /sys/power/pm_test ] && echo none >/sys/power/pm_test
w1=$(sp_warnings) d1=$(sp_downloads)
e suspend_cycles_ok "$sp_ok/$SP_CYCLES" resume_ms_max "$sp_max" fw_downloads $((d1 - d0)) \
    rx_after "${sp_rx_after:-0}" warnings $((w1 - w0))
dmesg | grep -E "PM: |bes2600|wlan0|WARNING" | grep -v "PM: suspend entry\|PM: suspend exit" | tail -60 | sed 's/^/E2E pm: /'
result suspend_mode "\"$sp_mode\""
result suspend_cycles "$SP_CYCLES"
result suspend_cycles_ok $sp_ok
result suspend_flowing_before $sp_before
result resume_ms_max $sp_max
result resume_ms "[$sp_list]"
result suspend_fw_downloads $((d1 - d0))
result suspend_rx_after "${sp_rx_after:-0}"
result suspend_warnings $((w1 - w0))
