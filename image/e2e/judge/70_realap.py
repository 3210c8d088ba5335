"""A real AP (issue 16, first stage): hostapd on mac80211_hwsim, bridged to the simulated
chip's air; wpa_supplicant on bes2600 scans, associates and carries UDP both ways."""


def _dir(d):
    """Datagrams sent, frames the receiving netdev got, the share lost and the rate."""
    sent = (d.get("sent") or {}).get("datagrams", 0)
    secs = (d.get("sent") or {}).get("seconds") or 0
    payload = (d.get("sent") or {}).get("bytes", 0)
    got = d.get("received_frames", 0)
    # Frames beyond the datagrams (e.g. a neighbour's broadcast) do not make up for lost ones.
    lost = max(sent - got, 0)
    return {
        "sent": sent,
        "received": got,
        "lost_pct": round(100.0 * lost / sent, 2) if sent else None,
        "mbps": round(payload * 8 / secs / 1e6, 3) if secs else 0,
    }


def judge(res, ctx):
    rx = _dir(res.get("realap_rx") or {})
    tx = _dir(res.get("realap_tx") or {})
    medium = res.get("realap_medium") or {}
    f = {
        "realap_associated": res.get("realap_associated"),
        "realap_scan": res.get("realap_scan"),
        "realap_wpa_state": res.get("realap_wpa_state"),
        "realap_rx": rx,
        "realap_tx": tx,
        "realap_medium": medium,
    }
    checks = [
        ("realap_air_endpoint", res.get("realap_air") is True),
        ("realap_scan_found_hostapd", f["realap_scan"] is True),
        ("realap_associated", f["realap_associated"] is True),
        ("realap_rx_datagrams", rx["sent"] > 0 and rx["received"] > 0),
        # hostapd's frames cross a user-space medium on 2 shared emulated cores: a loss of a
        # few percent is the medium's, not the driver's; more is a failure.
        ("realap_rx_lost_le_5pct", rx["lost_pct"] is not None and rx["lost_pct"] <= 5),
        ("realap_tx_datagrams", tx["sent"] > 0 and tx["received"] > 0),
        ("realap_tx_lost_le_5pct", tx["lost_pct"] is not None and tx["lost_pct"] <= 5),
    ]
    return f, checks
