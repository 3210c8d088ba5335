//! Firmware hang: the chip stops answering; the engine's credit watchdog (spec §4.3, 3 s)
//! fires, the chip is power-cycled and reloaded, and the stream resumes.

mod common;
use common::*;

use bes2600_engine::RecoveryCause;
use bes2600_sim::{Fault, FaultConfig, TrafficConfig};

#[test]
fn firmware_hang_is_detected_and_recovered() {
    let mut h = streaming(TrafficConfig::SATURATION, FaultConfig::default(), 13);
    h.sim.inject(Fault::Hang);
    // Something must be outstanding for the watchdog to see the silence.
    h.host.queue_uplink(200);
    let t0 = h.now_ns;
    assert!(h.run_until_cond(10 * SEC, |h| h.resets_done == 1));
    let took = h.now_ns - t0;
    assert!(
        (3 * SEC..5 * SEC).contains(&took),
        "hang detected after {took} ns"
    );
    let e = h.engine_counters();
    assert_eq!(e.recoveries_of(RecoveryCause::FwHang), 1, "{e:?}");
    assert!(h.associate(5 * SEC));
    assert!(receive_more(&mut h, 10_000, 10 * SEC));
    assert_accounted(&h);
}
