# Reload loop: the driver bound and unbound RELOADS times on the card as it is now.
reload_ok=0
grep -q "^bes2600_vsdio " /proc/modules || load_card || e load_card_failed
grep -q "^bes2600 " /proc/modules && { rmmod bes2600 || e rmmod_failed; }
for i in $(seq 1 "$RELOADS"); do
    if load_driver && [ -d /sys/class/net/wlan0 ]; then
        reload_ok=$((reload_ok + 1))
    fi
    rmmod bes2600 || e rmmod_failed $i
done
e reloads $reload_ok/$RELOADS
result reloads_ok $reload_ok
result reloads $RELOADS
