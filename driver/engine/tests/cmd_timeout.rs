//! Command timeouts (spec §3.11): one outstanding command, per-command deadlines, extension
//! while RX data flows up to the 10 s cap, a timeout becomes a recovery instead of a hang;
//! the 3 s firmware-hang watchdog (spec §4.3).
#![allow(unused_variables)]

mod common;
use bes2600_engine::{Phase, Policy, RecoveryCause, RecoveryRequest, SubmitError};
use common::*;

#[test]
fn only_one_command_is_outstanding() {
    let mut rig = Rig::new(Policy::default());
    rig.start(8);
    let t0 = rig.now;
    rig.chip.auto_confirm = false;
    rig.engine.join(0, 1, &join_req()).unwrap();
    rig.engine.remove_key(0, 2, 0).unwrap();
    rig.settle(5);
    assert_eq!(
        rig.chip.writes.len(),
        1,
        "second command waits for the first confirm"
    );
    let c = rig.chip.confirm(0x000B, 0);
    rig.chip.push_burst(&[c]);
    rig.settle(5);
    assert_eq!(rig.chip.writes.len(), 2);
    assert_eq!(rig.host.done, vec![(1, 0x000B, Ok(0))]);
}

#[test]
fn join_times_out_after_7s_and_recovers() {
    let mut rig = Rig::new(Policy::default());
    rig.start(8);
    let t0 = rig.now;
    rig.chip.auto_confirm = false;
    rig.engine.join(0, 5, &join_req()).unwrap();
    let out = rig.step();
    // The firmware-hang watchdog (3 s, outstanding credit) comes first unless disabled.
    assert_eq!(out.next_deadline_ns, Some(t0 + 3 * SEC));
    let mut rig = Rig::new(Policy {
        fw_hang_ns: u64::MAX / 2,
        ..Policy::default()
    });
    rig.start(8);
    let t0 = rig.now;
    rig.chip.auto_confirm = false;
    rig.engine.join(0, 5, &join_req()).unwrap();
    let out = rig.step();
    assert_eq!(out.next_deadline_ns, Some(t0 + 7 * SEC));
    rig.now = t0 + 7 * SEC - 1;
    rig.step();
    assert!(rig.host.done.is_empty());
    rig.now = t0 + 7 * SEC;
    rig.step();
    assert_eq!(rig.host.done, vec![(5, 0x000B, Err("timeout"))]);
    assert_eq!(
        rig.host.recoveries,
        vec![RecoveryRequest::ResetAndReload {
            cause: RecoveryCause::CmdTimeout
        }]
    );
    assert_eq!(rig.engine.phase(), Phase::Down);
    assert_eq!(rig.snap().recoveries_of(RecoveryCause::CmdTimeout), 1);
    assert_eq!(
        rig.engine.submit(0x0008, 0, 0, &[]),
        Err(SubmitError::NotRunning)
    );
}

#[test]
fn deadline_extends_to_the_cap_while_data_flows() {
    let mut rig = Rig::new(Policy {
        fw_hang_ns: u64::MAX / 2,
        ..Policy::default()
    });
    rig.start(8);
    let t0 = rig.now;
    rig.chip.auto_confirm = false;
    let mib = bes2600_wire::wsm::mib::WriteMib {
        mib: bes2600_wire::wsm::mib::Mib::BeaconWakeUpPeriod {
            num_beacon_periods: 1,
            listen_interval: 3,
        },
    };
    rig.engine.write_mib(0, 9, &mib).unwrap();
    rig.step();
    // Data keeps arriving after the command went out.
    rig.now = t0 + 2 * SEC;
    let m = rig.chip.rx_ind(0, 0, &[8u8; 40]);
    rig.chip.push_burst(&[m]);
    rig.step();
    rig.now = t0 + 6 * SEC;
    let out = rig.step();
    assert!(rig.host.done.is_empty(), "extended, not timed out");
    assert_eq!(out.next_deadline_ns, Some(t0 + 10 * SEC));
    rig.now = t0 + 10 * SEC;
    rig.step();
    assert_eq!(rig.host.done, vec![(9, 0x0006, Err("timeout"))]);
    assert_eq!(rig.snap().recoveries_of(RecoveryCause::CmdTimeout), 1);
}

#[test]
fn no_confirm_for_3s_with_credits_out_is_a_firmware_hang() {
    let mut rig = Rig::new(Policy::default());
    rig.start(8);
    // A first frame gets its rate policy uploaded (a command, confirmed), so the frame
    // below goes out alone.
    rig.host.queue_tx(100, 1);
    rig.settle(20);
    assert_eq!(rig.engine.credits().1, 0);
    let t0 = rig.now;
    rig.chip.auto_confirm = false;
    rig.host.queue_tx(100, 1);
    let out = rig.step();
    assert_eq!(rig.engine.credits().1, 1);
    assert_eq!(out.next_deadline_ns, Some(t0 + 3 * SEC));
    rig.now = t0 + 3 * SEC;
    rig.step();
    assert_eq!(
        rig.host.recoveries,
        vec![RecoveryRequest::ResetAndReload {
            cause: RecoveryCause::FwHang
        }]
    );
}

#[test]
fn recovery_aborts_queued_commands() {
    let mut rig = Rig::new(Policy::default());
    rig.start(8);
    let t0 = rig.now;
    rig.chip.auto_confirm = false;
    rig.engine.join(0, 1, &join_req()).unwrap();
    rig.engine.remove_key(0, 2, 0).unwrap();
    rig.engine.stop_scan(0, 3).unwrap();
    rig.step();
    rig.now = t0 + 3 * SEC;
    rig.step();
    assert_eq!(
        rig.host.done,
        vec![
            (1, 0x000B, Err("aborted")),
            (2, 0x000D, Err("aborted")),
            (3, 0x0008, Err("aborted"))
        ]
    );
}

#[test]
fn confirm_for_the_wrong_command_is_fatal() {
    let mut rig = Rig::new(Policy::default());
    rig.start(8);
    let t0 = rig.now;
    rig.chip.auto_confirm = false;
    rig.engine.join(0, 1, &join_req()).unwrap();
    rig.step();
    let c = rig.chip.confirm(0x000C, 0);
    rig.chip.push_burst(&[c]);
    rig.step();
    assert_eq!(rig.snap().recoveries_of(RecoveryCause::FwHang), 1);
}
