//! CRC errors on the data lines at a rate: the engine retries (spec §1.5: up to 10×), the
//! stream goes on without loss and without a recovery.

mod common;
use common::*;

use bes2600_sim::{FaultConfig, TrafficConfig};

#[test]
fn crc_errors_are_retried_without_loss() {
    let faults = FaultConfig {
        crc_ppm: 50_000,
        ..FaultConfig::default()
    };
    let mut h = streaming(TrafficConfig::SATURATION, faults, 11);
    assert!(receive_more(&mut h, 20_000, 30 * SEC));
    let k = h.sim.counters();
    let e = h.engine_counters();
    assert!(k.crc_injected > 20, "{k:?}");
    assert!(
        e.bus_crc_retries >= k.crc_injected.saturating_sub(2),
        "{e:?} {k:?}"
    );
    assert_eq!(e.recoveries_total, 0);
    assert_eq!(h.host.stream.lost(), 0);
    assert_eq!(h.host.stream.duplicates, 0);
    assert_eq!(k.toggle_errors, 0);
    assert_accounted(&h);
}
