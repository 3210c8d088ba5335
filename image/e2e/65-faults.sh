# Faults injected in the virtual card, not the driver (issue 14): a data CRC error, a CMD53
# without response, a hung card, a lost interrupt, a corrupted RX length register, a failed
# power-up and the card's removal. For each, the card's own counter (debugfs contract) says
# the fault reached the bus ("injected"), and the driver recovers: the downlink flows again,
# associating again as a supplicant would when the association was lost ("recovered").
# Removal must tear the driver down (wlan0 and the SDIO function gone) and the re-inserted
# card must be probed again. Warnings and leaks of all this are judged by 99-final.
unload_card
fault_json=""
# A card counter from debugfs contract (0 when absent).
card_num() { n=$(sed -n "s/^$1 //p" $V/contract 2>/dev/null | head -1); echo "${n:-0}"; }
drv_num() { n=$(counter "$1"); echo "${n:-0}"; }
# Seconds (tries of 1 s) until the downlink flows, associating when not associated; 0 if it
# never does within $1 tries.
flows() { await_downlink "$1"; r=$?; echo "$DL_AFTER_S"; return $r; }
# Waits up to $2 quarter-seconds for card counter $1 to exceed $3.
card_fired() {
    for i in $(seq 1 "$2"); do [ "$(card_num "$1")" -gt "$3" ] && return 0; sleep 0.25; done
    return 1
}
# fault NAME CODE COUNTER [TRIGGER_CODE]: injects CODE (then TRIGGER_CODE, for a fault that
# waits for a power cycle), waits for the card's COUNTER to move, then for the downlink.
fault() {
    name=$1 code=$2 cnt=$3 trig=${4:-}
    injected=false recovered=false after_s=0
    c0=$(card_num "$cnt"); r0=$(drv_num recoveries_total); p0=$(card_num power_ups)
    crc0=$(drv_num bus_crc_retries); len0=$(drv_num rx_len_retries)
    if [ "$(flows 10)" -gt 0 ] && echo "$code" >$V/inject; then
        [ -n "$trig" ] && echo "$trig" >$V/inject
        card_fired "$cnt" 120 "$c0" && injected=true
        after_s=$(flows 40) && recovered=true
    fi
    d_rec=$(( $(drv_num recoveries_total) - r0 ))
    d_pow=$(( $(card_num power_ups) - p0 ))
    d_crc=$(( $(drv_num bus_crc_retries) - crc0 ))
    d_len=$(( $(drv_num rx_len_retries) - len0 ))
    e fault "$name" code "$code" injected $injected recovered $recovered after_s "$after_s" \
        driver_recoveries $d_rec power_ups $d_pow bus_crc_retries $d_crc rx_len_retries $d_len
    fault_json="$fault_json${fault_json:+,}\"$name\":{\"injected\":$injected,\"recovered\":$recovered,\"recovered_after_s\":$after_s,\"driver_recoveries\":$d_rec,\"power_ups\":$d_pow,\"bus_crc_retries\":$d_crc,\"rx_len_retries\":$d_len}"
}
faults_ready=false
if load_card && load_driver && wlan_ready && [ "$(flows 10)" -gt 0 ]; then
    faults_ready=true
fi
e faults_ready $faults_ready power_ups "$(card_num power_ups)" resets_traced "$(grep -c RESET $V/trace 2>/dev/null)"
if $faults_ready; then
    fault crc 5 fault_crc
    fault timeout 6 fault_timeout
    fault card_hang 12 fault_hang
    fault lost_irq 7 fault_lost_irq
    fault corrupt_length 8 rx_len_out_of_range
    # A failed power-up needs a power cycle to show: the firmware hang makes the driver reset
    # the chip (mmc_hw_reset), whose power-up then fails once.
    fault reset_failure 9 fault_reset_failure 1
    # Removal: the slot reports no card; the MMC core removes it and bes2600.ko's remove
    # runs. Removed means torn down: wlan0 gone and the function's "remove" uevent, which
    # the kernel sends only after the driver's remove returned (sysfs links go before it).
    # Re-insertion: the core enumerates the card again and bes2600.ko probes it.
    removed=false reinserted=false recovered=false after_s=0 removed_q=0
    rm -f /tmp/faults-uevents
    uevent /bin/sh -c 'echo "$ACTION $SUBSYSTEM $DEVPATH" >>/tmp/faults-uevents' &
    ue_pid=$!
    sleep 0.5
    echo 10 >$V/inject
    p0=$(card_num power_ups)
    for i in $(seq 1 120); do
        if [ ! -d /sys/class/net/wlan0 ] && grep -q "^remove sdio " /tmp/faults-uevents 2>/dev/null; then
            removed=true removed_q=$i; break
        fi
        sleep 0.25
    done
    kill $ue_pid 2>/dev/null
    sed 's/^/E2E faults uevent: /' /tmp/faults-uevents 2>/dev/null | head -20
    # An empty slot powers nothing, whatever the driver's teardown asks of the host.
    p_removed=$(( $(card_num power_ups) - p0 ))
    echo 11 >$V/inject
    for i in $(seq 1 80); do
        d=$(sdio_dev)
        if [ -n "$d" ] && [ -e "$d/driver" ]; then reinserted=true; break; fi
        sleep 0.25
    done
    if $reinserted && wlan_ready; then after_s=$(flows 40) && recovered=true; fi
    e fault removal removed $removed reinserted $reinserted recovered $recovered after_s "$after_s" \
        power_ups_while_removed $p_removed teardown_quarter_s $removed_q
    fault_json="$fault_json,\"removal\":{\"injected\":$removed,\"removed\":$removed,\"teardown_quarter_s\":$removed_q,\"reinserted\":$reinserted,\"recovered\":$recovered,\"recovered_after_s\":$after_s,\"power_ups_while_removed\":$p_removed}"
fi
sed 's/^/E2E faults contract: /' $V/contract 2>/dev/null | grep -E "fault|unanswered|rx_len|power_ups|contract_violations"
grep -E "^(recoveries|bus_crc|rx_len)" $D/counters 2>/dev/null | sed 's/^/E2E faults counters: /'
result faults_ready $faults_ready
result faults "{$fault_json}"
