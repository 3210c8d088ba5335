//! Credit accounting (spec §4.3): never more messages in flight than numInpChBufs, confirms
//! give credits back, a multi-TX confirm gives back `count`, stalls are counted.

mod common;
use bes2600_engine::{DropCause, Policy};
use common::*;

#[test]
fn tx_never_exceeds_credits_and_confirms_release_them() {
    let mut rig = Rig::new(Policy::default());
    rig.start(4);
    rig.upload_policy();
    rig.chip.auto_confirm = false;
    for i in 0..10 {
        rig.host.queue_tx(100, i);
    }
    rig.engine.shared().on_tx();
    rig.step();
    // Exactly 4 frames in one write; the rest wait in the host queue.
    assert_eq!(rig.chip.writes.len(), 1);
    assert_eq!(rig.chip.data_msgs().len(), 4);
    assert_eq!(rig.host.tx_queue.len(), 6);
    assert_eq!(rig.engine.credits(), (0, 4, 4));
    assert!(rig.snap().credit_stalls >= 1);
    // A multi-TX confirm for 3 frames frees 3 credits.
    let c = rig.chip.multi_tx_confirm(&[0, 1, 2]);
    rig.chip.in_flight -= 3;
    rig.chip.push_burst(&[c]);
    rig.step();
    assert_eq!(rig.host.tx_status.len(), 3);
    assert_eq!(rig.chip.data_msgs().len(), 7);
    assert_eq!(rig.engine.credits(), (0, 4, 4));
    // A single TX confirm frees one.
    let mut rec = vec![0u8; 20];
    rec[0..4].copy_from_slice(&3u32.to_le_bytes());
    let c = rig.chip.msg(0x0404, &rec);
    rig.chip.in_flight -= 1;
    rig.chip.push_burst(&[c]);
    rig.step();
    assert_eq!(rig.host.tx_status.last().unwrap().packet_id, 3);
    assert_eq!(rig.chip.data_msgs().len(), 8);
    assert!(
        rig.chip.max_in_flight <= 4,
        "max in flight {}",
        rig.chip.max_in_flight
    );
}

#[test]
fn saturation_with_auto_confirms_keeps_within_credits() {
    let mut rig = Rig::new(Policy::default());
    rig.start(8);
    for i in 0..500 {
        rig.host.queue_tx(200 + (i as usize % 1300), i);
    }
    rig.engine.shared().on_tx();
    for _ in 0..2000 {
        rig.step();
        if rig.host.tx_queue.is_empty() && !rig.chip.has_rx() {
            break;
        }
    }
    assert!(rig.host.tx_queue.is_empty());
    assert_eq!(rig.chip.data_msgs().len(), 500);
    assert_eq!(rig.host.tx_status.len(), 500);
    assert!(
        rig.chip.max_in_flight <= 8,
        "max in flight {}",
        rig.chip.max_in_flight
    );
    assert_eq!(rig.engine.credits(), (8, 0, 8));
    assert!(
        rig.chip.protocol_errors.is_empty(),
        "{:?}",
        rig.chip.protocol_errors
    );
}

#[test]
fn over_release_is_counted_and_clamped() {
    let mut rig = Rig::new(Policy::default());
    rig.start(4);
    let c = rig.chip.multi_tx_confirm(&[1, 2]);
    rig.chip.push_burst(&[c]);
    rig.step();
    assert_eq!(rig.snap().drops_of(DropCause::RxUnexpected), 2);
    assert_eq!(rig.engine.credits(), (4, 0, 4));
}

#[test]
fn multi_confirm_count_beyond_its_records_is_refused() {
    let mut rig = Rig::new(Policy::default());
    rig.start(4);
    let mut body = 5u32.to_le_bytes().to_vec();
    body.extend_from_slice(&[0u8; 20]); // only one record
    let c = rig.chip.msg(0x041E, &body);
    rig.chip.push_burst(&[c]);
    rig.step();
    assert_eq!(rig.snap().drops_of(DropCause::RxMalformed), 1);
    assert_eq!(rig.snap().recoveries_total, 1);
}
