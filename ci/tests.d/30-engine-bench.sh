#!/usr/bin/env bash
# Engine benchmark invariants and the 30-minute virtual soak (release build).
# Checks accounting and bus-efficiency counts (deterministic on the virtual clock), never
# timings: RX at saturation and at 4 MB/s, TX at saturation (issue 18: at most 0.1 bus
# transactions — or the firmware credits' floor where that is higher — and 1 counted copy
# per TX frame; bench-engine itself exits 1 when a TX goal is missed). Cost: one release build of wire/engine/sim (~1-2 min on 2 cores), the bench
# (~5 s) and the soak (~20-40 s).
set -euo pipefail
# shellcheck source=ci/lib.sh
. "$(dirname "$0")/../lib.sh"
cd "$BES2600_ROOT"

bench_rc=0
out="$(ci/bench-engine 20)" || bench_rc=$?
printf '%s\n' "$out"
last="$(printf '%s\n' "$out" | tail -n 1)"

# field JSON KEY: the first numeric value of KEY in JSON (top level comes first).
field() { printf '%s' "$1" | grep -o "\"$2\":[0-9.]*" | head -n 1 | cut -d: -f2; }
seed="${last#*\"seed_4mbps\":}"
tx="${last#*\"tx_saturation\":}"
fail=0
if [ "$bench_rc" -ne 0 ]; then
    echo "FAIL: bench-engine exited $bench_rc (a goal was missed: see GOAL MISSED above)"
    fail=1
fi
check() { # check NAME EXPR
    if awk "BEGIN { exit !($2) }"; then echo "ok: $1 ($2)"; else echo "FAIL: $1 ($2)"; fail=1; fi
}
# accounting SCOPE JSON TOTAL DELIVERED DROPPED IN_FLIGHT: every frame of a run is
# delivered, dropped or still in flight, the run moved frames, and none dropped.
accounting() {
    local g d x f
    g="$(field "$2" "$3")"; d="$(field "$2" "$4")"; x="$(field "$2" "$5")"; f="$(field "$2" "$6")"
    if [ -z "$g" ] || [ -z "$d" ] || [ -z "$x" ] || [ -z "$f" ]; then
        die "bench JSON lacks $1 counts: $2"
    fi
    check "$1: delivered+dropped+in_flight == $3" "$d + $x + $f == $g"
    check "$1: $3 > 0" "$g > 0"
}
accounting saturation "$last" generated delivered dropped in_flight
check "saturation: dropped == 0 without faults" "$(field "$last" dropped) == 0"
accounting seed "$seed" generated delivered dropped in_flight
check "seed: dropped == 0 without faults" "$(field "$seed" dropped) == 0"
check "saturation: transactions_per_frame <= 0.2" "$(field "$last" transactions_per_frame) <= 0.2"
check "saturation: wakeups_per_frame <= 0.1" "$(field "$last" wakeups_per_frame) <= 0.1"
echo "ns_per_frame $(field "$last" ns_per_frame) memcpy_ns_per_frame $(field "$last" memcpy_ns_per_frame) (reported, not checked)"

accounting tx "$tx" tx_handed tx_delivered tx_dropped tx_in_flight
check "tx: dropped == 0 and failed == 0 without faults" "$(field "$tx" tx_dropped) + $(field "$tx" tx_failed) == 0"
check "tx: frames_per_write == 16 (full batches)" "$(field "$tx" tx_frames_per_write) == 16"
# The engine adds nothing to the floor its credits set (one write per 16 frames, one
# length read and one burst read per credit window).
check "tx: transactions at the credit floor" \
    "$(field "$tx" tx_transactions_per_frame) <= $(field "$tx" tx_transactions_floor) + 0.0005"
check "tx: copies_per_frame <= 1 (goal)" "$(field "$tx" tx_copies_per_frame) <= 1"
# Issue 18's goal is 0.1; below 60 credits the floor is above it (bench-engine prints
# GOAL BOUND BY CREDITS), and the engine is held to the floor (the check above).
tpf="$(field "$tx" tx_transactions_per_frame)"; floor="$(field "$tx" tx_transactions_floor)"
if awk "BEGIN { exit !($floor > 0.1) }"; then
    echo "note: tx_transactions_per_frame $tpf vs goal 0.1: the goal is below this run's credit floor $floor (see tx_credit_sweep)"
else
    check "tx: transactions_per_frame <= 0.1 (goal)" "$tpf <= 0.1"
fi
check "tx: wakeups_per_frame <= 0.1" "$(field "$tx" tx_wakeups_per_frame) <= 0.1"
# Reported, not gated: the bench station reads frames in place, so only an engine that
# started copying frames would raise it; the module's own figure is e2e phase 20/80's.
echo "rx_copies_per_frame $(field "$last" rx_copies_per_frame) (engine + bench host, after the bus transfer)"
echo "rx_locks_per_frame $(field "$last" rx_locks_per_frame) tx_locks_per_frame $(field "$tx" tx_locks_per_frame) (engine + bench host; the module's own come from its debugfs counters)"
echo "tx_ns_per_frame $(field "$tx" tx_ns_per_frame) tx_memcpy_ns_per_frame $(field "$tx" tx_memcpy_ns_per_frame) (reported, not checked)"

log "30-minute virtual soak (release)"
cargo test --quiet --release --locked -p bes2600-sim --test soak -- --nocapture || fail=1
exit "$fail"
