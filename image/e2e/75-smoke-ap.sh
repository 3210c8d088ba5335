# bes2600-smoke through the hostapd network on both bands (issue 16 §4, §5): the boot-time
# smoke test (smoke/) runs its TCP and UDP measurements, each way, between bes2600's wlan0
# and a `bes2600-smoke serve` peer behind Debian's hostapd, first on 2.4 GHz channel 6, then
# on 5 GHz channel 36 (phase 70's open BSSes; realap-lib.sh for the air set-up).
#
# A TCP test needs two hosts; the guest is one kernel, where 192.0.2.1 and 192.0.2.2 on two
# of its netdevs would talk over the loopback path. So the AP side gets its own network
# namespace (CONFIG_NET_NS, image/qemu.cfg): the hwsim radio's wiphy moves into it (`iw phy
# set netns`), and hostapd, 192.0.2.1 and the serve peer run there (nsenter). The radio keeps
# init's hwsim netgroup, so the medium bridge in init's namespace still carries its frames
# (mac80211_hwsim.c: hwsim_unicast_netgroup); the namespace holder has its own mount
# namespace with a sysfs of its own, so /sys/class/net there lists the AP's netdev. When the
# holder exits the radio returns to init's namespace (hwsim_exit_net).
SA_SECS=4
# The UDP tests' offered payload rate (bytes/s): within what phase 70 carries with nothing
# lost on the downlink (4000 kbit/s).
SA_UDP_RATE=250000
smoke_ap_2g='{}' smoke_ap_5g='{}' smoke_ap_air=false
sh -n /e2e/realap-lib.sh && . /e2e/realap-lib.sh
RL_TAG=smoke_ap

# sa_ns CMD...: CMD inside the AP's namespaces.
sa_ns() { nsenter -t "$sa_holder" -n -m "$@"; }
# sa_band BAND HOSTAPD_CONF WPA_CONF: one band's smoke run; the report (one line) to
# /tmp/sa-BAND.json, '{}' when there is none.
sa_band() {
    local band=$1 assoc=false exit_code=null
    echo '{}' >/tmp/sa-$band.json
    sed "s/^interface=.*/interface=$sa_if/" /etc/hostap/$2 >/tmp/sa-hostapd.conf
    rm -f /tmp/sa-hostapd.pid
    sa_ns hostapd -B -P /tmp/sa-hostapd.pid /tmp/sa-hostapd.conf >/tmp/sa-hostapd-$band.out 2>&1 ||
        { e smoke_ap_hostapd_failed $band "$(tail -3 /tmp/sa-hostapd-$band.out)"; return; }
    sa_ns ip addr add 192.0.2.1/24 dev "$sa_if" 2>/dev/null
    sleep 1
    rl_supplicant /etc/hostap/$3 /tmp/sa-wpa-$band.log && rl_wait_completed 160 && assoc=true
    e smoke_ap_band $band associated $assoc freq "$(rl_state freq)"
    if $assoc; then
        ip addr add 192.0.2.2/24 dev wlan0 2>/dev/null
        bes2600-smoke run -c /tmp/sa-smoke.toml --json /tmp/sa-smoke-$band.json \
            >/tmp/sa-smoke-$band.out 2>&1
        exit_code=$?
        tail -12 /tmp/sa-smoke-$band.out | sed "s/^/E2E smoke_ap $band: /"
        ip addr del 192.0.2.2/24 dev wlan0 2>/dev/null
    fi
    # The report on one line, with the band, the frequency and the exit code beside it.
    if [ -s /tmp/sa-smoke-$band.json ]; then
        printf '{"band":%s,"freq":%s,"associated":%s,"exit":%s,"report":%s}' "$band" \
            "$(rl_state freq | grep -x '[0-9]*' || echo 0)" $assoc $exit_code \
            "$(tr -d '\n' </tmp/sa-smoke-$band.json)" >/tmp/sa-$band.json
    else
        printf '{"band":%s,"associated":%s,"exit":%s}' "$band" $assoc $exit_code >/tmp/sa-$band.json
    fi
    [ -r /tmp/rl-wpa.pid ] && kill "$(cat /tmp/rl-wpa.pid)" 2>/dev/null
    [ -r /tmp/sa-hostapd.pid ] && kill "$(cat /tmp/sa-hostapd.pid)" 2>/dev/null
    for i in $(seq 1 20); do
        pidof hostapd wpa_supplicant >/dev/null || break
        sleep 0.25
    done
    sa_ns ip addr flush dev "$sa_if" 2>/dev/null
}

cat >/tmp/sa-smoke.toml <<SMOKE
# The smoke test against the serve peer behind hostapd (phase 75).
[interface]
name = "wlan0"

[peer]
address = "192.0.2.1"
kind = "serve"

[test]
duration_s = $SA_SECS
udp_rate_bytes_per_s = $SA_UDP_RATE

[thresholds]
# A floor, not a target: the emulated CPUs and the user-space medium set the rate here
# (phase 70 sees ~2 Mbit/s on hostapd's downlink); the figures are reported per band.
min_median_bytes_per_s = 100000
max_zero_windows = 0
max_recoveries = 0
SMOKE
rl_clean
sa_holder= sa_serve=
if [ -x /bin/bes2600-smoke ] && rl_air_up "" "radios=1 regtest=5"; then
    sa_if=$RL_AP_IF
    phy=$(cat /sys/class/net/$sa_if/phy80211/name)
    # The holder: a shell in new network and mount namespaces with their own sysfs.
    unshare -n -m sh -c 'mount -t sysfs sysfs /sys; exec sleep 100000' </dev/null &
    sa_holder=$!
    sleep 0.5
    if iw phy "$phy" set netns "$sa_holder" && sa_ns test -d /sys/class/net/$sa_if; then
        smoke_ap_air=true
        sa_ns ip link set lo up
        sa_ns bes2600-smoke serve --listen 0.0.0.0:47610 </dev/null >/tmp/sa-serve.out 2>&1 &
        sa_serve=$!
        sleep 0.5
        sa_band 2.4 hostapd-open.conf wpa-open.conf
        smoke_ap_2g=$(cat /tmp/sa-2.4.json)
        sa_band 5 hostapd-open-5g.conf wpa-open-5g.conf
        smoke_ap_5g=$(cat /tmp/sa-5.json)
        tail -3 /tmp/sa-serve.out | sed 's/^/E2E smoke_ap serve: /'
        grep -E "^contract_violations|^rule .* [1-9]" $V/contract 2>/dev/null |
            sed 's/^/E2E smoke_ap contract: /'
    else
        e smoke_ap_netns_failed "$phy" "$sa_holder"
    fi
fi
[ -n "$sa_serve" ] && { kill $sa_serve 2>/dev/null; wait $sa_serve 2>/dev/null; }
if [ -n "$sa_holder" ]; then
    kill $sa_holder 2>/dev/null
    wait $sa_holder 2>/dev/null
    # The radio back in init's namespace before hwsim goes.
    for i in $(seq 1 20); do [ -n "$(rl_hwsim_if)" ] && break; sleep 0.25; done
fi
rl_air_down

result smoke_ap_air $smoke_ap_air
result smoke_ap_2g "$smoke_ap_2g"
result smoke_ap_5g "$smoke_ap_5g"
