"""Life cycle under traffic: stop/start cycles, unload while the stream flows and while a
reset-and-reload runs, then loaded again; no kernel warning in between (issue 15)."""


def judge(res, ctx):
    cycles = res.get("stop_start_cycles", 0)
    f = {
        "stop_start_cycles": cycles,
        "stop_start_cycles_ok": res.get("stop_start_cycles_ok", 0),
        "stop_start_flowing": res.get("stop_start_flowing", 0),
        "stop_start_resumed_rx": res.get("stop_start_resumed_rx", 0),
        "unload_under_traffic_ok": res.get("unload_under_traffic_ok"),
        "unload_during_reset_ok": res.get("unload_during_reset_ok"),
        "lifecycle_reload_ok": res.get("lifecycle_reload_ok"),
        "lifecycle_warnings": res.get("lifecycle_warnings"),
        "probe_ms": res.get("probe_ms"),
        "wlan0_after_probe_ms": res.get("wlan0_after_probe_ms"),
    }
    probe, wlan0 = f["probe_ms"], f["wlan0_after_probe_ms"]
    checks = [
        # every cycle stopped and started the hw, each with the downlink flowing before it
        ("stop_start_cycles_ok", cycles > 0 and f["stop_start_cycles_ok"] == cycles),
        ("stop_start_under_traffic", cycles > 0 and f["stop_start_flowing"] == cycles),
        ("traffic_resumes", f["stop_start_resumed_rx"] > 0),
        ("unload_under_traffic", f["unload_under_traffic_ok"] is True),
        ("unload_during_reset", f["unload_during_reset_ok"] is True),
        ("reloaded", f["lifecycle_reload_ok"] is True),
        ("lifecycle_warnings_0", f["lifecycle_warnings"] == 0),
        # the firmware is requested asynchronously: modprobe returns before wlan0 exists
        ("probe_async", probe is not None and wlan0 is not None and 0 <= probe < wlan0),
    ]
    return f, checks
