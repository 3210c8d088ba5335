"""A real AP on both bands (issue 16 §1, §4): hostapd on mac80211_hwsim, bridged to the
simulated chip's air; wpa_supplicant on bes2600 scans, associates and carries UDP both ways,
first on 2.4 GHz channel 6, then on 5 GHz channel 36."""

# Each band's run: (JSON key, band in GHz, the channel hostapd serves, MHz).
BANDS = (("realap_2g", 2.4, 2437), ("realap_5g", 5, 5180))
# The vendor's 5 GHz table (C:main.c:121-141, bes2600_engine::mac::channel::CHANNELS_5G).
CHANNELS_5G = 37
# The bitrates (Mb/s) bes2600 registers per band (bes2600_engine::mac::rates::band_rates,
# C:main.c:76-77: 5 GHz has no DSSS/CCK) ...
OFDM = (6, 9, 12, 18, 24, 36, 48, 54)
LEGACY = {2.4: (1, 2, 5.5, 11) + OFDM, 5: OFDM}
# ... and HT MCS 0-7 (one stream), as iw prints them: 20 or 40 MHz, long or short GI.
HT_MCS = (
    (6.5, 13, 19.5, 26, 39, 52, 58.5, 65)
    + (7.2, 14.4, 21.7, 28.9, 43.3, 57.8, 65, 72.2)
    + (13.5, 27, 40.5, 54, 81, 108, 121.5, 135)
    + (15, 30, 45, 60, 90, 120, 135, 150)
)


# The firmware's rate numbers per band (spec §3.9): DSSS/CCK 0-3 on 2.4 GHz only, OFDM 6-13,
# HT MCS 0-7 as 14-21.
HW_RATES = {2.4: set(range(0, 4)) | set(range(6, 22)), 5: set(range(6, 22))}


def _rate_of_band(mbps, ghz):
    """Whether `mbps` (iw's "tx bitrate") is a rate a station sends at on this band."""
    if not isinstance(mbps, (int, float)) or isinstance(mbps, bool):
        return False
    return any(abs(mbps - r) < 0.05 for r in LEGACY[ghz] + HT_MCS)


def _dir(d):
    """Datagrams sent and received (at the receiver's IPv4 layer), lost, and the received
    rate: delivered payload bits over the sending time."""
    sent_info = d.get("sent") or {}
    sent = sent_info.get("datagrams", 0)
    secs = sent_info.get("seconds") or 0
    payload = sent_info.get("bytes", 0)
    got = d.get("received", 0)
    # Extra datagrams (none expected) do not make up for lost ones.
    lost = max(sent - got, 0)
    per = payload / sent if sent else 0
    return {
        "sent": sent,
        "received": got,
        "lost": lost,
        "mbps": round(min(got, sent) * per * 8 / secs / 1e6, 3) if secs else 0,
    }


def judge(res, ctx):
    f = {"realap_phy": res.get("realap_phy") or {}, "realap_medium": res.get("realap_medium") or {}}
    checks = [
        ("realap_air_endpoint", res.get("realap_air") is True),
        # Both bands registered: the vendor's 37 5 GHz channels, NO_IR under the world
        # domain where enabled (the driver then scans them passively).
        ("realap_5g_registered", f["realap_phy"].get("channels_5g") == CHANNELS_5G),
        ("realap_5g_no_ir_on_bes2600", f["realap_phy"].get("no_ir_5g", 0) > 0),
    ]
    bands = []
    for key, ghz, freq in BANDS:
        b = res.get(key) or {}
        rx = _dir(b.get("rx") or {})
        tx = _dir(b.get("tx") or {})
        tag = key.split("_")[1]
        f[key] = {
            "scan": b.get("scan"),
            "associated": b.get("associated"),
            "freq": b.get("freq"),
            "wpa_state": b.get("wpa_state"),
            "rx": rx,
            "tx": tx,
            "tx_bitrate": b.get("tx_bitrate"),
            "chip_txed_rate": b.get("chip_txed_rate"),
        }
        f[f"realap_rx_mbps_{tag}"] = rx["mbps"]
        f[f"realap_tx_mbps_{tag}"] = tx["mbps"]
        f[f"realap_rx_lost_{tag}"] = rx["lost"]
        f[f"realap_tx_lost_{tag}"] = tx["lost"]
        f[f"realap_tx_bitrate_{tag}"] = b.get("tx_bitrate")
        ok = [
            (f"realap_{tag}_scan_found_hostapd", b.get("scan") is True),
            (f"realap_{tag}_associated", b.get("associated") is True),
            (f"realap_{tag}_on_{freq}", b.get("freq") == freq),
            (f"realap_{tag}_rx_datagrams", rx["sent"] > 0 and rx["received"] > 0),
            # Downlink: every datagram hostapd sent reached bes2600's host.
            (f"realap_{tag}_rx_lost_0", rx["sent"] > 0 and rx["lost"] == 0),
            (f"realap_{tag}_tx_datagrams", tx["sent"] > 0 and tx["received"] > 0),
            # Uplink: the chip's frames cross the user-space medium into hwsim, which may
            # refuse a delivery (the medium's kernel_errors); a datagram in a hundred is the
            # medium's share, more is a failure.
            (f"realap_{tag}_tx_lost_le_1pct", tx["sent"] > 0 and tx["lost"] * 100 <= tx["sent"]),
        ]
        checks += ok
        # TX rates (issue 16 §3): the station dump's TX bitrate after the uplink is one of this
        # band's rates; on 5 GHz never a DSSS/CCK one such as 1 Mb/s.
        checks.append((f"realap_{tag}_tx_bitrate_of_band", _rate_of_band(b.get("tx_bitrate"), ghz)))
        # ... and the chip itself last sent at a rate of this band (the simulated firmware's
        # txedRate: the rate policy's first rate, from mac80211's choice).
        chip = b.get("chip_txed_rate")
        checks.append((f"realap_{tag}_chip_rate_of_band", type(chip) is int and chip in HW_RATES[ghz]))
        if all(v for _, v in ok):
            bands.append(ghz)
    f["bands"] = bands
    # Issue 16 §5's rx_mbps/tx_mbps per band; the top-level rx_mbps is phase 20's stream.
    f["band_mbps"] = {
        str(ghz): {
            "rx_mbps": f[f"realap_rx_mbps_{key.split('_')[1]}"],
            "tx_mbps": f[f"realap_tx_mbps_{key.split('_')[1]}"],
        }
        for key, ghz, _ in BANDS
    }
    return f, checks
