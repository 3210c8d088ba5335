"""System sleep under traffic: s2idle cycles woken by the RTC (or pm_test=devices where
the RTC cannot wake the guest; suspend_mode says which), the downlink back within
2 s of each resume, the firmware kept (MMC_PM_KEEP_POWER: no new download), no kernel
warning (issue 15 §3)."""

# issue 15 §3: 10 cycles, traffic resuming each time within 2 s.
MIN_CYCLES = 10
RESUME_MS_GOAL = 2000


def judge(res, ctx):
    cycles = res.get("suspend_cycles", 0)
    f = {
        "suspend_mode": res.get("suspend_mode"),
        "suspend_cycles": cycles,
        "suspend_cycles_ok": res.get("suspend_cycles_ok", 0),
        "resume_ms_max": res.get("resume_ms_max", -1),
        "resume_ms": res.get("resume_ms", []),
        "suspend_fw_downloads": res.get("suspend_fw_downloads"),
        "suspend_rx_after": res.get("suspend_rx_after", 0),
        "suspend_warnings": res.get("suspend_warnings"),
    }
    checks = [
        # s2idle woken by the RTC, or the documented fallback where the RTC cannot wake the
        # guest: the devices suspended and resumed by /sys/power/pm_test=devices
        ("suspend_mode_known", f["suspend_mode"] in ("freeze", "pm_test_devices")),
        ("suspend_flowing_before", res.get("suspend_flowing_before") is True),
        ("suspend_cycles_ok", cycles >= MIN_CYCLES and f["suspend_cycles_ok"] == cycles),
        ("resume_ms_max_2000", 0 <= f["resume_ms_max"] <= RESUME_MS_GOAL),
        # the card kept its power: the firmware survived, nothing was downloaded again
        ("suspend_fw_kept", f["suspend_fw_downloads"] == 0),
        ("suspend_stream_after", f["suspend_rx_after"] > 0),
        ("suspend_warnings_0", f["suspend_warnings"] == 0),
    ]
    return f, checks
