# Association state in the firmware (issue 16 §3), through the real AP of phase 70: Debian's
# hostapd on a mac80211_hwsim radio, bridged to the simulated chip's air (hwsim-medium bridge,
# the virtual card with air=1), Debian's wpa_supplicant on bes2600's wlan0 with a randomised
# address (global mac_addr=1). hostapd runs phase 70's open BSS with beacon interval, DTIM and
# the stations' WMM parameters set to values that are nobody's default, so that a firmware
# field can only match them if the driver carried them there.
#
# After association, read back from the simulated firmware (the card's debugfs `contract`,
# fw_* lines of driver/sim/src/bss.rs): the AID of set-BSS-params against hostapd's `sta`
# AID, the join's beacon interval and the DTIM of the beacon wake-up period against the
# configuration, the EDCA table (conf_tx) against the WMM parameters, the order rules. Then a
# background scan while associated (`iw dev wlan0 scan` for two SSIDs, the AP's and an absent
# one): it must find the AP, go out as one forced background scan with both SSIDs after the
# probe-request template, and keep the link.
AS_BI=120
AS_DTIM=3
# WMM parameters advertised to stations (hostapd wmm_ac_*): AIFSN, ECWmin, ECWmax, TXOP
# (32 µs units).
AS_BE="4 5 10 0"
AS_VO="2 2 3 47"
assoc_state_ok=false fw_aid=0 bg_scan_kept_link=false vif_mac_random_ok=false
assoc_fw='{}' assoc_conf='{}' assoc_bg_scan='{}'

sh -n /e2e/realap-lib.sh && . /e2e/realap-lib.sh
RL_TAG=assoc
as_bssid() { iw dev wlan0 link 2>/dev/null | sed -n 's/^Connected to \([0-9a-f:]*\).*/\1/p'; }
# The firmware's field $1 (a "name value" line of the card's contract file).
as_fw() { sed -n "s/^$1 //p" $V/contract 2>/dev/null | head -1; }
# The same for a number (0 when absent), for the JSON.
as_fwn() { v=$(as_fw $1); case "$v" in ''|*[!0-9]*) echo 0 ;; *) echo $v ;; esac; }
# "aifs=A cwmin=C cwmax=X txop_us=T" from hostapd's "AIFSN ECWmin ECWmax TXOP" as mac80211
# gives them to conf_tx (CW = 2^ECW - 1, TXOP in 32 µs units, C:wsm.h:1250).
as_edca_want() {
    set -- $1
    echo "aifs=$1 cwmin=$(((1 << $2) - 1)) cwmax=$(((1 << $3) - 1)) txop_us=$(($4 * 32))"
}
as_up() {
    rl_air_up || return 1
    AS_AP_IF=$RL_AP_IF
    AS_PERM=$(cat /sys/class/net/wlan0/phy80211/macaddress 2>/dev/null)
    {
        sed -e "s/^interface=.*/interface=$AS_AP_IF/" -e "s/^beacon_int=.*/beacon_int=$AS_BI/" \
            -e "s/^dtim_period=.*/dtim_period=$AS_DTIM/" /etc/hostap/hostapd-open.conf
        for ac in be vo; do
            eval "set -- \$AS_$(echo $ac | tr a-z A-Z)"
            echo "wmm_ac_${ac}_aifs=$1"
            echo "wmm_ac_${ac}_cwmin=$2"
            echo "wmm_ac_${ac}_cwmax=$3"
            echo "wmm_ac_${ac}_txop_limit=$4"
            echo "wmm_ac_${ac}_acm=0"
        done
    } >/tmp/as-hostapd.conf
    rl_hostapd /tmp/as-hostapd.out /tmp/as-hostapd.conf || return 1
    sleep 1
    # A random address per connection, as wpa_supplicant's mac_addr=1 gives it.
    { echo "mac_addr=1"; cat /etc/hostap/wpa-open.conf; } >/tmp/as-wpa.conf
    rl_supplicant /tmp/as-wpa.conf /tmp/as-wpa.log
}

rl_clean
if as_up; then
    associated=false
    rl_wait_completed 160 && associated=true
    sta_mac=$(cat /sys/class/net/wlan0/address)
    e assoc_associated $associated sta "$sta_mac" perm "$AS_PERM"
    if $associated; then
        # conf_tx and the association's MIBs follow the association by a few ms.
        sleep 1
        ap_sta=$(hostapd_cli -p /run/hostapd -i "$AS_AP_IF" sta "$sta_mac" 2>/dev/null)
        ap_aid=$(echo "$ap_sta" | sed -n 's/^aid=\([0-9]*\)$/\1/p' | head -1)
        fw_aid=$(as_fwn fw_aid)
        fw_bi=$(as_fwn fw_beacon_int); fw_wake=$(as_fwn fw_wake_beacons)
        fw_viol=$(as_fw fw_assoc_order_violations); fw_viol=${fw_viol:--1}
        want_be=$(as_edca_want "$AS_BE"); want_vo=$(as_edca_want "$AS_VO")
        fw_be=$(as_fw fw_edca_be); fw_vo=$(as_fw fw_edca_vo)
        assoc_fw="{\"aid\":$fw_aid,\"beacon_int\":${fw_bi:-0},\"join_dtim\":$(as_fwn fw_dtim),\"wake_beacons\":${fw_wake:-0},\"edca_be\":\"$fw_be\",\"edca_vo\":\"$fw_vo\",\"slot_us\":$(as_fwn fw_slot_us),\"keep_alive_s\":$(as_fwn fw_keep_alive_s),\"pmf\":\"$(as_fw fw_pmf)\",\"assoc_mode\":\"$(as_fw fw_assoc_mode)\",\"order_violations\":$fw_viol}"
        assoc_conf="{\"ap_aid\":${ap_aid:-0},\"beacon_int\":$AS_BI,\"dtim\":$AS_DTIM,\"edca_be\":\"$want_be\",\"edca_vo\":\"$want_vo\",\"sta_mac\":\"$sta_mac\",\"perm_mac\":\"$AS_PERM\"}"
        e assoc_fw "$assoc_fw"
        e assoc_conf "$assoc_conf"
        [ "$fw_aid" -gt 0 ] && [ "$fw_aid" = "$ap_aid" ] && [ "$fw_bi" = "$AS_BI" ] &&
            [ "$fw_wake" = "$AS_DTIM" ] && [ "$fw_be" = "$want_be" ] && [ "$fw_vo" = "$want_vo" ] &&
            [ "$fw_viol" = 0 ] && assoc_state_ok=true
        # hostapd knows the station by the randomised address its frames carried.
        if [ -n "$AS_PERM" ] && [ "$sta_mac" != "$AS_PERM" ] && [ -n "$ap_aid" ]; then
            vif_mac_random_ok=true
        fi
        # A scan while associated: background, after the template, the link kept.
        bss0=$(as_bssid)
        scans0=$(as_fwn fw_scans)
        found=false
        # wpa_supplicant may be scanning itself (EBUSY): a few tries.
        for i in 1 2 3 4 5; do
            if timeout 30 iw dev wlan0 scan ssid bes2600-realap bes2600-absent \
                >/tmp/as-scan.out 2>&1; then
                grep -q "SSID: bes2600-realap" /tmp/as-scan.out && found=true
                break
            fi
            sleep 1
        done
        [ -s /tmp/as-scan.out ] && head -2 /tmp/as-scan.out | sed 's/^/E2E assoc scan: /'
        sleep 1
        bss1=$(as_bssid)
        state1=$(rl_state)
        last=$(as_fw fw_last_scan)
        bg=$(echo "$last" | sed -n 's/.*background=\([0-9]\).*/\1/p')
        nssid=$(echo "$last" | sed -n 's/.*ssids=\([0-9]*\).*/\1/p')
        $found && [ "$state1" = COMPLETED ] && [ -n "$bss0" ] && [ "$bss1" = "$bss0" ] &&
            bg_scan_kept_link=true
        assoc_bg_scan="{\"found\":$found,\"state_after\":\"$state1\",\"bssid_before\":\"$bss0\",\"bssid_after\":\"$bss1\",\"scans\":$(( $(as_fwn fw_scans) - scans0 )),\"background\":${bg:-0},\"ssids\":${nssid:-0},\"fg_scans_joined\":$(as_fwn fw_fg_scans_joined),\"probe_template_len\":$(as_fwn fw_probe_template_len)}"
        e assoc_bg_scan "$assoc_bg_scan"
    fi
    grep -E "^fw_" $V/contract 2>/dev/null | tr '\n' ' ' | sed 's/^/E2E assoc fw: /'; echo
    tail -5 /tmp/as-hostapd.out 2>/dev/null | sed 's/^/E2E assoc hostapd: /'
fi
rl_air_down
result assoc_state_ok $assoc_state_ok
result fw_aid $fw_aid
result bg_scan_kept_link $bg_scan_kept_link
result vif_mac_random_ok $vif_mac_random_ok
result assoc_fw "$assoc_fw"
result assoc_conf "$assoc_conf"
result assoc_bg_scan "$assoc_bg_scan"
