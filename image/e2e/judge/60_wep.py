"""set_key: the static-WEP AP's downlink only decrypts with the offloaded key."""


def judge(res, ctx):
    wep_rx = res.get("wep_rx") or {}
    f = {
        "wep_associated": res.get("wep_associated"),
        "wep_rx_datagrams": wep_rx.get("datagrams", 0), "wep_rx_lost": wep_rx.get("lost"),
        "hw_keys_installed": res.get("hw_keys_installed", 0),
        "rx_hw_decrypted": res.get("rx_hw_decrypted", 0),
    }
    checks = [
        ("wep_associated", f["wep_associated"] is True),
        ("hw_keys_installed", f["hw_keys_installed"] >= 1),
        ("wep_rx", f["wep_rx_datagrams"] > 0),
        ("wep_rx_lost_0", f["wep_rx_lost"] == 0),
    ]
    return f, checks
