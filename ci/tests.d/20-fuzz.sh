#!/usr/bin/env bash
# Fuzzes the wire crate's parsers (driver/wire/fuzz, cargo-fuzz layout, outside the
# workspace): burst_split, wsm_decode, bootrom_reply, calib_record, sdd_check. Each target runs a
# bounded number of executions from the committed synthetic seeds; any crash or failed
# round-trip assertion fails the check. Prints the executions per target and the total.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"

FUZZ_DIR="$BES2600_ROOT/driver/wire/fuzz"
RUNS="${BES2600_FUZZ_RUNS:-60000}"        # per target; 5 targets => 300k executions
MAX_TIME="${BES2600_FUZZ_MAX_TIME:-120}"  # seconds per target, a bound, not a goal
export RUSTC_BOOTSTRAP=1                  # libFuzzer's flags need it on the stable toolchain
export CARGO_TARGET_DIR="$FUZZ_DIR/target"

command -v cargo-fuzz >/dev/null || die "cargo-fuzz missing (ci/setup.d/40-fuzz.sh)"
cd "$FUZZ_DIR" || die "no $FUZZ_DIR"

# No sanitizer: the crate forbids unsafe code, and ASan doubles the build time.
log "fuzz: building targets"
mkdir -p "$CARGO_TARGET_DIR"
cargo fuzz build -s none >/dev/null 2>"$CARGO_TARGET_DIR/build.log" || {
    cat "$CARGO_TARGET_DIR/build.log" >&2
    die "fuzz build failed"
}

total=0 failed=0
for t in burst_split wsm_decode bootrom_reply calib_record sdd_check; do
    corpus="$CARGO_TARGET_DIR/corpus/$t"
    mkdir -p "$corpus"
    out="$(cargo fuzz run -s none "$t" "$corpus" "seeds/$t" -- \
        -runs="$RUNS" -max_total_time="$MAX_TIME" -max_len=4096 2>&1)"
    rc=$?
    runs="$(printf '%s\n' "$out" | sed -n 's/^Done \([0-9]*\) runs.*/\1/p' | tail -1)"
    cov="$(printf '%s\n' "$out" | grep -o 'cov: [0-9]*' | tail -1)"
    if [ "$rc" -ne 0 ] || [ -z "$runs" ]; then
        printf '%s\n' "$out" | tail -40 >&2
        echo "fuzz $t: CRASH or error (exit $rc); artifacts in $FUZZ_DIR/artifacts/$t"
        failed=$((failed + 1))
        continue
    fi
    echo "fuzz $t: $runs executions, $cov, 0 crashes"
    total=$((total + runs))
done

echo "fuzz total: $total executions, $failed failing targets"
[ "$failed" -eq 0 ] || exit 1
[ "$total" -ge 100000 ] || { echo "fuzz: fewer than 100000 executions in total"; exit 1; }
