//! A glitched read of the RX length register (a plausible length with the expected toggle
//! while nothing was announced, spec §1.5) puts the host's expected toggle one step off the
//! chip's. The link must not die: the engine resynchronises or resets, and the stream goes on.

mod common;
use common::*;

use bes2600_sim::{Fault, FaultConfig, TrafficConfig};

#[test]
fn glitched_length_read_does_not_kill_the_link() {
    let mut h = streaming(TrafficConfig::SEED_4MBPS, FaultConfig::default(), 5);
    h.sim.inject(Fault::GlitchLength);
    let before = h.host.stream.unique;
    h.run_for(SEC);
    assert_eq!(
        h.sim.counters().empty_reads,
        1,
        "the glitch was not consumed"
    );
    // Whatever the engine did about it, the stream flows again within a few seconds.
    assert!(
        receive_more(&mut h, 10_000, 10 * SEC),
        "{:?}",
        h.engine_counters()
    );
    assert!(h.host.stream.unique - before >= 10_000);
    assert!(h.host.max_ap_gap_ns < 5 * SEC);
    assert_accounted(&h);
}
