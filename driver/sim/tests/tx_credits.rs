//! TX never exceeds the firmware's credits (numInpChBufs, spec §4.3), under uplink load with
//! the downlink stream running.

mod common;
use common::*;

use bes2600_sim::harness::{Harness, HarnessConfig};
use bes2600_sim::{SimConfig, TrafficConfig};

#[test]
fn uplink_burst_respects_credits_and_every_frame_is_confirmed() {
    const BUFS: u16 = 6;
    let mut h = Harness::new(HarnessConfig {
        sim: SimConfig {
            num_inp_ch_bufs: BUFS,
            traffic: TrafficConfig::SEED_4MBPS,
            ..SimConfig::default()
        },
        ..HarnessConfig::default()
    });
    assert!(h.associate(5 * SEC));
    let before = h.sim.counters().ap_udp_rx;
    for _ in 0..3000 {
        h.host.queue_uplink(1000);
    }
    assert!(h.run_until_cond(20 * SEC, |h| h.host.tx_queue.is_empty()
        && h.sim.outstanding() == 0));
    h.run_for(100 * MS);
    let k = h.sim.counters();
    assert_eq!(k.ap_udp_rx - before, 3000);
    assert_eq!(k.credit_overruns, 0, "{k:?}");
    assert!(k.max_outstanding <= u64::from(BUFS), "{k:?}");
    // The window was actually used, not trivially respected.
    assert_eq!(k.max_outstanding, u64::from(BUFS));
    assert!(h.max_credits_used <= BUFS);
    assert_eq!(k.tx_requests, k.tx_confirmed);
    assert_eq!(
        h.host.tx_status_ok + h.host.tx_status_failed,
        h.host.tx_handed
    );
    assert_eq!(h.host.tx_status_failed, 0);
    assert_eq!(k.host_seq_errors, 0);
    // The downlink kept flowing meanwhile, and goes on.
    h.run_for(SEC);
    assert_eq!(h.host.stream.lost(), 0);
    assert!(h.host.stream.unique > 1000);
    assert_accounted(&h);
}
