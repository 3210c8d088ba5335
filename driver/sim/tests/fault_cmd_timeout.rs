//! A dropped confirm: the engine's command deadline (spec §3.11) fires, it asks for a reset
//! and firmware reload, and the station comes back and receives the stream again.

mod common;
use common::*;

use bes2600_engine::Policy;
use bes2600_engine::{RecoveryCause, RecoveryRequest};
use bes2600_sim::harness::HostEvent;
use bes2600_sim::harness::{Harness, HarnessConfig};
use bes2600_sim::wsm::id;
use bes2600_sim::{Fault, SimConfig, TrafficConfig};

fn rig(fw_hang_ns: u64) -> Harness {
    let policy = Policy {
        fw_hang_ns,
        ..Policy::default()
    };
    streaming_with(HarnessConfig {
        sim: SimConfig {
            traffic: TrafficConfig::SEED_4MBPS,
            seed: 12,
            ..SimConfig::default()
        },
        policy,
        ..HarnessConfig::default()
    })
}

#[test]
fn command_timeout_resets_and_traffic_resumes() {
    // Credit watchdog longer than the 6 s command deadline, so the deadline is what fires.
    let mut h = rig(20 * SEC);
    h.sim.inject(Fault::CmdTimeouts(1));
    // Set PM (active): its confirm is dropped.
    h.host.cmd(id::SET_PM, vec![0, 0, 0, 0]);
    assert!(h.run_until_cond(15 * SEC, |h| h.resets_done == 1));
    assert_eq!(h.sim.counters().confirms_dropped, 1);
    let e = h.engine_counters();
    assert_eq!(e.recoveries_of(RecoveryCause::CmdTimeout), 1, "{e:?}");
    assert_eq!(
        h.host.count(|ev| *ev
            == HostEvent::Recovery(RecoveryRequest::ResetAndReload {
                cause: RecoveryCause::CmdTimeout
            })),
        1
    );
    let before = h.host.stream.unique;
    assert!(h.associate(5 * SEC), "{:?}", h.host.events);
    assert!(receive_more(&mut h, 5_000, 10 * SEC));
    assert!(h.host.stream.unique > before);
    // Restored by joining again (the AP kept the association), not by associating anew.
    assert_eq!(h.host.count(|ev| matches!(ev, HostEvent::Associated(_))), 1);
    assert_eq!(h.host.count(|ev| *ev == HostEvent::Restored), 1);
    assert_eq!(h.sim.counters().resets, 1);
    assert_accounted(&h);
}

#[test]
fn unconfirmed_command_trips_the_credit_watchdog_first_by_default() {
    // With the default 3 s credit watchdog (spec §4.3) a silent confirm is seen as a hang
    // before the 6 s command deadline (spec §3.11) passes.
    let mut h = rig(Policy::default().fw_hang_ns);
    h.sim.inject(Fault::CmdTimeouts(1));
    h.host.cmd(id::SET_PM, vec![0, 0, 0, 0]);
    let t0 = h.now_ns;
    assert!(h.run_until_cond(15 * SEC, |h| h.resets_done == 1));
    assert!(h.now_ns - t0 < 6 * SEC);
    assert_eq!(h.engine_counters().recoveries_of(RecoveryCause::FwHang), 1);
    assert!(h.associate(5 * SEC));
    assert!(receive_more(&mut h, 5_000, 10 * SEC));
    assert_accounted(&h);
}
