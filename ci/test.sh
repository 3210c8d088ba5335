#!/usr/bin/env bash
# The project's whole test suite: set-up, format, lints, unit/integration tests, fuzzing,
# device-tree validation, layer lint, smoke-test namespaces and the QEMU end-to-end test.
# Each component adds its checks as ci/tests.d/NN-name.sh. The last line is the tally.
set -uo pipefail
# One compound command, read whole before it runs: editing this file during a run (bash reads
# scripts as it goes) cannot change what the run does.
{
# shellcheck source=ci/lib.sh
. "$(dirname "$0")/lib.sh"
cd "$BES2600_ROOT" || exit 1

# The set-up's own report of what failed and how to retry (its `error:`/`retry:` lines) is
# repeated as this script's last words, so a long CI log still ends with the reason.
setup_log="$(mktemp "${TMPDIR:-/tmp}/bes2600-setup-log.XXXXXX")"
if ! "$BES2600_ROOT/ci/setup.sh" 2>&1 | tee "$setup_log"; then
    why="$(grep -E '^(error|retry): ' "$setup_log" | tail -n 4)"
    rm -f "$setup_log"
    printf 'set-up failed:\n%s\n' "${why:-error: ci/setup.sh failed without a message}" >&2
    echo "checks: 0 passed, 1 failed"
    exit 1
fi
rm -f "$setup_log"

passed=0 failed=0 failures=()
step() {
    local name="$1"; shift
    local t0=$SECONDS
    log "check: $name"
    if "$@"; then
        passed=$((passed + 1)); log "ok: $name ($((SECONDS - t0)) s)"
    else
        failed=$((failed + 1)); failures+=("$name"); log "FAILED: $name ($((SECONDS - t0)) s)"
    fi
}

step "cargo fmt" cargo fmt --all -- --check
step "cargo clippy" cargo clippy --workspace --all-targets --locked -- -D warnings
step "cargo test" cargo test --workspace --locked
for t in "$BES2600_ROOT"/ci/tests.d/*.sh; do
    [ -e "$t" ] || continue
    step "$(basename "$t" .sh)" bash "$t"
done

[ ${#failures[@]} -eq 0 ] || log "failed checks: ${failures[*]}"
echo "checks: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
exit
}
