"""CPU per delivered MB through bes2600 beside mac80211_hwsim, downlink and uplink, in one run
(issue 18 item 3; image/e2e/80-cpu-vs-hwsim.sh says what is counted).

cpu_ms_per_mb = (guest busy CPU - the stream source's or sink's own CPU) / delivered MB, with
/proc/stat and /proc/PID/stat in USER_HZ ticks (10 ms). For hwsim's downlink the injector's
share is calibrated (a run of the same stream into no radio); its task-time exclusion is
reported beside it (_task_excl). cpu_ratio_vs_hwsim = bes2600 / hwsim
(issue goal: <= 1.5). The checks require real measurements (enough frames, CPU > 0); the goal
itself is reported in cpu_ratio_goal_met(_tx), not gated (see GATE_RATIO).
"""

import sys

TICK_MS = 10.0  # USER_HZ = 100 on arm64
MIN_FRAMES = 1000
# The 1.5 goal gates only once it passes with margin on both kernels; until then it is reported.
GATE_RATIO = False
GOAL = 1.5


def _one(m):
    """Figures of one measurement object recorded by the phase."""
    m = m or {}
    frames = m.get("frames") or 0
    mb = (m.get("bytes") or 0) / 1e6
    busy = (m.get("busy_ticks") or 0) * TICK_MS
    # A source that ended inside the window reads 0 at its end: no negative share.
    src = max(0, m.get("source_ticks") or 0) * TICK_MS
    win = (m.get("window_cs") or 0) / 100.0

    def per_mb(ms):
        return round(ms / mb, 2) if mb > 0 else None

    def per_frame(n):
        return round(n / frames, 4) if frames > 0 else None

    return {
        "frames": frames,
        "mb": round(mb, 3),
        "cpu_ms_per_mb": per_mb(busy - src),
        "cpu_ms_per_mb_incl_source": per_mb(busy),
        "source_ms": src,
        "busy_ms": busy,
        "cpu_util": round(busy / (win * 1000.0 * 2), 3) if win > 0 else None,  # of 2 vCPUs
        "net_rx_per_frame": per_frame(m.get("net_rx") or 0),
        "softirq_per_frame": per_frame(m.get("softirqs") or 0),
    }


def _median_window(windows):
    """The window with the median CPU per MB of a list recorded by the phase (the lower
    middle one of an even count), its figures with the driver's copies per frame, and the
    spread of CPU per MB over the list; ({}, None, []) when none was measured."""
    figs = []
    for w in windows or []:
        one = _one(w)
        if one["cpu_ms_per_mb"] is None:
            continue
        frames = (w or {}).get("rx_frames") or 0
        one["rx_copies_per_frame"] = (round((w.get("rx_copies") or 0) / frames, 4)
                                      if frames > 0 else None)
        figs.append(one)
    if not figs:
        return {}, None, []
    figs.sort(key=lambda o: o["cpu_ms_per_mb"])
    spread = [o["cpu_ms_per_mb"] for o in figs]
    return figs[(len(figs) - 1) // 2], figs[(len(figs) - 1) // 2]["rx_copies_per_frame"], spread


def _ratio(a, b):
    return round(a / b, 3) if a is not None and b else None


def _calibrated(m, cal):
    """hwsim's downlink with the injector's share taken from the calibration run (the same
    stream into no radio): its busy CPU per injected frame times the frames delivered."""
    m, cal = m or {}, cal or {}
    frames, injected = m.get("frames") or 0, cal.get("frames") or 0
    mb = (m.get("bytes") or 0) / 1e6
    if not injected or mb <= 0:
        return None, None
    per_frame_ms = (cal.get("busy_ticks") or 0) * TICK_MS / injected
    busy = (m.get("busy_ticks") or 0) * TICK_MS
    return round((busy - per_frame_ms * frames) / mb, 2), round(per_frame_ms, 4)


def judge(res, ctx):
    hr, br = _one(res.get("cvh_hwsim_rx")), _one(res.get("cvh_bes2600_rx"))
    # The downlink windows per RX path (issue 18): frames as page fragments (the module's
    # default) and copied (rx_copy=1, the path before); the median window of each.
    frag, frag_copies, frag_spread = _median_window(res.get("cvh_bes2600_rx_frag"))
    copy, copy_copies, copy_spread = _median_window(res.get("cvh_bes2600_rx_copy"))
    pull, _, pull_spread = _median_window(res.get("cvh_bes2600_rx_pull"))
    if frag:
        br = frag
    hwsim_cal, src_per_frame = _calibrated(res.get("cvh_hwsim_rx"), res.get("cvh_hwsim_calib"))
    ht, bt = _one(res.get("cvh_hwsim_tx")), _one(res.get("cvh_bes2600_tx"))
    f = {
        "cvh_hwsim_mode": res.get("cvh_hwsim_mode"),
        # hwsim's downlink: the injector's share from the calibration run (the phase says why)
        "cpu_ms_per_mb_hwsim": hwsim_cal,
        "cpu_ms_per_mb_bes2600": br["cpu_ms_per_mb"],
        "cpu_ratio_vs_hwsim": _ratio(br["cpu_ms_per_mb"], hwsim_cal),
        "cvh_hwsim_source_ms_per_frame": src_per_frame,
        # bes2600's downlink per RX path: CPU per MB of every window (sorted) and the median
        # window's ratio and driver copies per frame
        "cpu_ms_per_mb_bes2600_windows": frag_spread,
        "rx_copies_per_frame_bes2600": frag_copies,
        "cpu_ms_per_mb_bes2600_copy": copy.get("cpu_ms_per_mb"),
        "cpu_ms_per_mb_bes2600_copy_windows": copy_spread,
        "cpu_ratio_vs_hwsim_copy": _ratio(copy.get("cpu_ms_per_mb"), hwsim_cal),
        "rx_copies_per_frame_bes2600_copy": copy_copies,
        "softirq_per_frame_bes2600_copy": copy.get("softirq_per_frame"),
        # fragments with 128 header bytes pulled when the skb is built (rx_pull=128)
        "cpu_ms_per_mb_bes2600_pull": pull.get("cpu_ms_per_mb"),
        "cpu_ms_per_mb_bes2600_pull_windows": pull_spread,
        "cpu_ratio_vs_hwsim_pull": _ratio(pull.get("cpu_ms_per_mb"), hwsim_cal),
        # the injector's own task time excluded instead (softirqs on its time go with it)
        "cpu_ms_per_mb_hwsim_task_excl": hr["cpu_ms_per_mb"],
        "cpu_ratio_vs_hwsim_task_excl": _ratio(br["cpu_ms_per_mb"], hr["cpu_ms_per_mb"]),
        "net_rx_softirq_per_frame_hwsim": hr["net_rx_per_frame"],
        "net_rx_softirq_per_frame_bes2600": br["net_rx_per_frame"],
        "softirq_per_frame_hwsim": hr["softirq_per_frame"],
        "softirq_per_frame_bes2600": br["softirq_per_frame"],
        "cpu_ms_per_mb_hwsim_incl_source": hr["cpu_ms_per_mb_incl_source"],
        "cpu_ms_per_mb_bes2600_incl_source": br["cpu_ms_per_mb_incl_source"],
        "cpu_ratio_vs_hwsim_incl_source": _ratio(br["cpu_ms_per_mb_incl_source"],
                                                 hr["cpu_ms_per_mb_incl_source"]),
        "cvh_frames_hwsim": hr["frames"], "cvh_frames_bes2600": br["frames"],
        "cvh_mb_hwsim": hr["mb"], "cvh_mb_bes2600": br["mb"],
        "cvh_cpu_util_hwsim": hr["cpu_util"], "cvh_cpu_util_bes2600": br["cpu_util"],
        "cpu_ms_per_mb_hwsim_tx": ht["cpu_ms_per_mb"],
        "cpu_ms_per_mb_bes2600_tx": bt["cpu_ms_per_mb"],
        "cpu_ratio_vs_hwsim_tx": _ratio(bt["cpu_ms_per_mb"], ht["cpu_ms_per_mb"]),
        "net_rx_softirq_per_frame_hwsim_tx": ht["net_rx_per_frame"],
        "net_rx_softirq_per_frame_bes2600_tx": bt["net_rx_per_frame"],
        "softirq_per_frame_hwsim_tx": ht["softirq_per_frame"],
        "softirq_per_frame_bes2600_tx": bt["softirq_per_frame"],
        "cpu_ms_per_mb_hwsim_tx_incl_source": ht["cpu_ms_per_mb_incl_source"],
        "cpu_ms_per_mb_bes2600_tx_incl_source": bt["cpu_ms_per_mb_incl_source"],
        "cvh_frames_hwsim_tx": ht["frames"], "cvh_frames_bes2600_tx": bt["frames"],
    }
    for d in ("", "_tx"):
        r = f["cpu_ratio_vs_hwsim" + d]
        f["cpu_ratio_goal_met" + d] = r is not None and r <= GOAL
    print(f"cpu_ratio_vs_hwsim {f['cpu_ratio_vs_hwsim']} (rx, frames as page fragments; "
          f"{f['cpu_ratio_vs_hwsim_copy']} copied, {f['cpu_ratio_vs_hwsim_pull']} headers pulled), "
          f"{f['cpu_ratio_vs_hwsim_tx']} (tx); "
          f"goal <= {GOAL}, {'gated' if GATE_RATIO else 'reported, not gated'}",
          file=sys.stderr)

    def measured(m, figure=None):
        figure = m["cpu_ms_per_mb"] if figure is None else figure
        return (m["frames"] >= MIN_FRAMES and m["busy_ms"] > 0
                and figure is not None and figure > 0)

    checks = [
        ("hwsim_station_associated", res.get("cvh_hwsim_associated") is True),
        ("hwsim_rx_measured", measured(hr, hwsim_cal)),
        ("hwsim_rx_calibrated", (res.get("cvh_hwsim_calib") or {}).get("frames", 0) >= MIN_FRAMES),
        ("bes2600_rx_measured", measured(br)),
        ("hwsim_tx_measured", measured(ht)),
        ("bes2600_tx_measured", measured(bt)),
        ("hwsim_rx_net_rx_counted", hr["net_rx_per_frame"] is not None),
        ("bes2600_rx_net_rx_counted", br["net_rx_per_frame"] is not None),
        # Both RX paths measured, and each did what it says: the default path copies no
        # data frame (management frames only: well under one copy in ten frames), the
        # rx_copy=1 path copies every frame.
        ("bes2600_rx_copy_path_measured", bool(copy) and measured(copy)),
        ("bes2600_rx_frag_copies_lt_0.1",
         frag_copies is not None and frag_copies < 0.1),
        ("bes2600_rx_copy_path_copies_1",
         copy_copies is not None and copy_copies >= 0.99),
    ]
    if GATE_RATIO:
        checks += [("cpu_ratio_vs_hwsim_le_1.5", f["cpu_ratio_goal_met"]),
                   ("cpu_ratio_vs_hwsim_tx_le_1.5", f["cpu_ratio_goal_met_tx"])]
    return f, checks
