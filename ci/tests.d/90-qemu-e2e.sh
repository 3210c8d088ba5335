#!/usr/bin/env bash
# QEMU arm64 end-to-end test of bes2600.ko (kernel build cached in $BES2600_CACHE; a cold
# kernel build costs 6-15 min on 2 cores, a cached run about 2-4 min).
set -uo pipefail
exec "$(dirname "$0")/../qemu-e2e"
