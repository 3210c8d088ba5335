# Roaming between bands with the stream continuing (issue 16 §4): Debian's hostapd serves two
# open BSSes with the same SSID, one on 2.4 GHz channel 6 and one on 5 GHz channel 36, each on
# its own mac80211_hwsim radio (regtest=5, as phase 70), bridged to the simulated chip's air
# by hwsim-medium (realap-lib.sh). wpa_supplicant on bes2600's wlan0 associates with the BSS
# it picks; a UDP downlink stream runs from the AP side to the station; mid-stream
# `wpa_cli roam <the other BSSID>` moves the station to the other band, and the stream must
# reach it there.
#
# The distribution system: the stream leaves the AP side through whichever AP netdev the
# station is associated with. On a real network a bridge over both APs learns the station's
# port from the Layer 2 Update frame mac80211 sends for a new station; the QEMU kernel has no
# bridge (allnoconfig + image/qemu.cfg), so a host route plays its part: 192.0.2.1 on both AP
# netdevs, a permanent neighbour entry for the station on both, and `ip route replace
# 192.0.2.2/32 dev <AP netdev>` run by hostapd_cli's action script on that AP's
# AP-STA-CONNECTED event (rm-ds.sh below). The sender's connected socket re-routes on its next
# datagram (the route change invalidates its cached route).
#
# Measured at the station's IPv4 layer (InReceives, as phase 70 counts): a sampler reads the
# counter from /proc/net/snmp about every 20 ms with shell builtins only (no fork per sample)
# and logs each change with /proc/uptime (10 ms resolution). roam_gap_ms is the longest time
# without a datagram from the roam command on; roam_lost what was sent and never arrived
# (nothing is lost away from the roam: phase 70's downlink loses none); roamed is true when
# the BSSID and the band changed and datagrams arrived after the station completed the
# association with the new BSS.
RM_SECS=10
# The roam is issued this many seconds into the stream.
RM_AT=3
# Well under what hostapd's 5 GHz downlink carries here (phase 70: ~1.7 Mbit/s at hwsim's
# 6 Mbit/s), so the sender is paced, not blocked, and the datagrams offered during the gap
# follow from the rate.
RM_RATE=1000
RM_PAYLOAD=1000
roam_air=false roamed=false roam_gap_ms=-1 roam_lost=-1 roam='{}'
sh -n /e2e/realap-lib.sh && . /e2e/realap-lib.sh
RL_TAG=roam

# Now, in centiseconds of /proc/uptime (two decimals), without a fork.
rm_now() {
    local up _
    read -r up _ </proc/uptime
    RM_NOW=$((${up%.*} * 100 + 1${up#*.} - 100))
}
# rm_sample SECS: "CS COUNT" whenever Ip InReceives changes, for SECS seconds, then a last
# "CS COUNT end" line. Builtins only inside the loop (read, set, eval), so the sampler costs
# the emulated CPUs little beside the stream.
rm_sample() {
    local c v n last=-1 end
    c=$(awk '/^Ip: / {for (i = 2; i <= NF; i++) if ($i == "InReceives") print i; exit}' /proc/net/snmp)
    rm_now
    end=$((RM_NOW + $1 * 100))
    while :; do
        rm_now
        { read -r v; read -r v; } </proc/net/snmp
        set -- $v
        eval "n=\${$c}"
        [ "$n" = "$last" ] || { echo "$RM_NOW $n"; last=$n; }
        [ $RM_NOW -ge $end ] && break
        sleep 0.02
    done
    echo "$RM_NOW $n end"
}
rm_status() { wpa_cli -p $RL_WPA_CTRL -i wlan0 status 2>/dev/null; }

rl_clean
if rl_air_up "" "radios=2 regtest=5"; then
    roam_air=true
    if_2g=$(rl_hwsim_if 1) if_5g=$(rl_hwsim_if 2)
    bss_2g=$(cat /sys/class/net/$if_2g/address) bss_5g=$(cat /sys/class/net/$if_5g/address)
    e roam_interfaces 2g "$if_2g" "$bss_2g" 5g "$if_5g" "$bss_5g" sta "$RL_STA_MAC"
    sed "s/^interface=.*/interface=$if_2g/" /etc/hostap/hostapd-roam-2g.conf >/tmp/rm-2g.conf
    sed "s/^interface=.*/interface=$if_5g/" /etc/hostap/hostapd-roam-5g.conf >/tmp/rm-5g.conf
    cat >/tmp/rm-ds.sh <<'DS'
#!/bin/sh
# hostapd_cli action: $1 the AP netdev, $2 the event, $3 the station. The stream follows the
# station to the AP it associated with.
[ "$2" = AP-STA-CONNECTED ] || exit 0
ip route replace 192.0.2.2/32 dev "$1"
read -r up _ </proc/uptime
echo "$up $1 $3" >>/tmp/rm-ds.log
DS
    chmod +x /tmp/rm-ds.sh
    rm -f /tmp/rm-ds.log
    rm_cli=
    # hostapd brings both netdevs up; permanent neighbour entries go only after that (a
    # netdev going down flushes them).
    if rl_hostapd /tmp/rm-hostapd.out /tmp/rm-2g.conf /tmp/rm-5g.conf; then
        sleep 1
        for i in $if_2g $if_5g; do
            ip addr add 192.0.2.1/32 dev $i
            hwsim-medium neigh --dev $i --ip 192.0.2.2 --mac "$RL_STA_MAC" 2>&1 |
                sed 's/^/E2E roam neigh: /'
            hostapd_cli -p /run/hostapd -i $i -a /tmp/rm-ds.sh </dev/null >/tmp/rm-cli-$i.out 2>&1 &
            rm_cli="$rm_cli $!"
        done
        sleep 0.5
    fi
    assoc=false from_bss= from_freq=0 to_bss= to_freq=0 target= cmd='""' sent='{}'
    rx=0 after=0 expect_after=0 gap=-1 resume_ms=-1 assoc_ms=-1 lost=-1
    rl_supplicant /etc/hostap/wpa-roam.conf /tmp/rm-wpa.log &&
        rl_wait_completed 160 && assoc=true
    if $assoc; then
        from_bss=$(rl_state bssid) from_freq=$(rl_state freq)
        case "$from_bss" in "$bss_2g") target=$bss_5g ;; "$bss_5g") target=$bss_2g ;; esac
        # The route follows the first association (the action runs a moment after it).
        for i in $(seq 1 20); do
            [ -n "$(ip route show 192.0.2.2 2>/dev/null)" ] && break
            sleep 0.1
        done
        # The target fresh in wpa_supplicant's BSS table (`roam` needs it there) and in
        # cfg80211's (entries expire after 30 s): a scan on its channel, before the stream.
        tfreq=2437
        [ "$target" = "$bss_5g" ] && tfreq=5180
        age=
        for i in 1 2 3; do
            wpa_cli -p $RL_WPA_CTRL -i wlan0 scan freq=$tfreq >/dev/null 2>&1
            for j in $(seq 1 20); do
                sleep 0.25
                age=$(wpa_cli -p $RL_WPA_CTRL -i wlan0 bss "$target" 2>/dev/null | sed -n 's/^age=//p')
                [ -n "$age" ] && [ "$age" -le 1 ] && break 2
            done
        done
        sleep 0.5
        e roam_first bssid "$from_bss" freq "$from_freq" target "$target" target_age "${age:-none}" \
            route "$(ip route show 192.0.2.2 2>/dev/null)"
        rm_sample $((RM_SECS + 3)) >/tmp/rm-samples.txt &
        sampler=$!
        sleep 0.5
        rm_now; t_send=$RM_NOW
        timeout $((RM_SECS + 10)) hwsim-medium udp-send --dst 192.0.2.2:47600 \
            --payload $RM_PAYLOAD --secs $RM_SECS --rate-kbps $RM_RATE >/tmp/rm-send.out 2>&1 &
        sender=$!
        sleep $RM_AT
        rm_now; t_roam=$RM_NOW t_done=0
        cmd="\"$(wpa_cli -p $RL_WPA_CTRL -i wlan0 roam "$target" 2>&1 | tail -1)\""
        # Until wpa_supplicant completes the association with the target (up to 15 s).
        for i in $(seq 1 150); do
            st=$(rm_status)
            if echo "$st" | grep -qx "bssid=$target" && echo "$st" | grep -qx "wpa_state=COMPLETED"
            then
                rm_now; t_done=$RM_NOW
                break
            fi
            sleep 0.1
        done
        wait $sender
        sent=$(tail -1 /tmp/rm-send.out)
        case "$sent" in "{"*"}") ;; *) e roam_udp_send "$sent"; sent='{}' ;; esac
        wait $sampler
        to_bss=$(rl_state bssid) to_freq=$(rl_state freq)
        # From the samples: received datagrams, the longest silence from the roam command on
        # (and when the stream resumed; -1 when the station never completed the roam), what
        # arrived after the association with the target.
        set -- $(awk -v tr=$t_roam -v td=$t_done '
            NR == 1 {c0 = $2; pt = $1; pc = $2; ctd = $2; next}
            $3 == "end" {cend = $2; next}
            $2 > pc {
                if ($1 >= tr && $1 - pt > gap) {gap = $1 - pt; res = $1}
                if (td > 0 && $1 <= td) ctd = $2
                pt = $1; pc = $2
            }
            END {
                # No gap without a roam: the silence is only measured up to the stream
                # resuming after the association with the target.
                if (res == "" || td == 0) {gap = -1; res = tr - 1}
                printf "%d %d %d %d", cend - c0, (td > 0 ? cend - ctd : 0), (gap < 0 ? -1 : gap * 10),
                    (gap < 0 ? -1 : (res - tr) * 10)
            }' /tmp/rm-samples.txt)
        rx=${1:-0} after=${2:-0} gap=${3:--1} resume_ms=${4:--1}
        [ "$t_done" -gt 0 ] && assoc_ms=$(((t_done - t_roam) * 10))
        n=$(json_num "$sent" datagrams)
        [ -n "$n" ] && lost=$((n - rx))
        # What the sender offered after the association completed, at its rate (datagrams/s).
        if [ "$t_done" -gt 0 ]; then
            expect_after=$(((t_send + RM_SECS * 100 - t_done) * RM_RATE * 1000 / (RM_PAYLOAD * 8) / 100))
            [ $expect_after -lt 0 ] && expect_after=0
        fi
        e roam_samples "$(wc -l </tmp/rm-samples.txt)" lines
        [ "$to_bss" = "$target" ] && [ "${to_freq:-0}" != "$from_freq" ] && [ "$after" -gt 0 ] &&
            roamed=true
        roam_gap_ms=$gap roam_lost=$lost
    fi
    ds=$(tr '\n' ';' </tmp/rm-ds.log 2>/dev/null)
    roam="{\"associated\":$assoc,\"from\":{\"bssid\":\"$from_bss\",\"freq\":${from_freq:-0}},\"target\":\"$target\",\"to\":{\"bssid\":\"$to_bss\",\"freq\":${to_freq:-0}},\"roam_cmd\":$cmd,\"sent\":$sent,\"received\":$rx,\"after_rx\":$after,\"after_expected\":$expect_after,\"gap_ms\":$gap,\"resume_ms\":$resume_ms,\"assoc_ms\":$assoc_ms,\"ds_moves\":$(cat /tmp/rm-ds.log 2>/dev/null | grep -c .),\"ds\":\"$ds\"}"
    e roam "$roam"
    grep -E "CTRL-EVENT-CONNECTED|CTRL-EVENT-DISCONNECTED|Trying to associate|SME:" /tmp/rm-wpa.log |
        tail -8 | sed 's/^/E2E roam supplicant: /'
    tail -4 /tmp/rm-hostapd.out 2>/dev/null | sed 's/^/E2E roam hostapd: /'
    for p in $rm_cli; do kill $p 2>/dev/null; done
    # For a failed roam: the samples, the supplicant, the kernel and the card around it.
    if ! $roamed; then
        tr '\n' ' ' </tmp/rm-samples.txt 2>/dev/null | sed 's/^/E2E roam samples: /'; echo
        tail -25 /tmp/rm-wpa.log 2>/dev/null | sed 's/^/E2E roam wpa: /'
        dmesg | tail -30 | sed 's/^/E2E roam dmesg: /'
        grep -E "^fw_" $V/contract 2>/dev/null | tr '\n' ' ' | sed 's/^/E2E roam fw: /'; echo
    fi
    grep -E "^contract_violations|^rule .* [1-9]" $V/contract 2>/dev/null | sed 's/^/E2E roam contract: /'
fi
rl_air_down

result roam_air $roam_air
result roamed $roamed
result roam_gap_ms $roam_gap_ms
result roam_lost $roam_lost
result roam "$roam"
