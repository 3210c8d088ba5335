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
for scope in saturation seed; do
    if [ "$scope" = saturation ]; then j="$last"; else j="$seed"; fi
    g="$(field "$j" generated)"; d="$(field "$j" delivered)"
    x="$(field "$j" dropped)"; f="$(field "$j" in_flight)"
    if [ -z "$g" ] || [ -z "$d" ] || [ -z "$x" ] || [ -z "$f" ]; then
        die "bench JSON lacks counts: $j"
    fi
    check "$scope: delivered+dropped+in_flight == generated" "$d + $x + $f == $g"
    check "$scope: generated > 0" "$g > 0"
    check "$scope: dropped == 0 without faults" "$x == 0"
done
check "saturation: transactions_per_frame <= 0.2" "$(field "$last" transactions_per_frame) <= 0.2"
check "saturation: wakeups_per_frame <= 0.1" "$(field "$last" wakeups_per_frame) <= 0.1"
echo "ns_per_frame $(field "$last" ns_per_frame) memcpy_ns_per_frame $(field "$last" memcpy_ns_per_frame) (reported, not checked)"

h="$(field "$tx" tx_handed)"; d="$(field "$tx" tx_delivered)"
x="$(field "$tx" tx_dropped)"; f="$(field "$tx" tx_in_flight)"
if [ -z "$h" ] || [ -z "$d" ] || [ -z "$x" ] || [ -z "$f" ]; then
    die "bench JSON lacks TX counts: $tx"
fi
check "tx: delivered+dropped+in_flight == handed" "$d + $x + $f == $h"
check "tx: handed > 0" "$h > 0"
check "tx: dropped == 0 and failed == 0 without faults" "$x + $(field "$tx" tx_failed) == 0"
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
echo "rx_locks_per_frame $(field "$last" rx_locks_per_frame) tx_locks_per_frame $(field "$tx" tx_locks_per_frame) (engine + bench host; the module's own come from its debugfs counters)"
echo "tx_ns_per_frame $(field "$tx" tx_ns_per_frame) tx_memcpy_ns_per_frame $(field "$tx" tx_memcpy_ns_per_frame) (reported, not checked)"

log "30-minute virtual soak (release)"
cargo test --quiet --release --locked -p bes2600-sim --test soak -- --nocapture || fail=1
exit "$fail"
