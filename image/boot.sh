#!/usr/bin/env bash
# Boots the QEMU arm64 test machine: boot.sh IMAGE INITRD [extra kernel args...]
# Output goes to stdout; the guest powers off when /init is done (or after the timeout).
set -euo pipefail
img="${1:?usage: boot.sh Image initrd [args]}"; initrd="${2:?}"; shift 2
# 1500 s: the e2e's 19 phases take ~760 s of guest time on 2 shared cores, ~900 s when
# the host is busy; the limit is for a hung VM, not a pace.
timeout "${BES2600_QEMU_TIMEOUT:-1500}" qemu-system-aarch64 -M virt -cpu cortex-a53 -smp 2 -m 1G \
    -nographic -no-reboot -nic none -kernel "$img" -initrd "$initrd" \
    -append "console=ttyAMA0 rdinit=/init panic=-1 loglevel=4 $*"
