# Hardware keys: reload with the simulated AP in static-WEP mode. Its downlink reaches the
# station only once set_key has put the key into the (simulated) firmware's key table.
wep_associated=false wep_rx='{}' hw_keys=0 hw_dec=0
unload_card
if load_card privacy=1 && load_driver && ip link set wlan0 up; then
    for i in 1 2 3; do
        iw dev wlan0 scan >/tmp/scan 2>&1
        if grep -q "SSID: bes2600-sim" /tmp/scan; then break; fi
        sleep 1
    done
    grep -E "capability:" /tmp/scan | head -1 | sed 's/^/E2E wep scan: /'
    iw dev wlan0 connect bes2600-sim key d:0:0102030405 2>&1 | sed 's/^/E2E wep connect: /'
    for i in $(seq 1 40); do
        if sim_connected; then
            wep_associated=true; break
        fi
        sleep 0.25
    done
    e wep_associated $wep_associated
    if $wep_associated; then
        ip addr add 192.0.2.2/24 dev wlan0
        wep_rx=$(rx-probe 47600 3); [ -n "$wep_rx" ] || wep_rx={}
        e wep_rx "$wep_rx"
    fi
    hw_keys=$(counter hw_keys_installed); hw_keys=${hw_keys:-0}
    hw_dec=$(counter rx_hw_decrypted); hw_dec=${hw_dec:-0}
    e hw_keys_installed $hw_keys rx_hw_decrypted $hw_dec
    iw dev wlan0 disconnect 2>/dev/null
    sleep 0.5
    e hw_keys_removed "$(counter hw_keys_removed)"
fi

[ -n "$wep_rx" ] || wep_rx='{}'
result wep_associated $wep_associated
result wep_rx "$wep_rx"
result hw_keys_installed $hw_keys
result rx_hw_decrypted $hw_dec
