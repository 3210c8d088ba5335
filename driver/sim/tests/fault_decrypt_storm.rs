//! A decrypt-failure storm (RX status 4) makes the engine ask the host to reassociate; the
//! station does, without a chip reset, and the stream goes on.

mod common;
use common::*;

use bes2600_engine::{RecoveryCause, RecoveryRequest};
use bes2600_sim::harness::HostEvent;
use bes2600_sim::{ApState, Fault, FaultConfig, TrafficConfig};

#[test]
fn decrypt_storm_triggers_reassociation() {
    let mut h = streaming(TrafficConfig::SEED_4MBPS, FaultConfig::default(), 17);
    let assocs = h.sim.counters().assocs;
    h.sim.inject(Fault::DecryptStorm { frames: 64 });
    let want = HostEvent::Recovery(RecoveryRequest::Reassociate {
        cause: RecoveryCause::DecryptStorm,
    });
    assert!(
        h.run_until_cond(SEC, |h| h.host.count(|e| *e == want) >= 1),
        "{:?}",
        h.host.events
    );
    let e = h.engine_counters();
    assert!(e.recoveries_of(RecoveryCause::DecryptStorm) >= 1, "{e:?}");
    assert!(h.run_until_cond(SEC, |h| h.sim.counters().assocs > assocs));
    assert_eq!(h.sim.ap_state(), ApState::Associated(1));
    assert_eq!(h.resets_done, 0);
    assert!(receive_more(&mut h, 5_000, 5 * SEC));
    assert_accounted(&h);
}
