//! Issue 14 end to end on the host: the engine brings the simulated chip up with its static
//! SDD (accepted, 832 bytes on both interfaces), uploads the rate policy before the first
//! data frame, every TX request names an uploaded policy and one of its rates, and the
//! firmware sends at the policy's first rate; the firmware model counts no contract
//! violation.

use bes2600_sim::harness::{Harness, HarnessConfig};
use bes2600_sim::{SimConfig, TrafficConfig};

const SEC: u64 = 1_000_000_000;

#[test]
fn issue_14_sdd_and_rate_policy_through_the_engine() {
    let mut h = Harness::new(HarnessConfig {
        sim: SimConfig {
            traffic: TrafficConfig {
                enabled: false,
                ..TrafficConfig::SEED_4MBPS
            },
            ..SimConfig::default()
        },
        ..HarnessConfig::default()
    });
    assert!(h.associate(5 * SEC), "{:?}", h.host.events);
    h.host.fill_uplink(32, 1000);
    h.run_for(SEC / 10);
    let k = h.sim.counters();
    assert_eq!((k.sdd_accepted, k.sdd_refused, k.sdd_bytes), (2, 0, 832));
    assert!(k.policies_uploaded >= 1, "{k:?}");
    assert_eq!(k.tx_policy_refused, 0);
    assert!(k.ap_udp_rx >= 32, "{k:?}");
    assert_eq!(h.sim.fw_violations().total(), 0);
    let e = h.engine_counters();
    assert!(e.tx_policy_uploads >= 1);
    assert_eq!(e.tx_policies_uploaded, k.policies_uploaded);
    // The harness names no rates: the engine makes the request's rate (1 Mb/s) the policy,
    // and the firmware sends every frame at it.
    assert!(
        e.tx_confirms >= 32 + 2,
        "auth, assoc and the datagrams: {}",
        e.tx_confirms
    );
    assert_eq!((k.txed_rates_seen, k.txed_rate_last), (1, 0));
}
