#!/usr/bin/env bash
# PineTab2 device tree: builds the mainline DTBs, applies our BES2600 overlays, dt-validates the
# result against the kernel 6.12 bindings plus ours, asserts the key properties with fdtget,
# checks pin ownership and the board kernel fragment (Kconfig + a real merge over the arm64
# defconfig), and runs the negative tests (board/pinetab2/validate.sh). Cost: ~1 min CPU with
# warm caches; the first run on a machine also builds the processed schema and the mainline
# baseline (~2 min CPU more).
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
exec bash "$BES2600_ROOT/board/pinetab2/validate.sh"
