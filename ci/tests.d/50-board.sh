#!/usr/bin/env bash
# PineTab2 device tree: builds the mainline DTBs, applies our BES2600 overlays, dt-validates the
# result against the kernel 6.12 bindings plus ours, asserts the key properties with fdtget and
# runs the negative tests (board/pinetab2/validate.sh). Cost: ~35 s CPU with warm caches; the
# first run on a machine also builds the processed schema and the mainline baseline (~2 min CPU).
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
exec bash "$BES2600_ROOT/board/pinetab2/validate.sh"
