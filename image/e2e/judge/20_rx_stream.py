"""The simulated AP's paced downlink: loss, duplicates, work items and interrupts per frame."""


def judge(res, ctx):
    rx = res.get("rx") or {}
    frames = res.get("rx_frames", 0)

    def per(n):
        return round(n / frames, 4) if frames > 0 else None

    f = {
        "rx_datagrams": rx.get("datagrams", 0), "rx_lost": rx.get("lost"),
        "rx_duplicated": rx.get("duplicated"), "rx_reordered": rx.get("reordered"),
        "rx_malformed": rx.get("malformed"), "rx_mbps": rx.get("mbps", 0),
        "rx_frames": frames,
        # Work items per frame, without the MMC core's SDIO interrupt work: that one runs once
        # per card interrupt (a burst, not a frame) on every SDIO host; it is reported apart.
        "wq_per_frame": per(res.get("wq_events", 0) - res.get("sdio_irq_events", 0)),
        "sdio_irq_per_frame": per(res.get("sdio_irq_events", 0)),
        "softirq_per_frame": per(res.get("softirq_events", 0)),
        # Frames the driver copied out of the burst, per frame (issue 18: 0 beyond the bus
        # transfer; management frames are copied, as mac80211 would linearize them anyway).
        "rx_copies_per_frame": (per(res["rx_copies"])
                                if isinstance(res.get("rx_copies"), int) else None),
    }
    checks = [
        ("rx_datagrams", f["rx_datagrams"] > 0),
        ("rx_copies_counted", f["rx_copies_per_frame"] is not None),
        ("rx_lost_0", f["rx_lost"] == 0),
        ("rx_duplicated_0", f["rx_duplicated"] == 0),
        ("wq_per_frame_le_0.1", f["wq_per_frame"] is not None and f["wq_per_frame"] <= 0.1),
        # never more than one SDIO interrupt per frame (measured 0.27-0.48: one per burst)
        ("sdio_irq_per_frame_le_1",
         f["sdio_irq_per_frame"] is not None and f["sdio_irq_per_frame"] <= 1.0),
    ]
    return f, checks
