# A real access point (issue 16, first stage): Debian's hostapd serves an open BSS on a
# mac80211_hwsim radio (2.4 GHz channel 6); `hwsim-medium bridge --air` carries every frame
# between hwsim and the simulated chip's radio (the virtual card loaded with air=1: no
# built-in AP; debugfs bes2600_vsdio/air); Debian's wpa_supplicant runs on bes2600's wlan0.
# The station scans (the chip's probe requests go on air), authenticates and associates with
# hostapd; then UDP datagrams cross the BSS each way through hostapd's AP data path.
#
# The guest kernel has no network namespaces and no policy routing, so two local addresses
# would talk over loopback: each direction gives an IPv4 address to the sending side only.
# Downlink: 192.0.2.1 on the AP's interface, `hwsim-medium udp-send` to 192.0.2.2 (a
# permanent neighbour entry for wlan0's MAC); wlan0 has no address and counts what arrives
# (its rx_packets, frames mac80211 delivered to the netdev). Uplink: the mirror image, counted
# by the AP interface's rx_packets. The counters count frames, not the stream's sequence
# numbers: a figure of delivery, not of order.
RA_SECS=3
RA_RATE=4000
RA_PAYLOAD=1000
realap_associated=false realap_scan=false realap_rx='{}' realap_tx='{}' realap_medium='{}'
realap_air=false realap_wpa_state='""'
# The netdev of the first mac80211_hwsim radio.
ra_hwsim_if() {
    for n in /sys/class/net/*; do
        case "$(readlink -f $n)" in */mac80211_hwsim/*) echo ${n##*/}; return ;; esac
    done
}
ra_stat() { cat /sys/class/net/$1/statistics/$2 2>/dev/null || echo 0; }
ra_state() { wpa_cli -p /run/wpa_supplicant -i wlan0 status 2>/dev/null | sed -n 's/^wpa_state=//p'; }
# ra_udp IF_FROM DST_IP DST_MAC IF_TO: sends the stream from IF_FROM's address to DST_IP and
# prints {"sent":{...},"received_frames":N} (frames IF_TO's netdev received meanwhile).
ra_udp() {
    hwsim-medium neigh --dev "$1" --ip "$2" --mac "$3" 2>&1 | sed 's/^/E2E realap neigh: /'
    r0=$(ra_stat "$4" rx_packets)
    # Bounded: a stalled link must fail this phase, not hang the run (blocking sends).
    sent=$(timeout $((RA_SECS + 10)) hwsim-medium udp-send --dst "$2:47600" \
        --payload $RA_PAYLOAD --secs $RA_SECS --rate-kbps $RA_RATE 2>&1 | tail -1)
    sleep 1
    r1=$(ra_stat "$4" rx_packets)
    case "$sent" in "{"*"}") ;; *) e realap_udp_send "$sent"; sent='{}' ;; esac
    echo "{\"sent\":$sent,\"received_frames\":$((r1 - r0))}"
}

unload_card
killall hostapd wpa_supplicant hwsim-medium 2>/dev/null
rmmod mac80211_hwsim 2>/dev/null
if load_card air=1 && [ -e $V/air ] && load_driver && [ -d /sys/class/net/wlan0 ] &&
    modprobe mac80211_hwsim radios=1; then
    realap_air=true
    sleep 0.5
    AP_IF=$(ra_hwsim_if)
    AP_MAC=$(cat /sys/class/net/$AP_IF/address)
    STA_MAC=$(cat /sys/class/net/wlan0/address)
    e realap_interfaces ap "$AP_IF" "$AP_MAC" sta wlan0 "$STA_MAC"
    hwsim-medium bridge --air $V/air --stats /tmp/ra-medium.json >/tmp/ra-medium.out 2>&1 &
    ra_medium=$!
    sleep 0.5
    sed "s/^interface=.*/interface=$AP_IF/" /etc/hostap/hostapd-open.conf >/tmp/ra-hostapd.conf
    hostapd -B -P /tmp/ra-hostapd.pid /tmp/ra-hostapd.conf >/tmp/ra-hostapd.out 2>&1 ||
        e realap_hostapd_failed "$(tail -3 /tmp/ra-hostapd.out)"
    sleep 1
    ip link set wlan0 up
    wpa_supplicant -B -i wlan0 -c /etc/hostap/wpa-open.conf -P /tmp/ra-wpa.pid \
        >/tmp/ra-wpa.out 2>&1 || e realap_wpa_supplicant_failed "$(tail -3 /tmp/ra-wpa.out)"
    for i in $(seq 1 120); do
        [ "$(ra_state)" = COMPLETED ] && { realap_associated=true; break; }
        sleep 0.25
    done
    realap_wpa_state="\"$(ra_state)\""
    wpa_cli -p /run/wpa_supplicant -i wlan0 scan_results 2>/dev/null | grep -q bes2600-realap &&
        realap_scan=true
    e realap_associated $realap_associated state $realap_wpa_state scan $realap_scan
    iw dev wlan0 link 2>&1 | head -4 | sed 's/^/E2E realap link: /'
    if $realap_associated; then
        # Downlink: AP -> station.
        ip addr add 192.0.2.1/24 dev "$AP_IF"
        realap_rx=$(ra_udp "$AP_IF" 192.0.2.2 "$STA_MAC" wlan0)
        ip addr del 192.0.2.1/24 dev "$AP_IF"
        e realap_rx "$realap_rx"
        # Uplink: station -> AP.
        ip addr add 192.0.2.2/24 dev wlan0
        realap_tx=$(ra_udp wlan0 192.0.2.1 "$AP_MAC" "$AP_IF")
        ip addr del 192.0.2.2/24 dev wlan0
        e realap_tx "$realap_tx"
    fi
    tr '\n' ' ' <$V/air_stats 2>/dev/null | sed 's/^/E2E realap air_stats: /'; echo
    cat $D/counters 2>/dev/null | tr '\n' ' ' | sed 's/^/E2E realap driver: /'; echo
    [ -r /tmp/ra-wpa.pid ] && kill "$(cat /tmp/ra-wpa.pid)" 2>/dev/null
    [ -r /tmp/ra-hostapd.pid ] && kill "$(cat /tmp/ra-hostapd.pid)" 2>/dev/null
    sleep 0.5
    kill $ra_medium 2>/dev/null
    wait $ra_medium 2>/dev/null
    tail -3 /tmp/ra-medium.out 2>/dev/null | sed 's/^/E2E realap medium: /'
    realap_medium=$(cat /tmp/ra-medium.json 2>/dev/null)
    case "$realap_medium" in "{"*"}") ;; *) realap_medium='{}' ;; esac
    e realap_medium "$realap_medium"
    tail -5 /tmp/ra-hostapd.out 2>/dev/null | sed 's/^/E2E realap hostapd: /'
    rmmod mac80211_hwsim || e realap_rmmod_hwsim_failed
fi
# Later phases expect the simulated AP's card (no air mode).
unload_card

result realap_air $realap_air
result realap_scan $realap_scan
result realap_associated $realap_associated
result realap_wpa_state "$realap_wpa_state"
result realap_rx "$realap_rx"
result realap_tx "$realap_tx"
result realap_medium "$realap_medium"
