"""The recovery helper (bes2600-fw watch, as its systemd unit runs it): resets it performed on
the driver's uevents, how (an unbind/bind of the SDIO host's driver, seen by the card as an
unbind and a bind of its host; not the module reload it escalates to), whether the downlink
came back, and a storm of 2 x threshold events against the configured rate limit."""


def judge(res, ctx):
    f = {
        "helper_started": res.get("helper_started"),
        "helper_threshold": res.get("helper_threshold"),
        "helper_events": res.get("helper_events", 0),
        "helper_bus_resets": res.get("helper_bus_resets", 0),
        "helper_reset_method": res.get("helper_reset_method"),
        "helper_host_unbinds": res.get("helper_host_unbinds", 0),
        "helper_host_binds": res.get("helper_host_binds", 0),
        "helper_debugfs_open_across_rebind": res.get("helper_debugfs_open_across_rebind"),
        "helper_recovered": res.get("helper_recovered"),
        "helper_rx_datagrams": res.get("helper_rx", 0),
        "helper_storm_events": res.get("helper_storm_events", 0),
        "helper_storm_resets": res.get("helper_storm_resets"),
        "helper_storm_limit": res.get("helper_storm_limit"),
        "helper_storm_suppressed": res.get("helper_storm_suppressed", 0),
    }
    checks = [
        # The helper reset the bus on the driver's uevents and the downlink came back after it.
        ("helper_bus_resets_ge_1", f["helper_bus_resets"] >= 1),
        # ... by rebinding the host (issue 19): the helper says so and the card saw it.
        ("helper_reset_method_rebind", f["helper_reset_method"] == "rebind"),
        ("helper_host_rebound",
         f["helper_host_unbinds"] >= 1 and f["helper_host_binds"] == f["helper_host_unbinds"]),
        ("helper_debugfs_open_across_rebind", f["helper_debugfs_open_across_rebind"] is True),
        ("helper_recovered", f["helper_recovered"] is True),
        ("helper_rx", f["helper_rx_datagrams"] > 0),
        # The storm: enough events for two resets without limits, and no more resets than the
        # configured min_interval_secs / max_resets_per_hour allow.
        ("helper_storm_events",
         isinstance(f["helper_threshold"], int)
         and f["helper_storm_events"] >= 2 * f["helper_threshold"]),
        ("helper_storm_within_limit",
         isinstance(f["helper_storm_limit"], int) and isinstance(f["helper_storm_resets"], int)
         and 0 <= f["helper_storm_resets"] <= f["helper_storm_limit"]),
    ]
    return f, checks
