//! A corrupted RX length register (more than the RX buffer can hold, spec §1.5 item 3) is
//! refused; the engine resets the chip and the stream resumes.

mod common;
use common::*;

use bes2600_engine::{DropCause, RecoveryCause};
use bes2600_sim::{Fault, FaultConfig, TrafficConfig};

#[test]
fn corrupted_length_register_is_refused_and_recovered() {
    let mut h = streaming(TrafficConfig::SATURATION, FaultConfig::default(), 14);
    h.sim.inject(Fault::CorruptLength);
    assert!(h.run_until_cond(SEC, |h| h.resets_done == 1));
    let e = h.engine_counters();
    assert_eq!(e.recoveries_of(RecoveryCause::BusError), 1, "{e:?}");
    assert!(e.drops_of(DropCause::RxBadLength) >= 1);
    assert!(h.sim.counters().dropped_reset > 0);
    assert!(h.associate(5 * SEC));
    assert!(receive_more(&mut h, 10_000, 10 * SEC));
    assert_accounted(&h);
}
