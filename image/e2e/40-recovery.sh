# The driver's own recovery: a simulated firmware hang must raise a uevent and a debugfs
# recovery line, and the downlink and scans come back; a decrypt storm makes mac80211
# drop the connection so the supplicant associates again.
recovery_uevent=false
if $module_loaded && echo 1 >$V/inject; then
    for i in $(seq 1 60); do
        if grep -q "change recovery fw_hang 1" /tmp/uevents 2>/dev/null; then recovery_uevent=true; break; fi
        sleep 0.5
    done
fi
e recovery_uevent $recovery_uevent
# After the reset and reload the downlink must come back. The driver replays mac80211's state
# (ieee80211_restart_hw: interface, join, keys); if mac80211's own connection monitor dropped
# the association during the outage, reconnect as a supplicant would. A fresh socket sees
# only post-reset frames.
recovered_rx=0 recovered_by=none
if $recovery_uevent && $associated && await_downlink 20 count; then
    recovered_rx=$DL_RX recovered_by=$DL_BY
    e recovered_after_s "$DL_AFTER_S" rx "$DL_JSON"
fi
e recovered_rx $recovered_rx recovered_by $recovered_by
dmesg | grep -E "wlan0|Hardware restart|bes2600: join" | tail -8 | sed 's/^/E2E mac80211: /'

# Decrypt storm: the engine asks for a reassociation; the driver reports the connection lost
# to mac80211 (ieee80211_connection_loss), which disconnects so the supplicant associates again.
storm_uevent=false storm_disconnected=false
if $associated && [ "$recovered_rx" -gt 0 ] && echo 4 >$V/inject; then
    for i in $(seq 1 40); do
        if grep -q "change recovery decrypt_storm 1" /tmp/uevents 2>/dev/null; then storm_uevent=true; break; fi
        sleep 0.25
    done
    for i in $(seq 1 40); do
        if ! iw dev wlan0 link 2>/dev/null | grep -q "Connected to"; then storm_disconnected=true; break; fi
        sleep 0.25
    done
fi
e storm_uevent $storm_uevent storm_disconnected $storm_disconnected
# After the reset-and-reload the firmware must answer a scan again.
recovered_scan=false
if $recovery_uevent; then
    for i in 1 2 3 4 5 6; do
        sleep 2
        if timeout 15 iw dev wlan0 scan 2>/dev/null | grep -q "SSID: bes2600-sim"; then recovered_scan=true; break; fi
    done
fi
e recovered_scan $recovered_scan
result recovery_uevent $recovery_uevent
result recovered_scan $recovered_scan
result recovered_rx $recovered_rx
result recovered_by "\"$recovered_by\""
result storm_uevent $storm_uevent
result storm_disconnected $storm_disconnected
