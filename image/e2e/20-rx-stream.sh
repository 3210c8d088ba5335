# The simulated AP's paced downlink UDP stream, received by rx-probe on wlan0, with the
# workqueue and softirq tracepoints on: loss/dup/reorder and the work per frame.
rx='{}' wq=0 sdio_irq=0 sirq=0 frames=0 copies=null
if $associated; then
    ip addr add 192.0.2.2/24 dev wlan0
    # Room for bursts while the (emulated) CPU schedules the receiver.
    echo 8388608 >/proc/sys/net/core/rmem_max
    echo 8388608 >/proc/sys/net/core/rmem_default
    echo 16384 >$T/buffer_size_kb
    echo 0 >$T/tracing_on
    echo >$T/trace
    echo 1 >$T/events/workqueue/workqueue_execute_start/enable
    echo 1 >$T/events/irq/softirq_raise/enable
    f0=$(counter rx_frames)
    # Frames the driver copied (the rest reached mac80211 as page fragments, issue 18).
    c0=$(counter rx_copies)
    echo 1 >$T/tracing_on
    rx=$(rx-probe 47600 "$SECS")
    echo 0 >$T/tracing_on
    f1=$(counter rx_frames)
    c1=$(counter rx_copies)
    frames=$(( ${f1:-0} - ${f0:-0} ))
    [ -n "$c0" ] && [ -n "$c1" ] && copies=$((c1 - c0))
    wq=$(grep -c "workqueue_execute_start:" $T/trace)
    sdio_irq=$(grep -c "workqueue_execute_start:.*function sdio_irq_work" $T/trace)
    sirq=$(grep -c "softirq_raise:" $T/trace)
    echo 0 >$T/events/workqueue/workqueue_execute_start/enable
    echo 0 >$T/events/irq/softirq_raise/enable
    e rx "$rx"
    grep "^Udp:" /proc/net/snmp | sed 's/^/E2E snmp: /'
    e frames $frames rx_copies $copies wq_events $wq sdio_irq_events $sdio_irq softirq_events $sirq
    grep -o "workqueue_execute_start: .*function [^ ]*" $T/trace | sed 's/.*function //' | sort | uniq -c | sort -rn | head -8 | sed 's/^/E2E wq: /'
fi
[ -n "$rx" ] || rx='{}'
result rx "$rx"
result rx_frames $frames
result rx_copies $copies
result wq_events $wq
result sdio_irq_events $sdio_irq
result softirq_events $sirq
