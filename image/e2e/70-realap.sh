# A real access point on both bands (issue 16 §1, §4): Debian's hostapd serves an open BSS on
# a mac80211_hwsim radio, first on 2.4 GHz channel 6, then on 5 GHz channel 36;
# `hwsim-medium bridge --air` carries every frame between hwsim and the simulated chip's radio
# (the virtual card loaded with air=1: no built-in AP; debugfs bes2600_vsdio/air); Debian's
# wpa_supplicant runs on bes2600's wlan0. Per band the station scans (on 5 GHz passively: see
# below), authenticates and associates with hostapd; then UDP datagrams cross the BSS each
# way through hostapd's AP data path.
#
# Regulatory: the world domain marks every 5 GHz channel NO_IR, where no AP may start. hwsim is
# loaded with regtest=5 (HWSIM_REGTEST_CUSTOM_WORLD): each hwsim radio gets hwsim's own
# custom domain (hwsim_world_regdom_custom_03: 5150-5250 MHz open), applied to its wiphy only
# (wiphy_apply_custom_regulatory), so hostapd may serve channel 36. Nothing changes the global
# domain: bes2600's wiphy keeps the world rules, 5 GHz stays NO_IR there, and the driver scans
# it without probe requests (C:scan.c:606-609), hearing hostapd's beacons. A country hint
# (iw reg set) would need wireless-regdb and would move bes2600 too.
#
# Datagrams are counted at the receiving host's IPv4 layer (/proc/net/snmp Ip InReceives: the
# receiving interface has no address, and IP counts what it receives before routing drops
# it). The guest has no other IPv4 traffic, so the delta is the stream's delivered datagrams.
# Downlink: 192.0.2.1 on the AP's interface, `hwsim-medium udp-send` to 192.0.2.2 (a
# permanent neighbour entry for wlan0's MAC); uplink: the mirror image.
RA_SECS=3
RA_RATE=4000
RA_PAYLOAD=1000
realap_air=false realap_2g='{}' realap_5g='{}' realap_medium='{}' realap_phy='{}'
# The netdev of the first mac80211_hwsim radio.
ra_hwsim_if() {
    for n in /sys/class/net/*; do
        case "$(readlink -f $n)" in */mac80211_hwsim/*) echo ${n##*/}; return ;; esac
    done
}
ra_state() { wpa_cli -p /run/wpa_supplicant -i wlan0 status 2>/dev/null | sed -n "s/^$1=//p"; }
ra_ip_in() { awk '/^Ip: [0-9]/ {print $4}' /proc/net/snmp; }
# ra_udp IF_FROM DST_IP DST_MAC: sends the stream from IF_FROM's address to DST_IP and prints
# {"sent":{...},"received":N} (IPv4 datagrams the guest received meanwhile).
ra_udp() {
    hwsim-medium neigh --dev "$1" --ip "$2" --mac "$3" 2>&1 | sed 's/^/E2E realap neigh: /'
    local r0 r1 sent
    r0=$(ra_ip_in)
    # Bounded: a stalled link must fail this phase, not hang the run (blocking sends).
    sent=$(timeout $((RA_SECS + 10)) hwsim-medium udp-send --dst "$2:47600" \
        --payload $RA_PAYLOAD --secs $RA_SECS --rate-kbps $RA_RATE 2>&1 | tail -1)
    sleep 1
    r1=$(ra_ip_in)
    case "$sent" in "{"*"}") ;; *) e realap_udp_send "$sent"; sent='{}' ;; esac
    echo "{\"sent\":$sent,\"received\":$((r1 - r0))}"
}
# bes2600's registered 5 GHz channels: how many, how many the regulatory domain left enabled,
# and how many of those are NO_IR (iw phy: "(no IR)").
ra_phy_json() {
    local phy
    phy=$(cat /sys/class/net/wlan0/phy80211/name 2>/dev/null)
    iw phy "$phy" channels >/tmp/ra-phy.txt 2>&1
    grep -A400 "^Band 2:" /tmp/ra-phy.txt | grep -E "MHz|IR" | head -12 |
        sed 's/^/E2E realap phy: /' >&2
    awk '
        /^Band 2:/ {b = 5; next} /^Band / {b = 0; next}
        b == 5 && / MHz \[/ {n++; if (tolower($0) ~ /disabled/) dis++; next}
        b == 5 && tolower($0) ~ /no ir/ {noir++}
        END {printf "{\"channels_5g\":%d,\"disabled_5g\":%d,\"no_ir_5g\":%d}", n, dis, noir}
    ' /tmp/ra-phy.txt
}
# ra_band BAND HOSTAPD_CONF WPA_CONF FREQ: one band's run with the card, driver, hwsim and
# medium up; writes the band's JSON object to /tmp/ra-BAND.json.
ra_band() {
    local band=$1 assoc=false scan=false freq=0 state rx='{}' tx='{}' i
    sed "s/^interface=.*/interface=$AP_IF/" /etc/hostap/$2 >/tmp/ra-hostapd.conf
    rm -f /tmp/ra-hostapd.pid /tmp/ra-wpa.pid
    hostapd -B -P /tmp/ra-hostapd.pid /tmp/ra-hostapd.conf >/tmp/ra-hostapd-$band.out 2>&1 ||
        e realap_hostapd_failed $band "$(tail -3 /tmp/ra-hostapd-$band.out)"
    sleep 1
    wpa_supplicant -B -i wlan0 -c /etc/hostap/$3 -P /tmp/ra-wpa.pid \
        >/tmp/ra-wpa-$band.out 2>&1 || e realap_wpa_supplicant_failed $band "$(tail -3 /tmp/ra-wpa-$band.out)"
    # 5 GHz: ~27 enabled channels at 100 TU each (the passive dwell), after 2.4 GHz.
    for i in $(seq 1 160); do
        [ "$(ra_state wpa_state)" = COMPLETED ] && { assoc=true; break; }
        sleep 0.25
    done
    state=$(ra_state wpa_state)
    freq=$(ra_state freq)
    # The scan found hostapd on this band's channel (bssid, frequency, signal, flags, ssid).
    wpa_cli -p /run/wpa_supplicant -i wlan0 scan_results 2>/dev/null |
        awk -v f="$4" '$2 == f && $NF == "bes2600-realap" {ok = 1} END {exit !ok}' && scan=true
    e realap_band $band associated $assoc state "$state" freq "${freq:-0}" scan $scan
    iw dev wlan0 link 2>&1 | head -4 | sed "s/^/E2E realap $band link: /"
    if $assoc; then
        ip addr add 192.0.2.1/24 dev "$AP_IF"
        rx=$(ra_udp "$AP_IF" 192.0.2.2 "$STA_MAC")
        ip addr del 192.0.2.1/24 dev "$AP_IF"
        ip addr add 192.0.2.2/24 dev wlan0
        tx=$(ra_udp wlan0 192.0.2.1 "$AP_MAC")
        ip addr del 192.0.2.2/24 dev wlan0
        e realap_band $band rx "$rx" tx "$tx"
    fi
    [ -r /tmp/ra-wpa.pid ] && kill "$(cat /tmp/ra-wpa.pid)" 2>/dev/null
    [ -r /tmp/ra-hostapd.pid ] && kill "$(cat /tmp/ra-hostapd.pid)" 2>/dev/null
    # Both gone before the next band starts (hostapd takes the interface down on exit).
    for i in $(seq 1 20); do
        pidof hostapd wpa_supplicant >/dev/null || break
        sleep 0.25
    done
    tail -3 /tmp/ra-hostapd-$band.out 2>/dev/null | sed "s/^/E2E realap $band hostapd: /"
    printf '{"band":%s,"freq":%s,"scan":%s,"associated":%s,"wpa_state":"%s","rx":%s,"tx":%s}' \
        "$band" "${freq:-0}" $scan $assoc "$state" "$rx" "$tx" >/tmp/ra-$band.json
}

unload_card
killall hostapd wpa_supplicant hwsim-medium 2>/dev/null
rmmod mac80211_hwsim 2>/dev/null
if load_card air=1 && [ -e $V/air ] && load_driver && [ -d /sys/class/net/wlan0 ] &&
    modprobe mac80211_hwsim radios=1 regtest=5; then
    realap_air=true
    sleep 0.5
    AP_IF=$(ra_hwsim_if)
    AP_MAC=$(cat /sys/class/net/$AP_IF/address)
    STA_MAC=$(cat /sys/class/net/wlan0/address)
    e realap_interfaces ap "$AP_IF" "$AP_MAC" sta wlan0 "$STA_MAC"
    realap_phy=$(ra_phy_json)
    e realap_phy "$realap_phy"
    hwsim-medium bridge --air $V/air --stats /tmp/ra-medium.json >/tmp/ra-medium.out 2>&1 &
    ra_medium=$!
    sleep 0.5
    ip link set wlan0 up
    ra_band 2.4 hostapd-open.conf wpa-open.conf 2437
    realap_2g=$(cat /tmp/ra-2.4.json)
    ra_band 5 hostapd-open-5g.conf wpa-open-5g.conf 5180
    realap_5g=$(cat /tmp/ra-5.json)
    tr '\n' ' ' <$V/air_stats 2>/dev/null | sed 's/^/E2E realap air_stats: /'; echo
    cat $D/counters 2>/dev/null | tr '\n' ' ' | sed 's/^/E2E realap driver: /'; echo
    kill $ra_medium 2>/dev/null
    wait $ra_medium 2>/dev/null
    tail -3 /tmp/ra-medium.out 2>/dev/null | sed 's/^/E2E realap medium: /'
    realap_medium=$(cat /tmp/ra-medium.json 2>/dev/null)
    case "$realap_medium" in "{"*"}") ;; *) realap_medium='{}' ;; esac
    e realap_medium "$realap_medium"
    rmmod mac80211_hwsim || e realap_rmmod_hwsim_failed
fi
# Later phases expect the simulated AP's card (no air mode).
unload_card

result realap_air $realap_air
result realap_phy "$realap_phy"
result realap_2g "$realap_2g"
result realap_5g "$realap_5g"
result realap_medium "$realap_medium"
