# The real-AP set-up shared by phases 70, 71, 73 and 74 (issue 16): each sources this file
# (busybox sh; after /e2e/lib.sh, whose load_card, load_driver, unload_card and e it uses).
# mac80211_hwsim radios serve hostapd's BSSes, `hwsim-medium bridge --air` carries every
# frame between them and the simulated chip's air (the virtual card loaded with air=1: no
# built-in AP), and Debian's wpa_supplicant runs on bes2600's wlan0.
#
# A phase sets RL_TAG (its log prefix: "E2E <tag>_hostapd_failed ...") before calling these.
RL_TAG=realap
RL_WPA_CTRL=/run/wpa_supplicant
RL_MEDIUM_JSON=/tmp/rl-medium.json
rl_medium=

# The netdev of the Nth (default first) mac80211_hwsim radio, in /sys/class/net order.
rl_hwsim_if() {
    local n k=0
    for n in /sys/class/net/*; do
        case "$(readlink -f $n)" in
        */mac80211_hwsim/*)
            k=$((k + 1))
            [ $k = "${1:-1}" ] && { echo ${n##*/}; return; }
            ;;
        esac
    done
}
# Field $1 (default wpa_state) of wpa_supplicant's status on wlan0.
rl_state() { wpa_cli -p $RL_WPA_CTRL -i wlan0 status 2>/dev/null | sed -n "s/^${1:-wpa_state}=//p"; }
# Ip InReceives of /proc/net/snmp, found by its header name. The stream's receiving interface
# has no address: IP counts what it receives before routing drops it, and the guest has no
# other IPv4 traffic, so a delta is the stream's delivered datagrams.
rl_ip_in() {
    awk '/^Ip: / { if (!h) { for (i = 2; i <= NF; i++) if ($i == "InReceives") c = i; h = 1 }
        else print $c }' /proc/net/snmp
}
# Waits up to $1 quarter-seconds for wpa_supplicant's COMPLETED; 0 when reached.
rl_wait_completed() {
    local i
    for i in $(seq 1 "$1"); do
        [ "$(rl_state)" = COMPLETED ] && return 0
        sleep 0.25
    done
    return 1
}
# rl_udp IF_FROM DST_IP DST_MAC SECS RATE_KBPS PAYLOAD: the stream (hwsim-medium udp-send)
# from IF_FROM's address to DST_IP, with a permanent neighbour entry for DST_MAC (busybox ip
# cannot add one); prints {"sent":{...},"received":N} with N the IPv4 datagrams the guest
# received meanwhile.
rl_udp() {
    hwsim-medium neigh --dev "$1" --ip "$2" --mac "$3" 2>&1 | sed "s/^/E2E $RL_TAG neigh: /"
    local r0 r1 sent
    r0=$(rl_ip_in)
    # Bounded: a stalled link must fail the phase, not hang the run (blocking sends).
    sent=$(timeout $(($4 + 10)) hwsim-medium udp-send --dst "$2:47600" \
        --payload "$6" --secs "$4" --rate-kbps "$5" 2>&1 | tail -1)
    sleep 1
    r1=$(rl_ip_in)
    case "$sent" in "{"*"}") ;; *) e ${RL_TAG}_udp_send "$sent"; sent='{}' ;; esac
    echo "{\"sent\":$sent,\"received\":$((r1 - r0))}"
}
# Nothing left of an earlier real-AP run (or of a phase that died half-way).
rl_clean() {
    unload_card
    killall hostapd hostapd_cli wpa_supplicant hwsim-medium 2>/dev/null
    rmmod mac80211_hwsim 2>/dev/null
}
# rl_air_up [DRIVER_PARAMS] [HWSIM_PARAMS]: the virtual card in air mode, bes2600 (with
# DRIVER_PARAMS: modprobe bes2600 by name), mac80211_hwsim (HWSIM_PARAMS, default
# radios=1) and the medium bridge, its counters to $RL_MEDIUM_JSON when it stops. Sets
# RL_AP_IF/RL_AP_MAC (the first radio's netdev) and RL_STA_MAC; 0 when all are up.
rl_air_up() {
    load_card air=1 && [ -e $V/air ] || return 1
    if [ -n "$1" ]; then
        modprobe bes2600 $1 && wait_wlan0 || return 1
    else
        load_driver || return 1
    fi
    modprobe mac80211_hwsim ${2:-radios=1} || return 1
    sleep 0.5
    RL_AP_IF=$(rl_hwsim_if)
    RL_AP_MAC=$(cat /sys/class/net/$RL_AP_IF/address)
    RL_STA_MAC=$(cat /sys/class/net/wlan0/address)
    rm -f $RL_MEDIUM_JSON
    hwsim-medium bridge --air $V/air --stats $RL_MEDIUM_JSON >/tmp/rl-medium.out 2>&1 &
    rl_medium=$!
    sleep 0.5
}
# rl_hostapd LOG CONF...: hostapd in the background (one BSS per configuration), its output
# to LOG; 0 when it started.
rl_hostapd() {
    local log=$1
    shift
    rm -f /tmp/rl-hostapd.pid
    hostapd -B -P /tmp/rl-hostapd.pid "$@" >"$log" 2>&1 ||
        { e ${RL_TAG}_hostapd_failed "$(tail -3 "$log")"; return 1; }
}
# rl_supplicant CONF LOG: wpa_supplicant on wlan0 (up) in the background, logging to LOG.
rl_supplicant() {
    ip link set wlan0 up
    rm -f /tmp/rl-wpa.pid "$2"
    wpa_supplicant -B -i wlan0 -c "$1" -P /tmp/rl-wpa.pid -f "$2" ||
        { e ${RL_TAG}_wpa_supplicant_failed "$(tail -3 "$2")"; return 1; }
}
# wpa_supplicant and hostapd stopped, and gone before anything else starts (hostapd takes
# its interfaces down on exit).
rl_stop_aps() {
    local i
    [ -r /tmp/rl-wpa.pid ] && kill "$(cat /tmp/rl-wpa.pid)" 2>/dev/null
    [ -r /tmp/rl-hostapd.pid ] && kill "$(cat /tmp/rl-hostapd.pid)" 2>/dev/null
    rm -f /tmp/rl-wpa.pid /tmp/rl-hostapd.pid
    for i in $(seq 1 20); do
        pidof hostapd wpa_supplicant >/dev/null || break
        sleep 0.25
    done
}
# Everything rl_air_up started, stopped; the card unloaded (its violations kept).
rl_air_down() {
    rl_stop_aps
    [ -n "$rl_medium" ] && { kill $rl_medium 2>/dev/null; wait $rl_medium 2>/dev/null; }
    rl_medium=
    tail -3 /tmp/rl-medium.out 2>/dev/null | sed "s/^/E2E $RL_TAG medium: /"
    grep -q "^mac80211_hwsim " /proc/modules &&
        { rmmod mac80211_hwsim || e ${RL_TAG}_rmmod_hwsim_failed; }
    unload_card
}
# The medium's counters of the last rl_air_up .. rl_air_down, '{}' when it wrote none.
rl_medium_json() {
    local m
    m=$(cat $RL_MEDIUM_JSON 2>/dev/null)
    case "$m" in "{"*"}") echo "$m" ;; *) echo '{}' ;; esac
}
