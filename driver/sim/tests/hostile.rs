//! Hostile mode (garbage bursts, random register values, garbage messages) for 1M frames:
//! nothing panics, and every frame is delivered or a counted drop (only drops and resets).

mod common;
use common::*;

use bes2600_sim::{FaultConfig, TrafficConfig};

#[test]
fn hostile_chip_for_a_million_frames_only_drops_and_resets() {
    let traffic = TrafficConfig {
        payload_len: 200,
        ..TrafficConfig::SATURATION
    };
    let faults = FaultConfig {
        hostile_ppm: 1_000,
        crc_ppm: 1_000,
        corrupt_len_ppm: 200,
        cmd_timeout_ppm: 0,
    };
    let mut h = streaming(traffic, faults, 0xBAD);
    // At least a million frames and a hundred garbage events (their number follows virtual
    // time, which shrinks as recovery gets faster).
    assert!(h.run_until_cond(600 * SEC, |h| {
        let k = h.sim.counters();
        k.generated >= 1_000_000 && k.hostile_events > 100
    }));
    let k = h.sim.counters();
    let e = h.engine_counters();
    assert!(k.hostile_events > 100, "{k:?} {e:?} {:?}", h.phase());
    // Garbage did cost something, and was handled by drops and resets, never by delivering
    // a corrupted or repeated datagram.
    assert!(e.drops_total > 0 && h.resets_done > 0, "{e:?}");
    assert_eq!(h.host.stream.duplicates, 0);
    // Most of the stream still got through.
    assert!(
        h.host.stream.unique > k.generated / 2,
        "{:?} {k:?}",
        h.host.stream
    );
    assert_accounted(&h);
}
