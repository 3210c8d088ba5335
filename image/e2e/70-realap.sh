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
# Datagrams are counted at the receiving host's IPv4 layer (rl_ip_in, image/e2e/realap-lib.sh).
# Downlink: 192.0.2.1 on the AP's interface, `hwsim-medium udp-send` to 192.0.2.2 (a
# permanent neighbour entry for wlan0's MAC); uplink: the mirror image.
RA_SECS=3
RA_RATE=4000
RA_PAYLOAD=1000
realap_air=false realap_2g='{}' realap_5g='{}' realap_medium='{}' realap_phy='{}'
sh -n /e2e/realap-lib.sh && . /e2e/realap-lib.sh
RL_TAG=realap
# ra_udp IF_FROM DST_IP DST_MAC: this phase's stream (RA_SECS at RA_RATE).
ra_udp() { rl_udp "$1" "$2" "$3" $RA_SECS $RA_RATE $RA_PAYLOAD; }
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
    local band=$1 assoc=false scan=false freq=0 state rx='{}' tx='{}' txrate=null chiprate=null
    sed "s/^interface=.*/interface=$AP_IF/" /etc/hostap/$2 >/tmp/ra-hostapd.conf
    rl_hostapd /tmp/ra-hostapd-$band.out /tmp/ra-hostapd.conf
    sleep 1
    rl_supplicant /etc/hostap/$3 /tmp/ra-wpa-$band.out
    # 5 GHz: ~27 enabled channels at 100 TU each (the passive dwell), after 2.4 GHz.
    rl_wait_completed 160 && assoc=true
    state=$(rl_state)
    freq=$(rl_state freq)
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
        # The TX bitrate to the AP after the uplink, Mb/s (issue 16 §3: a rate of this band).
        iw dev wlan0 station dump >/tmp/ra-sta-$band.txt 2>&1
        sed "s/^/E2E realap $band station: /" /tmp/ra-sta-$band.txt | grep -i bitrate
        txrate=$(sed -n 's/^[[:space:]]*tx bitrate:[[:space:]]*\([0-9.]*\) MBit.*/\1/p' /tmp/ra-sta-$band.txt | head -1)
        # The firmware rate number the chip last sent at (its confirm's txedRate).
        chiprate=$(sed -n 's/^chip_txed_rate_last //p' $V/contract 2>/dev/null | head -1)
        e realap_band $band rx "$rx" tx "$tx"
    fi
    # Both gone before the next band starts.
    rl_stop_aps
    tail -3 /tmp/ra-hostapd-$band.out 2>/dev/null | sed "s/^/E2E realap $band hostapd: /"
    printf '{"band":%s,"freq":%s,"scan":%s,"associated":%s,"wpa_state":"%s","rx":%s,"tx":%s,"tx_bitrate":%s,"chip_txed_rate":%s}' \
        "$band" "${freq:-0}" $scan $assoc "$state" "$rx" "$tx" "${txrate:-null}" "${chiprate:-null}" >/tmp/ra-$band.json
}

rl_clean
if rl_air_up "" "radios=1 regtest=5"; then
    realap_air=true
    AP_IF=$RL_AP_IF AP_MAC=$RL_AP_MAC STA_MAC=$RL_STA_MAC
    e realap_interfaces ap "$AP_IF" "$AP_MAC" sta wlan0 "$STA_MAC"
    realap_phy=$(ra_phy_json)
    e realap_phy "$realap_phy"
    ip link set wlan0 up
    ra_band 2.4 hostapd-open.conf wpa-open.conf 2437
    realap_2g=$(cat /tmp/ra-2.4.json)
    ra_band 5 hostapd-open-5g.conf wpa-open-5g.conf 5180
    realap_5g=$(cat /tmp/ra-5.json)
    tr '\n' ' ' <$V/air_stats 2>/dev/null | sed 's/^/E2E realap air_stats: /'; echo
    cat $D/counters 2>/dev/null | tr '\n' ' ' | sed 's/^/E2E realap driver: /'; echo
fi
# Later phases expect the simulated AP's card (no air mode).
rl_air_down
if $realap_air; then
    realap_medium=$(rl_medium_json)
    e realap_medium "$realap_medium"
fi

result realap_air $realap_air
result realap_phy "$realap_phy"
result realap_2g "$realap_2g"
result realap_5g "$realap_5g"
result realap_medium "$realap_medium"
