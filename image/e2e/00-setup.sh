# Before any module: the recovery-uevent log and a clean kmemleak slate.
# Recovery uevents (contracts.md) are logged by busybox's netlink listener.
uevent /bin/sh -c '[ -n "$BES2600_EVENT" ] && echo "$ACTION $BES2600_EVENT $BES2600_CAUSE $BES2600_COUNT" >>/tmp/uevents' &
# kmemleak: forget what boot allocated; the test drives the scans (99-final.sh).
echo clear >/sys/kernel/debug/kmemleak 2>/dev/null
