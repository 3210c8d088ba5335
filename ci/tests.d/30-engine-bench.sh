#!/usr/bin/env bash
# Engine benchmark invariants and the 30-minute virtual soak (release build).
# Checks accounting and bus-efficiency counts (deterministic on the virtual clock), never
# timings. Cost: one release build of wire/engine/sim (~1-2 min on 2 cores), the bench
# (~2 s) and the soak (~20-40 s).
set -euo pipefail
# shellcheck source=ci/lib.sh
. "$(dirname "$0")/../lib.sh"
cd "$BES2600_ROOT"

out="$(ci/bench-engine 20)"
printf '%s\n' "$out"
last="$(printf '%s\n' "$out" | tail -n 1)"

# field JSON KEY: the first numeric value of KEY in JSON (top level comes first).
field() { printf '%s' "$1" | grep -o "\"$2\":[0-9.]*" | head -n 1 | cut -d: -f2; }
seed="${last#*\"seed_4mbps\":}"
fail=0
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

log "30-minute virtual soak (release)"
cargo test --quiet --release --locked -p bes2600-sim --test soak -- --nocapture || fail=1
exit "$fail"
