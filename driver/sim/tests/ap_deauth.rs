//! The AP deauthenticates the station: the stream stops, the station authenticates and
//! associates again without a chip reset, and the stream resumes.

mod common;
use common::*;

use bes2600_sim::harness::HostEvent;
use bes2600_sim::{ApState, Fault, FaultConfig, TrafficConfig};

#[test]
fn ap_deauth_leads_to_reassociation() {
    let mut h = streaming(TrafficConfig::SEED_4MBPS, FaultConfig::default(), 21);
    h.sim.inject(Fault::ApDeauth);
    assert_eq!(h.sim.ap_state(), ApState::Idle);
    assert!(
        h.run_until_cond(SEC, |h| h.host.count(|e| *e == HostEvent::Deauthenticated)
            == 1)
    );
    assert!(h.run_until_cond(SEC, |h| h
        .host
        .count(|e| matches!(e, HostEvent::Associated(_)))
        == 2));
    assert_eq!(h.sim.counters().ap_deauths, 1);
    assert_eq!(h.sim.counters().assocs, 2);
    assert_eq!(h.resets_done, 0);
    assert!(receive_more(&mut h, 5_000, 5 * SEC));
    assert_eq!(h.host.stream.lost(), 0);
    assert_accounted(&h);
}
