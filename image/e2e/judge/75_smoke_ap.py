"""bes2600-smoke through the hostapd network (issue 16 §4, §5): on 2.4 GHz channel 6 and on 5 GHz
channel 36 the boot-time smoke test runs TCP and UDP each way between bes2600 and a serve peer
behind hostapd, and passes its verdict; the UDP stream received by the station loses nothing.
Reports the smoke's TCP medians per band in Mbit/s as smoke_ap_rx_mbps/smoke_ap_tx_mbps
({"2.4": .., "5": ..}; the top-level rx_mbps is phase 20's)."""

# (result key, band in GHz, the frequency hostapd serves in MHz)
BANDS = (("smoke_ap_2g", 2.4, 2437), ("smoke_ap_5g", 5, 5180))
TESTS = ("tcp-rx", "tcp-tx", "udp-rx", "udp-tx")


def _tests(report):
    """{test name: {median_mbps, zero_windows, udp_lost}} from the smoke's report."""
    out = {}
    for t in report.get("tests") or []:
        stats = t.get("stats") or {}
        udp = t.get("udp") or {}
        out[t.get("name")] = {
            "median_mbps": round(stats.get("median_bytes_per_s", 0) * 8 / 1e6, 3),
            "zero_windows": stats.get("zero_windows"),
            "udp_lost": udp.get("lost") if udp else None,
            "errors": len(t.get("errors") or []),
        }
    return out


def judge(res, ctx):
    f = {"smoke_ap_air": res.get("smoke_ap_air"), "smoke_ap": {}}
    checks = [("smoke_ap_netns", res.get("smoke_ap_air") is True)]
    rx_mbps, tx_mbps = {}, {}
    for key, ghz, freq in BANDS:
        b = res.get(key) or {}
        report = b.get("report") or {}
        tests = _tests(report)
        verdict = report.get("verdict") or {}
        tag = key.split("_")[-1]
        f["smoke_ap"][tag] = {
            "associated": b.get("associated"),
            "freq": b.get("freq"),
            "exit": b.get("exit"),
            "verdict": verdict.get("result"),
            "causes": [c.get("code") for c in verdict.get("causes") or []],
            "tests": tests,
        }
        rx_mbps[str(ghz)] = (tests.get("tcp-rx") or {}).get("median_mbps")
        tx_mbps[str(ghz)] = (tests.get("tcp-tx") or {}).get("median_mbps")
        udp_rx = tests.get("udp-rx") or {}
        checks += [
            (f"smoke_ap_{tag}_associated", b.get("associated") is True and b.get("freq") == freq),
            (f"smoke_ap_{tag}_all_tests_ran", all(t in tests for t in TESTS)),
            (f"smoke_ap_{tag}_passed", b.get("exit") == 0 and verdict.get("result") == "pass"),
            # The station's UDP stream loses nothing (issue 16 §5: rx_lost stays 0).
            (f"smoke_ap_{tag}_udp_rx_lost_0", udp_rx.get("udp_lost") == 0),
        ]
    # The smoke throughput per band, keyed by band in GHz (the top-level rx_mbps is phase 20's).
    f["smoke_ap_rx_mbps"] = rx_mbps
    f["smoke_ap_tx_mbps"] = tx_mbps
    return f, checks
