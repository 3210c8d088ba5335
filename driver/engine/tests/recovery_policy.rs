//! Recovery policy windows: decrypt storm → reassociate; N BSS-lost in a window → reload;
//! PS mode error latches power save off; the recovery ring records cause, count and time.

mod common;
use bes2600_engine::{ConnEvent, DropCause, Phase, Policy, RecoveryCause, RecoveryRequest};
use bes2600_wire::wsm::pm::PmMode;
use common::*;

#[test]
fn decrypt_storm_asks_for_reassociation_and_keeps_running() {
    let mut rig = Rig::new(Policy {
        decrypt_storm_count: 20,
        decrypt_window_ns: 5 * SEC,
        ..Policy::default()
    });
    rig.start(8);
    let t0 = rig.now;
    // 19 failures spread over 4 s: no storm yet.
    for i in 0..19u64 {
        rig.now = t0 + i * 200 * MS;
        let m = rig.chip.rx_ind(0, 4, &[8u8; 40]);
        rig.chip.push_burst(&[m]);
        rig.settle(3);
    }
    assert!(rig.host.recoveries.is_empty());
    rig.now = t0 + 4 * SEC;
    let m = rig.chip.rx_ind(0, 4, &[8u8; 40]);
    rig.chip.push_burst(&[m]);
    rig.settle(3);
    assert_eq!(
        rig.host.recoveries,
        vec![RecoveryRequest::Reassociate {
            cause: RecoveryCause::DecryptStorm
        }]
    );
    assert_eq!(rig.engine.phase(), Phase::Running);
    let s = rig.snap();
    assert_eq!(s.drops_of(DropCause::RxDecrypt), 20);
    assert_eq!(s.recoveries_of(RecoveryCause::DecryptStorm), 1);
}

#[test]
fn slow_decrypt_failures_never_make_a_storm() {
    let mut rig = Rig::new(Policy {
        decrypt_storm_count: 3,
        decrypt_window_ns: 5 * SEC,
        ..Policy::default()
    });
    rig.start(8);
    let t0 = rig.now;
    for i in 0..10u64 {
        rig.now = t0 + i * 3 * SEC;
        let m = rig.chip.rx_ind(0, 4, &[8u8; 40]);
        rig.chip.push_burst(&[m]);
        rig.settle(3);
    }
    assert!(rig.host.recoveries.is_empty());
}

fn bss_lost(rig: &mut Rig, at: u64) {
    rig.now = at;
    let e = rig.chip.event(0, 1, 0);
    rig.chip.push_burst(&[e]);
    rig.settle(3);
}

#[test]
fn three_connection_losses_in_60s_reload_the_firmware() {
    let mut rig = Rig::new(Policy::default());
    rig.start(8);
    bss_lost(&mut rig, SEC);
    bss_lost(&mut rig, 30 * SEC);
    assert!(rig.host.recoveries.is_empty());
    bss_lost(&mut rig, 60 * SEC);
    assert_eq!(
        rig.host.recoveries,
        vec![RecoveryRequest::ResetAndReload {
            cause: RecoveryCause::ConnectionLoss
        }]
    );
    assert_eq!(
        rig.host
            .events
            .iter()
            .filter(|e| matches!(e, ConnEvent::BssLost { .. }))
            .count(),
        3
    );
    let mut ring = Vec::new();
    rig.engine.shared().recovery_log.for_each(|e| ring.push(e));
    assert_eq!(ring.len(), 1);
    assert_eq!(
        (ring[0].time_ns, ring[0].cause, ring[0].count),
        (60 * SEC, RecoveryCause::ConnectionLoss, 1)
    );
}

#[test]
fn connection_losses_spread_wider_than_the_window_do_not_reload() {
    let mut rig = Rig::new(Policy::default());
    rig.start(8);
    bss_lost(&mut rig, SEC);
    bss_lost(&mut rig, 40 * SEC);
    bss_lost(&mut rig, 80 * SEC);
    bss_lost(&mut rig, 130 * SEC);
    assert!(rig.host.recoveries.is_empty());
    assert_eq!(rig.engine.phase(), Phase::Running);
}

#[test]
fn ps_mode_error_latches_power_save_off() {
    let mut rig = Rig::new(Policy::default());
    rig.start(8);
    // Reason 4 (no data after TIM) does not latch.
    let e = rig.chip.event(0, 7, 4);
    rig.chip.push_burst(&[e]);
    rig.settle(3);
    assert!(!rig.engine.psm_latched());
    let e = rig.chip.event(0, 7, 1);
    rig.chip.push_burst(&[e]);
    rig.settle(3);
    assert!(rig.engine.psm_latched());
    let writes = rig.chip.writes.len();
    rig.engine.set_pm(0, 40, &set_pm(PmMode::FastPs)).unwrap();
    rig.engine.set_pm(0, 41, &set_pm(PmMode::Active)).unwrap();
    rig.settle(5);
    // Power save skipped locally; "active" still goes to the firmware.
    assert_eq!(rig.chip.writes.len(), writes + 1);
    assert_eq!(
        rig.host.done,
        vec![(40, 0x0010, Err("skipped")), (41, 0x0010, Ok(0))]
    );
    // A successful join clears the latch.
    rig.engine.join(0, 42, &join_req()).unwrap();
    rig.settle(5);
    assert!(!rig.engine.psm_latched());
}

#[test]
fn recoveries_are_counted_by_cause_across_restarts() {
    let mut rig = Rig::new(Policy::default());
    for round in 1..=3u64 {
        rig.chip = MockChip::new();
        rig.start(8);
        let exc = rig.chip.msg(0x0800, &[0u8; 8]);
        rig.chip.push_burst(&[exc]);
        rig.settle(3);
        assert_eq!(rig.snap().recoveries_of(RecoveryCause::FwHang), round);
    }
    let mut counts = Vec::new();
    rig.engine
        .shared()
        .recovery_log
        .for_each(|e| counts.push(e.count));
    assert_eq!(counts, vec![1, 2, 3]);
}
