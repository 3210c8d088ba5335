# Last: the card's contract violations over the whole run, kmemleak, kernel warnings, and
# which kernel this was. Keep this phase last: it judges what every phase before it did.
sed 's/^/E2E contract: /' $V/contract 2>/dev/null
unload_card
e contract_violations $violations
leaks=-1
if [ -e /sys/kernel/debug/kmemleak ]; then
    echo scan >/sys/kernel/debug/kmemleak; sleep 2
    echo scan >/sys/kernel/debug/kmemleak
    leaks=$(grep -c "unreferenced object" /sys/kernel/debug/kmemleak)
    head -60 /sys/kernel/debug/kmemleak | sed 's/^/E2E kmemleak: /'
fi
# The synthetic bes2600_factory.txt went to the (simulated) boot ROM with a good CRC.
factory_calib=false
if dmesg | grep -q "sim boot ROM holds the factory record, CRC good"; then factory_calib=true; fi
warnings=$(dmesg | grep -cE "WARNING:|BUG:|Oops|kernel BUG|Call trace:|stack overflow|general protection")
dmesg | grep -E -A20 "WARNING:|BUG:|Oops" | head -80 | sed 's/^/E2E dmesg: /'
dmesg | grep -E "bes2600" | head -20 | sed 's/^/E2E klog: /'
# Which kernel this is, read from the running kernel itself (clang builds name clang; GCC
# builds name gcc and never clang).
case "$(cat /proc/version)" in *clang*) kernel_cc=clang ;; *gcc*) kernel_cc=gcc ;; *) kernel_cc=unknown ;; esac
result contract_violations $violations
result kmemleak_leaks $leaks
result factory_calib $factory_calib
result kernel_warnings $warnings
result kernel_release "\"$(uname -r)\""
result kernel_cc "\"$kernel_cc\""
