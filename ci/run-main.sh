#!/usr/bin/env bash
# The README's main job: set up, build the Rust-enabled kernel and bes2600.ko, boot QEMU
# arm64 with the simulated chip, run the end-to-end checks inside and print the verdict.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
"$BES2600_ROOT/ci/setup.sh" || die "set-up failed"
"$BES2600_ROOT/ci/qemu-e2e" | tee "$BES2600_CACHE/qemu-e2e-verdict.json"
rc=${PIPESTATUS[0]}
if [ "$rc" -eq 0 ]; then echo "VERDICT: PASS"; else echo "VERDICT: FAIL"; fi
exit "$rc"
