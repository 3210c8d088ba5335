//! 802.11 power save (issue 15 §4), engine + simulated firmware: set-PM as the engine maps
//! mac80211's PS state (`mac::pm`) makes the firmware doze between beacons; the AP buffers
//! the downlink for a dozing station and announces it in the TIM; fast PS fetches it by
//! waking, legacy PS by PS-polls; nothing is lost that the AP did not count.

mod common;
use common::*;

use bes2600_engine::mac::bss::Cmd;
use bes2600_engine::mac::pm::{set_pm_for, PsConf};
use bes2600_sim::harness::{Harness, HarnessConfig};
use bes2600_sim::ps::{AP_PS_BUFFER, BEACON_RX_NS};
use bes2600_sim::{SimConfig, SimCounters, TrafficConfig};
use bes2600_wire::wsm::mib::Mib;
use bes2600_wire::wsm::pm::{PmMode, SetPm, SET_PM_REQ};
use bes2600_wire::wsm::Message;

/// An associated station (no stream unless `traffic` has one).
fn rig(traffic: TrafficConfig, seed: u64) -> Harness {
    let mut h = Harness::new(HarnessConfig {
        sim: SimConfig {
            traffic,
            seed,
            ..SimConfig::default()
        },
        ..HarnessConfig::default()
    });
    assert!(h.associate(5 * SEC), "no association: {:?}", h.host.events);
    // The ARP exchange after association, then quiet.
    h.run_for(200 * MS);
    h
}

/// mac80211's `vif->cfg.ps` as the kernel module maps it (no dynamic-PS timeout on 6.12).
fn ps_request(on: bool) -> SetPm {
    set_pm_for(&PsConf {
        ps: on,
        dynamic_ps_timeout_ms: 0,
        uapsd: false,
    })
}

/// Sends set-PM through the engine (as the module's BH does) and waits for it.
fn set_pm(h: &mut Harness, pm: &SetPm) {
    let mut body = vec![0u8; pm.buffer_len()];
    pm.emit(&mut body);
    h.host.cmd(SET_PM_REQ, body);
    h.run_for(5 * MS);
    assert_eq!(h.sim.counters().ps_mode, u64::from(u8::from(pm.mode)));
}

/// [`assert_accounted`], and the frames the AP still buffers are the only others.
fn assert_ps_accounted(h: &Harness) {
    let k = h.sim.counters();
    assert!(k.accounted(), "chip accounting broken: {k:?}");
    assert_eq!(h.lost_after_chip(), 0);
    let s = &h.host.stream;
    assert_eq!(
        s.unique + h.host.stream_discarded + k.dropped() + k.queued + k.in_burst + k.ps_ap_buffered,
        k.generated,
        "stream {s:?} chip {k:?}"
    );
}

/// Awake share of the firmware time between two counter snapshots.
fn awake_fraction(a: &SimCounters, b: &SimCounters) -> f64 {
    let awake = b.ps_awake_ns - a.ps_awake_ns;
    let doze = b.ps_doze_ns - a.ps_doze_ns;
    assert!(awake + doze > 0, "no firmware time accounted");
    awake as f64 / (awake + doze) as f64
}

/// A paced stream of single frames, `fps` a second (1400-byte payloads).
fn paced(fps: u64) -> TrafficConfig {
    let bits = (1400 + bes2600_sim::net::DATA_OVERHEAD) as u64 * 8;
    TrafficConfig {
        phy_rate_bps: bits * fps,
        ampdu: 1,
        ..TrafficConfig::SEED_4MBPS
    }
}

#[test]
fn idle_with_ps_on_dozes_between_beacons_and_hears_every_one() {
    let mut h = rig(TrafficConfig::OFF, 1);
    set_pm(&mut h, &ps_request(true));
    h.run_for(200 * MS);
    let (a, b0) = (h.sim.counters(), h.host.beacons);
    h.run_for(10 * SEC);
    let b = h.sim.counters();
    let f = awake_fraction(&a, &b);
    eprintln!("idle awake fraction with PS on: {f:.4}");
    assert!(f < 0.5, "idle awake fraction {f:.3} with PS on");
    // A beacon every 102.4 ms and nothing else: about BEACON_RX_NS per beacon.
    let floor = BEACON_RX_NS as f64 / 102_400_000.0;
    assert!(
        f >= floor * 0.9,
        "awake {f:.4} below the beacons' own {floor:.4}"
    );
    // The beacon wake-up period is 1 (none set): every beacon heard, the link stays.
    assert_eq!(b.ps_beacons_slept, 0);
    let heard = h.host.beacons - b0;
    assert!((95..=99).contains(&heard), "{heard} beacons in 10 s");
    assert!(b.ps_wakeups - a.ps_wakeups >= heard - 1);
    assert_eq!(
        b.ps_nulls_doze, 1,
        "PM=1 announced once, after the idle period"
    );
    assert_eq!(b.ps_tim_seen, 0, "nothing buffered for an idle station");
}

#[test]
fn idle_with_ps_off_is_awake_all_the_time() {
    let mut h = rig(TrafficConfig::OFF, 2);
    set_pm(&mut h, &ps_request(false));
    let a = h.sim.counters();
    h.run_for(5 * SEC);
    let b = h.sim.counters();
    assert_eq!(awake_fraction(&a, &b), 1.0);
    assert_eq!(b.ps_doze_ns, 0);
    assert_eq!(b.ps_beacons_slept, 0);
}

#[test]
fn a_stream_with_fast_ps_loses_nothing_and_keeps_the_radio_on() {
    let mut h = streaming_with(HarnessConfig {
        sim: SimConfig {
            traffic: TrafficConfig::SEED_4MBPS,
            seed: 3,
            ..SimConfig::default()
        },
        ..HarnessConfig::default()
    });
    set_pm(&mut h, &ps_request(true));
    let a = h.sim.counters();
    let u0 = h.host.stream.unique;
    h.run_for(5 * SEC);
    let b = h.sim.counters();
    assert!(h.host.stream.unique - u0 > 10_000, "{:?}", h.host.stream);
    assert_eq!(h.host.stream.lost(), 0, "{:?}", h.host.stream);
    assert_eq!(b.dropped(), 0, "{b:?}");
    // Frames every ~1.4 ms, idle period 8 ms: the station never dozes.
    assert!(awake_fraction(&a, &b) > 0.99);
    assert_ps_accounted(&h);
}

#[test]
fn a_sparse_stream_is_buffered_announced_in_the_tim_and_fetched_by_waking() {
    // One frame every 40 ms: longer than the 8 ms idle period, so the station dozes
    // between frames and the AP holds most of them until a beacon.
    let mut h = rig(paced(25), 4);
    set_pm(&mut h, &ps_request(true));
    let a = h.sim.counters();
    let u0 = h.host.stream.unique;
    h.run_for(10 * SEC);
    let b = h.sim.counters();
    let got = h.host.stream.unique - u0;
    assert!((240..=260).contains(&got), "{got} frames in 10 s at 25/s");
    assert_eq!(h.host.stream.lost(), 0, "{:?}", h.host.stream);
    assert_eq!(b.dropped_ps_ap, 0);
    let tims = b.ps_tim_seen - a.ps_tim_seen;
    assert!(tims > 50, "{tims} TIMs");
    // Fast PS fetches with a PM=0 null frame per TIM, never PS-polls.
    assert_eq!(b.ps_nulls_wake - a.ps_nulls_wake, tims);
    assert_eq!(b.ps_polls, 0);
    let f = awake_fraction(&a, &b);
    assert!(f < 0.5, "awake {f:.3}");
    assert_ps_accounted(&h);
}

#[test]
fn legacy_ps_fetches_with_ps_poll_and_stays_dozing() {
    let mut h = rig(paced(25), 5);
    set_pm(
        &mut h,
        &SetPm {
            mode: PmMode::Ps,
            fast_psm_idle_period: 0,
            ap_psm_change_period: 0,
            min_auto_ps_poll_period: 0,
        },
    );
    let a = h.sim.counters();
    let u0 = h.host.stream.unique;
    h.run_for(10 * SEC);
    let b = h.sim.counters();
    assert!(h.host.stream.unique - u0 >= 240);
    assert_eq!(h.host.stream.lost(), 0, "{:?}", h.host.stream);
    // Every frame came by PS-poll: each TIM polls until the AP has no more.
    let polls = b.ps_polls - a.ps_polls;
    assert!(polls >= h.host.stream.unique - u0 - 2, "{polls} polls");
    assert_eq!(
        b.ps_nulls_wake, a.ps_nulls_wake,
        "legacy PS never sends PM=0"
    );
    assert!(awake_fraction(&a, &b) < 0.1);
    assert_ps_accounted(&h);
}

#[test]
fn legacy_ps_overflows_the_ap_buffer_under_a_fast_stream_and_the_ap_counts_it() {
    // The model's limit, not the driver's choice: at ~2,800 frames/s the AP fills its
    // buffer long before the next beacon. The drops are the AP's, counted.
    let mut h = rig(TrafficConfig::SEED_4MBPS, 6);
    set_pm(
        &mut h,
        &SetPm {
            mode: PmMode::Ps,
            fast_psm_idle_period: 0,
            ap_psm_change_period: 0,
            min_auto_ps_poll_period: 0,
        },
    );
    h.run_for(2 * SEC);
    let k = h.sim.counters();
    assert!(k.dropped_ps_ap > 0, "{k:?}");
    assert!(k.ps_ap_buffered <= AP_PS_BUFFER as u64);
    assert_ps_accounted(&h);
}

#[test]
fn a_beacon_wake_up_period_skips_beacons() {
    let mut h = rig(TrafficConfig::OFF, 7);
    let m = Mib::BeaconWakeUpPeriod {
        num_beacon_periods: 3,
        listen_interval: 0,
    };
    h.engine
        .submit_bss_cmd(0, 0, &Cmd::StdMib(m))
        .expect("queued");
    h.run_for(20 * MS);
    set_pm(&mut h, &ps_request(true));
    h.run_for(200 * MS);
    let (a, b0) = (h.sim.counters(), h.host.beacons);
    h.run_for(9 * SEC);
    let b = h.sim.counters();
    let heard = h.host.beacons - b0;
    let slept = b.ps_beacons_slept - a.ps_beacons_slept;
    assert!((28..=31).contains(&heard), "{heard} heard");
    assert!(
        (heard * 2 - 2..=heard * 2 + 2).contains(&slept),
        "{slept} slept"
    );
    let f = awake_fraction(&a, &b);
    assert!(f < BEACON_RX_NS as f64 / 102_400_000.0, "awake {f:.4}");
}

#[test]
fn uplink_wakes_the_station_and_the_reply_arrives() {
    let mut h = rig(TrafficConfig::OFF, 8);
    set_pm(&mut h, &ps_request(true));
    h.run_for(300 * MS);
    let replies = |h: &Harness| {
        h.host
            .count(|e| matches!(e, bes2600_sim::harness::HostEvent::ArpReply))
    };
    let (a, r0) = (h.sim.counters(), replies(&h));
    h.host.queue_arp();
    h.run_for(100 * MS);
    let b = h.sim.counters();
    assert_eq!(replies(&h), r0 + 1, "ARP reply while in PS");
    assert!(
        b.ps_nulls_doze > a.ps_nulls_doze,
        "dozed again after the idle period"
    );
}

#[test]
fn leaving_ps_releases_what_the_ap_holds() {
    let mut h = rig(paced(25), 9);
    set_pm(&mut h, &ps_request(true));
    // Until the AP holds something for the dozing station.
    assert!(h.run_until_cond(SEC, |h| h.sim.counters().ps_ap_buffered > 0));
    set_pm(&mut h, &ps_request(false));
    let k = h.sim.counters();
    assert_eq!(k.ps_ap_buffered, 0);
    h.run_for(SEC);
    assert_eq!(h.host.stream.lost(), 0, "{:?}", h.host.stream);
    assert_ps_accounted(&h);
}
