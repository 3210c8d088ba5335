"""The driver's own recovery: firmware hang (uevent, downlink and scans back), decrypt storm."""


def judge(res, ctx):
    f = {
        "recovery_uevent": res.get("recovery_uevent"),
        "recovered_scan": res.get("recovered_scan"),
        "recovered_rx_datagrams": res.get("recovered_rx", 0),
        "recovered_by": res.get("recovered_by"),
        "storm_uevent": res.get("storm_uevent"),
        "storm_disconnected": res.get("storm_disconnected"),
    }
    checks = [
        ("recovery_uevent", f["recovery_uevent"] is True),
        # after the firmware-hang reset and reload the downlink is back (state replay or reconnect)
        ("recovered_rx", f["recovered_rx_datagrams"] > 0),
        # decrypt storm: reassociation requested, mac80211 told the connection is lost
        ("storm_uevent", f["storm_uevent"] is True),
        ("storm_disconnected", f["storm_disconnected"] is True),
    ]
    return f, checks
