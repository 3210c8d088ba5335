//! Start-up → scan finds `bes2600-sim` → join → 100k stream frames received in order, none
//! lost, every generated frame accounted (issue 3 item 3).

use bes2600_sim::harness::{Harness, HarnessConfig, HostEvent};
use bes2600_sim::{SimConfig, TrafficConfig};

const SEC: u64 = 1_000_000_000;

#[test]
fn startup_scan_join_then_100k_frames_in_order() {
    let traffic = TrafficConfig {
        max_frames: 100_000,
        ..TrafficConfig::SATURATION
    };
    let mut h = Harness::new(HarnessConfig {
        sim: SimConfig {
            traffic,
            ..SimConfig::default()
        },
        ..HarnessConfig::default()
    });
    assert!(
        h.associate(5 * SEC),
        "not associated: {:?} {:?}",
        h.host.state,
        h.host.events
    );
    assert_eq!(h.host.count(|e| *e == HostEvent::Ready), 1);
    assert!(h.host.count(|e| *e == HostEvent::FoundAp) >= 1);
    assert_eq!(h.host.count(|e| matches!(e, HostEvent::Associated(1))), 1);
    assert_eq!(h.sim.counters().scans, 1, "{:?}", h.host.events);
    assert!(
        h.run_until_cond(60 * SEC, |h| h.host.stream.unique == 100_000),
        "{:?}",
        h.host.stream
    );
    // The ARP request for 192.0.2.1 was answered.
    assert!(h.run_until_cond(SEC, |h| h.host.count(|e| *e == HostEvent::ArpReply) == 1));

    let s = &h.host.stream;
    assert_eq!(s.received, 100_000);
    assert_eq!(s.in_order, 100_000);
    assert_eq!((s.lost(), s.duplicates, s.reordered), (0, 0, 0));
    let k = h.sim.counters();
    assert_eq!(k.generated, 100_000);
    assert_eq!(k.sent_to_host, 100_000);
    assert_eq!(k.dropped(), 0);
    assert!(k.accounted());
    assert_eq!(
        (
            k.host_seq_errors,
            k.credit_overruns,
            k.toggle_errors,
            k.host_malformed
        ),
        (0, 0, 0, 0)
    );
    let e = h.engine_counters();
    assert_eq!(e.drops_total, 0);
    assert_eq!(e.recoveries_total, 0);
    assert!(e.rx_frames >= 100_000);
}
