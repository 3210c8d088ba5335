//! A 30-minute virtual soak at saturation with random CRC errors and a fault of every class
//! every few minutes: the link never dies (no silence longer than the beacon-loss threshold)
//! and every generated frame is delivered or a counted drop.
//!
//! Debug builds are too slow for ~10M frames; `ci/tests.d/30-engine-bench.sh` runs it with
//! `--release` (where it takes seconds).

mod common;
use common::*;

use bes2600_sim::{Fault, FaultConfig, TrafficConfig};

/// Beacon-loss threshold: 50 beacons of 100 TU (spec §5.2: beacon_loss 50, link_loss 100).
const BEACON_LOSS_NS: u64 = 50 * 100 * 1_024_000;

#[test]
#[cfg_attr(
    debug_assertions,
    ignore = "release only: run by ci/tests.d/30-engine-bench.sh"
)]
fn thirty_minutes_at_saturation_with_faults() {
    let faults = FaultConfig {
        crc_ppm: 2_000,
        ..FaultConfig::default()
    };
    let mut h = streaming(TrafficConfig::SATURATION, faults, 0x50A4);
    let plan = [
        Fault::ConnectionLoss {
            events: 3,
            spacing_ns: 400 * MS,
        },
        Fault::DecryptStorm { frames: 64 },
        Fault::Hang,
        Fault::CorruptLength,
        Fault::CmdTimeouts(1),
    ];
    let end = h.now_ns + 30 * 60 * SEC;
    let mut i = 0;
    while h.now_ns < end {
        h.run_for(170 * SEC);
        let f = plan[i % plan.len()];
        h.sim.inject(f);
        if matches!(f, Fault::Hang | Fault::CmdTimeouts(_)) {
            // Give the watchdogs something outstanding to time.
            h.host.queue_uplink(100);
            if matches!(f, Fault::CmdTimeouts(_)) {
                h.host.cmd(bes2600_sim::wsm::id::SET_PM, vec![0, 0, 0, 0]);
            }
        }
        i += 1;
    }
    h.run_for(10 * SEC);
    let k = h.sim.counters();
    let e = h.engine_counters();
    eprintln!(
        "soak: sim {k:?}\nengine {e:?}\nstream {:?} discarded {} max_gap_ns {}",
        h.host.stream, h.host.stream_discarded, h.host.max_ap_gap_ns
    );
    assert!(k.generated > 5_000_000, "{k:?}");
    assert!(e.recoveries_total >= 8, "{e:?}");
    assert!(
        h.host.max_ap_gap_ns < BEACON_LOSS_NS,
        "gap {} ns",
        h.host.max_ap_gap_ns
    );
    assert_eq!(h.host.stream.duplicates, 0);
    assert_accounted(&h);
}
