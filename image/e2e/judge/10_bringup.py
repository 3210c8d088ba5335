"""Bring-up: enumerated by the MMC core, bound, up, scanned, associated; the bus trace."""


def judge(res, ctx):
    f = {
        "module_loaded": res.get("module_loaded"), "wlan_up": res.get("wlan_up"),
        "scan_found": res.get("scan_found"), "associated": res.get("associated"),
        "enumerated_by_mmc_core": res.get("enumerated_by_mmc_core"),
        "bus_trace_lines": res.get("bus_trace_lines", 0),
        "bus_trace_saved": ctx["bus_trace_saved"],
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
    ]
    return f, checks
