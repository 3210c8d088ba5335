"""Roaming between bands (issue 16 §4): two hostapd BSSes with one SSID, 2.4 GHz channel 6
and 5 GHz channel 36; bes2600 associates with one, a UDP downlink stream runs, `wpa_cli roam`
moves the station to the other band, and the stream reaches it there. Loss is allowed only
around the roam: what the sender offered while the station was between the two BSSes."""


def _band(freq):
    """2.4 or 5 (GHz) for a frequency in MHz; None when unknown."""
    if not isinstance(freq, int) or freq <= 0:
        return None
    return 5 if freq >= 4900 else 2.4


def judge(res, ctx):
    r = res.get("roam") or {}
    frm = r.get("from") or {}
    to = r.get("to") or {}
    sent_info = r.get("sent") or {}
    sent = sent_info.get("datagrams", 0)
    secs = sent_info.get("seconds") or 0
    pps = sent / secs if secs else 0
    gap_ms = res.get("roam_gap_ms", -1)
    lost = res.get("roam_lost", -1)
    after = r.get("after_rx", 0)
    expected = r.get("after_expected", 0)
    # What the sender offered during the silence, plus two sampling periods (~20 ms each) of
    # the sampler's resolution: the most the roam can lose.
    gap_budget = int(pps * (gap_ms + 40) / 1000) if gap_ms >= 0 else 0
    f = {
        "roamed": res.get("roamed"),
        "roam_gap_ms": gap_ms,
        "roam_lost": lost,
        "roam": {
            "from_freq": frm.get("freq"),
            "to_freq": to.get("freq"),
            "bands": [_band(frm.get("freq")), _band(to.get("freq"))],
            "sent": sent,
            "received": r.get("received"),
            "after_rx": after,
            "after_expected": expected,
            "assoc_ms": r.get("assoc_ms"),
            "resume_ms": r.get("resume_ms"),
            "lost_budget": gap_budget,
            "ds_moves": r.get("ds_moves"),
            "roam_cmd": r.get("roam_cmd"),
        },
    }
    fb, tb = _band(frm.get("freq")), _band(to.get("freq"))
    checks = [
        ("roam_air_endpoint", res.get("roam_air") is True),
        ("roam_first_associated", r.get("associated") is True and bool(r.get("target"))),
        ("roam_cmd_accepted", r.get("roam_cmd") == "OK"),
        ("roam_bssid_changed", bool(to.get("bssid")) and to.get("bssid") == r.get("target")
         and to.get("bssid") != frm.get("bssid")),
        ("roam_band_changed", fb is not None and tb is not None and fb != tb),
        ("roamed", res.get("roamed") is True),
        # The distribution system followed the station: one move per association.
        ("roam_ds_followed", (r.get("ds_moves") or 0) >= 2),
        # The stream went on after the roam at the rate it was sent (a few datagrams of
        # slack for the sampler's resolution at each end).
        ("roam_stream_after", after > 0 and after + 10 >= expected * 95 // 100),
        # Nothing lost away from the roam: the loss fits in the silence around it.
        ("roam_lost_only_in_gap", sent > 0 and 0 <= lost <= gap_budget),
    ]
    return f, checks
