//! Shared set-up for the engine + sim scenarios.
#![allow(dead_code)]

use bes2600_sim::harness::{Harness, HarnessConfig};
use bes2600_sim::{FaultConfig, SimConfig, TrafficConfig};

pub const MS: u64 = 1_000_000;
pub const SEC: u64 = 1_000_000_000;

/// A rig at saturation (or `traffic`), associated and streaming.
pub fn streaming(traffic: TrafficConfig, faults: FaultConfig, seed: u64) -> Harness {
    streaming_with(HarnessConfig {
        sim: SimConfig {
            traffic,
            faults,
            seed,
            ..SimConfig::default()
        },
        ..HarnessConfig::default()
    })
}

/// Like [`streaming`] with a full harness configuration.
pub fn streaming_with(cfg: HarnessConfig) -> Harness {
    let mut h = Harness::new(cfg);
    assert!(h.associate(5 * SEC), "no association: {:?}", h.host.events);
    assert!(
        h.run_until_cond(SEC, |h| h.host.stream.unique > 0),
        "no stream"
    );
    h
}

/// Runs until `n` more distinct stream frames arrived (or `limit` passed).
pub fn receive_more(h: &mut Harness, n: u64, limit: u64) -> bool {
    let want = h.host.stream.unique + n;
    h.run_until_cond(limit, |h| h.host.stream.unique >= want)
}

/// Every generated frame is delivered, still queued, or a drop that someone counted.
pub fn assert_accounted(h: &Harness) {
    let k = h.sim.counters();
    assert!(k.accounted(), "chip accounting broken: {k:?}");
    let missing = h.lost_after_chip();
    let counted = h.engine_rx_drops() + k.hostile_tainted;
    assert!(
        missing <= counted,
        "{missing} frames handed to the engine never reached the station; {counted} drops counted ({:?})",
        h.engine_counters()
    );
    let s = &h.host.stream;
    assert_eq!(
        s.unique + h.host.stream_discarded + missing + k.dropped() + k.queued + k.in_burst,
        k.generated,
        "stream {s:?} chip {k:?}"
    );
}
