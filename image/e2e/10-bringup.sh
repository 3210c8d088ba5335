# Bring-up on the virtual card: the MMC core enumerates it, bes2600.ko binds by modalias,
# wlan0 comes up, scans and associates with the simulated AP. The card's bus trace from
# the driver's probe through the first association is printed for ci/qemu-e2e to save.
module_loaded=false wlan_up=false scan_found=false associated=false enumerated=false
trace_lines=0
if load_card; then
    dev=$(sdio_dev)
    e sdio_device "$dev" "$(cat $dev/modalias)"
    # The bring-up trace starts at the driver's probe.
    echo clear >$V/trace
    if load_driver; then module_loaded=true; fi
    # Bound through the SDIO bus (the MMC core's device, the driver's id table).
    case "$(readlink $dev/driver)" in *bes2600_wlan) enumerated=true ;; esac
fi
e module_loaded $module_loaded enumerated_by_mmc_core $enumerated
if [ -d /sys/class/net/wlan0 ] && ip link set wlan0 up; then wlan_up=true; fi
e wlan_up $wlan_up
e fw_version "$(cat $D/fw_version 2>/dev/null)"
if $wlan_up; then
    for i in 1 2 3; do
        iw dev wlan0 scan >/tmp/scan 2>&1
        if grep -q "SSID: bes2600-sim" /tmp/scan; then scan_found=true; break; fi
        sleep 1
    done
    e scan_found $scan_found
    head -20 /tmp/scan | sed 's/^/E2E scan: /'
    iw dev wlan0 connect bes2600-sim 2>&1 | sed 's/^/E2E connect: /'
    for i in $(seq 1 40); do
        if sim_connected; then associated=true; break; fi
        sleep 0.25
    done
    e associated $associated
    iw dev wlan0 link 2>&1 | sed 's/^/E2E link: /'
fi
# The bus trace from probe through the first association (ci/qemu-e2e saves it).
echo 0 >$V/trace_on
trace_lines=$(wc -l <$V/trace)
echo "E2E-TRACE-BEGIN $trace_lines"
sed 's/^/E2E-TRACE /' $V/trace
echo "E2E-TRACE-END"
e bus_trace_lines $trace_lines
# The wake line (issue 14 §2, spec errata 10): the driver asserts it (`GPIO wake=1`) before
# the first function-1 CMD53, and the vendor waits 10 ms after it (C:bes2600_sdio.c:1858,
# 1378-1382). The CMD53 argument's first hex digit holds R/W and the function (bits 31-28).
wake=$(awk '
    $2 == "GPIO" && $3 ~ /^wake=/ { w = substr($3, 6, 1); t = $1; next }
    $2 == "CMD53" {
        d = index("0123456789abcdef", tolower(substr($3, 7, 1))) - 1
        if (d % 8 != 1) next
        if (w == "1") printf "true %d\n", ($1 - t) / 1000000; else print "false -1"
        exit
    }' $V/trace)
wake_before_cmd53=${wake%% *}; wake_lead_ms=${wake##* }
[ -n "$wake" ] || { wake_before_cmd53=false; wake_lead_ms=-1; }
e wake_gpio_asserted_before_cmd53 $wake_before_cmd53 lead_ms $wake_lead_ms
result module_loaded $module_loaded
result wlan_up $wlan_up
result scan_found $scan_found
result associated $associated
result enumerated_by_mmc_core $enumerated
result bus_trace_lines $trace_lines
result wake_gpio_asserted_before_cmd53 $wake_before_cmd53
result wake_gpio_lead_ms $wake_lead_ms
