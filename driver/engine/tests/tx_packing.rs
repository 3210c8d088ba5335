//! TX packing (spec §1.7): ≤16 equal slots per CMD53, slot code in the address, toggle in
//! bit 16, seq numbers stamped per space, commands alone and first, oversize refused.

mod common;
use bes2600_engine::{DropCause, Policy};
use common::*;

fn seq_of(m: &[u8]) -> u8 {
    (u16::from_le_bytes([m[2], m[3]]) >> 13) as u8
}

#[test]
fn sixteen_per_write_then_the_rest() {
    let mut rig = Rig::new(Policy::default());
    rig.start(32);
    rig.upload_policy();
    for i in 0..20 {
        rig.host.queue_tx(300, i);
    }
    rig.engine.shared().on_tx();
    rig.settle(10);
    let counts: Vec<usize> = rig.chip.writes.iter().map(|w| w.msgs.len()).collect();
    assert_eq!(&counts[..2], &[16, 4]);
    let w = &rig.chip.writes[0];
    // 16 slots of 512, code 0; whole blocks on the bus.
    assert_eq!(w.addr & 0xFFFF, 16 * 512);
    assert_eq!(w.bytes, 16 * 512);
    // Toggle alternates per write.
    assert_ne!(rig.chip.writes[0].addr >> 16, rig.chip.writes[1].addr >> 16);
    // Sequence numbers run on from the 4 start-up commands, the policy upload and its
    // frame, mod 8.
    let data = rig.chip.data_msgs();
    for (i, m) in data.iter().enumerate() {
        assert_eq!(seq_of(m), ((6 + i) % 8) as u8, "message {i}");
    }
    // The 20 and the frame of the policy upload.
    assert_eq!(rig.snap().tx_frames, 20 + 1);
    // Two data writes after the four start-up command writes and the upload's two.
    assert_eq!(rig.snap().tx_writes, 4 + 2 + 2);
    assert_eq!(rig.snap().tx_commands, 4 + 1);
    assert!(
        rig.chip.protocol_errors.is_empty(),
        "{:?}",
        rig.chip.protocol_errors
    );
}

#[test]
fn a_different_slot_size_ends_the_batch_without_losing_the_frame() {
    let mut rig = Rig::new(Policy::default());
    rig.start(32);
    rig.upload_policy();
    // 508 + 4-byte trailer = 512 (one block); 509 needs 1024 (spec errata 1).
    rig.host.queue_tx(508, 1);
    rig.host.queue_tx(508, 2);
    rig.host.queue_tx(509, 3);
    rig.host.queue_tx(509, 4);
    rig.host.queue_tx(1600, 5);
    rig.engine.shared().on_tx();
    rig.settle(10);
    let shapes: Vec<(usize, u32)> = rig
        .chip
        .writes
        .iter()
        .map(|w| (w.msgs.len(), w.addr & 0xFFFF))
        .collect();
    assert_eq!(shapes, vec![(2, 1024), (2, 2048 | 1), (1, 1632 | 3)]);
    let ids: Vec<u32> = rig
        .chip
        .data_msgs()
        .iter()
        .map(|m| u32::from_le_bytes([m[4], m[5], m[6], m[7]]))
        .collect();
    assert_eq!(ids, vec![1, 2, 3, 4, 5]);
    // Seqs stay consecutive even though frame 3 waited for the next write.
    let seqs: Vec<u8> = rig.chip.data_msgs().iter().map(|m| seq_of(m)).collect();
    assert_eq!(seqs, vec![6, 7, 0, 1, 2]);
}

#[test]
fn oversize_and_malformed_frames_are_dropped() {
    let mut rig = Rig::new(Policy::default());
    rig.start(32);
    rig.upload_policy();
    rig.host.queue_tx(1629, 1); // 1629 + 4 > 1632
    let mut bad = vec![0u8; 100];
    bad[0..2].copy_from_slice(&90u16.to_le_bytes()); // length field disagrees
    bad[2..4].copy_from_slice(&0x0004u16.to_le_bytes());
    rig.host.tx_queue.push_back(bad);
    let mut not_tx = vec![0u8; 100];
    not_tx[0..2].copy_from_slice(&100u16.to_le_bytes());
    not_tx[2..4].copy_from_slice(&0x000Bu16.to_le_bytes()); // a join on the data path
    rig.host.tx_queue.push_back(not_tx);
    rig.host.queue_tx(100, 9);
    rig.engine.shared().on_tx();
    rig.settle(10);
    let s = rig.snap();
    assert_eq!(s.drops_of(DropCause::TxOversize), 1);
    assert_eq!(s.drops_of(DropCause::TxMalformed), 2);
    assert_eq!(rig.chip.data_msgs().len(), 1);
}

#[test]
fn commands_go_alone_and_before_data() {
    let mut rig = Rig::new(Policy::default());
    rig.start(32);
    rig.upload_policy();
    for i in 0..3 {
        rig.host.queue_tx(100, i);
    }
    rig.engine.remove_key(0, 77, 3).unwrap();
    rig.settle(10);
    let w0 = &rig.chip.writes[0];
    assert_eq!(w0.msgs.len(), 1);
    assert_eq!(
        u16::from_le_bytes([w0.msgs[0][2], w0.msgs[0][3]]) & 0x0C3F,
        0x000D
    );
    assert_eq!(rig.chip.writes[1].msgs.len(), 3);
    assert_eq!(rig.host.done, vec![(77, 0x000D, Ok(0))]);
}

#[test]
fn nosignal_mode_sends_one_message_per_write() {
    let mut rig = Rig::new(Policy::default());
    let sdd = [0u8; 4];
    let cfg = bes2600_engine::StartConfig {
        mode: bes2600_engine::FwMode::NoSignal,
        macs: [[2, 0, 0, 0, 0, 1]; 2],
        max_tx_msdu_lifetime: 0,
        max_rx_lifetime: 0,
        rts_threshold: 0,
        sdd: &sdd,
    };
    rig.engine.start(&cfg, 0).unwrap();
    for _ in 0..5 {
        let out = rig.step();
        if rig.engine.phase() == bes2600_engine::Phase::WaitStartup {
            break;
        }
        rig.now = out.next_deadline_ns.unwrap();
    }
    let ind = rig.chip.startup_ind(8);
    rig.chip.push_burst(&[ind]);
    rig.settle(20);
    assert_eq!(rig.engine.phase(), bes2600_engine::Phase::Running);
    // No multi-TX-confirm MIB in nosignal mode: only the two Configurations.
    assert_eq!(rig.chip.writes.len(), 2);
    rig.chip.writes.clear();
    rig.upload_policy();
    for i in 0..3 {
        rig.host.queue_tx(100, i);
    }
    rig.settle(20);
    let counts: Vec<usize> = rig.chip.writes.iter().map(|w| w.msgs.len()).collect();
    assert_eq!(counts, vec![1, 1, 1]);
}

#[test]
fn crc_on_write_is_retried() {
    let mut rig = Rig::new(Policy::default());
    rig.start(8);
    rig.upload_policy();
    rig.host.queue_tx(100, 1);
    rig.chip.crc_fail_writes = 3;
    rig.settle(10);
    assert_eq!(rig.chip.data_msgs().len(), 1);
    assert_eq!(rig.snap().bus_crc_retries, 3);
    assert!(
        rig.chip.protocol_errors.is_empty(),
        "{:?}",
        rig.chip.protocol_errors
    );
}

#[test]
fn a_busy_controller_delays_the_write_without_loss_or_reset() {
    let mut rig = Rig::new(Policy::default());
    rig.start(8);
    rig.upload_policy();
    for i in 0..3 {
        rig.host.queue_tx(100, i);
    }
    rig.engine.remove_key(0, 5, 1).unwrap();
    rig.chip.busy_writes = 2;
    let out = rig.step();
    assert!(out.more_work, "busy: come back later");
    assert!(rig.chip.writes.is_empty());
    assert_eq!(
        rig.engine.credits().1,
        0,
        "no credit taken for an unsent batch"
    );
    rig.step();
    assert!(rig.chip.writes.is_empty());
    rig.settle(10);
    // The command went first, then the data, each exactly once, seqs consecutive.
    assert_eq!(rig.chip.writes.len(), 2);
    assert_eq!(rig.chip.data_msgs().len(), 3);
    let seqs: Vec<u8> = rig
        .chip
        .writes
        .iter()
        .flat_map(|w| w.msgs.iter())
        .map(|m| seq_of(m))
        .collect();
    assert_eq!(seqs, vec![6, 7, 0, 1]);
    assert_eq!(rig.snap().recoveries_total, 0);
    assert_eq!(rig.host.done, vec![(5, 0x000D, Ok(0))]);
    assert!(
        rig.chip.protocol_errors.is_empty(),
        "{:?}",
        rig.chip.protocol_errors
    );
}
