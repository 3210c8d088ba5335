#!/usr/bin/env bash
# The same QEMU end-to-end test on the second kernel, built the way Yocto wrynose builds the
# PineTab2's: C compiled by GCC, Debian's newest released kernel (>= 6.18), bindgen 0.72
# (image/kernel-env.sh). A cold build of this kernel costs about as much as the first one.
set -uo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
exec "$root/ci/qemu-e2e" --kernel yocto
