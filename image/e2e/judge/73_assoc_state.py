"""Association state in the firmware (issue 16 §3): after hostapd associated bes2600, the
simulated firmware holds the AID, beacon interval, DTIM and EDCA the driver sent, in the vendor
driver's order; a scan while associated goes out in the background after the probe template and
keeps the link; a randomised vif address is what hostapd sees."""


def judge(res, ctx):
    fw = res.get("assoc_fw") or {}
    conf = res.get("assoc_conf") or {}
    scan = res.get("assoc_bg_scan") or {}
    f = {
        "assoc_state_ok": res.get("assoc_state_ok"),
        "fw_aid": res.get("fw_aid"),
        "bg_scan_kept_link": res.get("bg_scan_kept_link"),
        "vif_mac_random_ok": res.get("vif_mac_random_ok"),
        "assoc_fw": fw,
        "assoc_conf": conf,
        "assoc_bg_scan": scan,
    }
    checks = [
        ("fw_aid_is_hostapds", (fw.get("aid") or 0) > 0 and fw.get("aid") == conf.get("ap_aid")),
        ("fw_beacon_int_is_configured", fw.get("beacon_int") == conf.get("beacon_int")),
        # The DTIM as C hands it to the firmware after association: the beacon wake-up
        # period (every DTIM while beacon_int x DTIM <= 1000 ms, C:ap.c:811-813).
        ("fw_dtim_is_configured", fw.get("wake_beacons") == conf.get("dtim")),
        ("fw_edca_be_is_hostapds_wmm", bool(fw.get("edca_be")) and fw.get("edca_be") == conf.get("edca_be")),
        ("fw_edca_vo_is_hostapds_wmm", bool(fw.get("edca_vo")) and fw.get("edca_vo") == conf.get("edca_vo")),
        ("fw_no_order_violations", fw.get("order_violations") == 0),
        ("assoc_state_ok", res.get("assoc_state_ok") is True),
        ("bg_scan_found_ap", scan.get("found") is True),
        ("bg_scan_was_background", scan.get("background") == 1 and scan.get("fg_scans_joined") == 0),
        # Both SSIDs of the request in one WSM scan (spec §3.3 allows 2, C:scan.c:259-267).
        ("bg_scan_two_ssids", scan.get("ssids") == 2),
        ("bg_scan_probe_template_uploaded", (scan.get("probe_template_len") or 0) > 24),
        ("bg_scan_kept_link", res.get("bg_scan_kept_link") is True),
        ("vif_mac_random_ok", res.get("vif_mac_random_ok") is True),
    ]
    return f, checks
