//! Three BSS-lost events within the window (default 3 in 60 s, DESIGN.md §4) make the engine
//! reset the chip and reload the firmware; the station reassociates and the stream resumes.

mod common;
use common::*;

use bes2600_engine::{ConnEvent, RecoveryCause};
use bes2600_sim::harness::HostEvent;
use bes2600_sim::{Fault, FaultConfig, TrafficConfig};

#[test]
fn connection_loss_burst_resets_and_reassociates() {
    let mut h = streaming(TrafficConfig::SATURATION, FaultConfig::default(), 15);
    h.sim.inject(Fault::ConnectionLoss {
        events: 3,
        spacing_ns: 500 * MS,
    });
    assert!(
        h.run_until_cond(5 * SEC, |h| h.resets_done == 1),
        "{:?}",
        h.host.events
    );
    assert_eq!(h.sim.counters().bss_lost_sent, 3);
    assert_eq!(
        h.host
            .count(|e| matches!(e, HostEvent::Conn(ConnEvent::BssLost { .. }))),
        3
    );
    let e = h.engine_counters();
    assert_eq!(e.recoveries_of(RecoveryCause::ConnectionLoss), 1, "{e:?}");
    assert!(h.associate(5 * SEC));
    assert!(receive_more(&mut h, 10_000, 10 * SEC));
    assert_accounted(&h);
}

#[test]
fn two_losses_stay_below_the_threshold() {
    let mut h = streaming(TrafficConfig::SATURATION, FaultConfig::default(), 16);
    h.sim.inject(Fault::ConnectionLoss {
        events: 2,
        spacing_ns: 500 * MS,
    });
    h.run_for(3 * SEC);
    assert_eq!(h.resets_done, 0);
    assert_eq!(h.engine_counters().recoveries_total, 0);
    assert!(receive_more(&mut h, 5_000, 5 * SEC));
    assert_eq!(h.host.stream.lost(), 0);
    assert_accounted(&h);
}
