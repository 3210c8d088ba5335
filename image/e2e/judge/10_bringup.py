"""Bring-up: enumerated by the MMC core, bound, up, scanned, associated; the bus trace;
the wake GPIO asserted before the first function-1 CMD53."""


def judge(res, ctx):
    f = {
        "module_loaded": res.get("module_loaded"), "wlan_up": res.get("wlan_up"),
        "scan_found": res.get("scan_found"), "associated": res.get("associated"),
        "enumerated_by_mmc_core": res.get("enumerated_by_mmc_core"),
        "bus_trace_lines": res.get("bus_trace_lines", 0),
        "bus_trace_saved": ctx["bus_trace_saved"],
        "wake_gpio_asserted_before_cmd53": res.get("wake_gpio_asserted_before_cmd53"),
        "wake_gpio_lead_ms": res.get("wake_gpio_lead_ms", -1),
    }
    checks = [
        ("module_loaded", f["module_loaded"] is True),
        ("wlan_up", f["wlan_up"] is True),
        ("scan_found", f["scan_found"] is True),
        ("associated", f["associated"] is True),
        # probed through the MMC core and the driver's SDIO id table
        ("enumerated_by_mmc_core", f["enumerated_by_mmc_core"] is True),
        # the bring-up trace recorded and saved whole
        ("bus_trace_recorded", f["bus_trace_lines"] > 0),
        ("bus_trace_saved_whole", f["bus_trace_saved"] == f["bus_trace_lines"]),
        # the wake GPIO rose before the first function-1 CMD53, at least the vendor's 10 ms
        # before it (C:bes2600_sdio.c:1858, 1378-1382; spec errata 10)
        ("wake_gpio_asserted_before_cmd53", f["wake_gpio_asserted_before_cmd53"] is True),
        ("wake_gpio_lead_10ms", f["wake_gpio_lead_ms"] >= 10),
    ]
    return f, checks
