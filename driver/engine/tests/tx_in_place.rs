//! TX frames are built in place (issue 18 item 1): the host writes each WSM message straight
//! into its slot of the TX batch, so the engine copies no frame bytes itself, except a frame
//! that needs another slot size than its batch (spec §1.7): that one moves out of the way
//! and is copied into the next batch, and both moves are counted in `tx_copies`.

mod common;
use std::collections::VecDeque;

use bes2600_engine::{
    CmdDone, ConnEvent, DropCause, Host, Policy, RecoveryRequest, RxBatch, TxStatus, TX_MSG_MAX,
};
use common::*;
use proptest::prelude::*;

/// A Transmit request of `len` bytes whose body is a pattern of `tag`, so a frame that was
/// overwritten or mixed with another shows.
fn frame(len: usize, tag: u32) -> Vec<u8> {
    let mut m: Vec<u8> = (0..len)
        .map(|i| (i as u32).wrapping_mul(31).wrapping_add(tag) as u8)
        .collect();
    m[0..2].copy_from_slice(&(len as u16).to_le_bytes());
    m[2..4].copy_from_slice(&0x0004u16.to_le_bytes());
    m[4..8].copy_from_slice(&tag.to_le_bytes());
    // maxTxRate 1 Mb/s and policy 0: what the engine fills in once `Rig::upload_policy`
    // uploaded the policy for it (spec §3.9), so the bytes the chip sees stay the host's.
    m[8] = 0;
    m[11] &= !0x70;
    m
}

/// The message as the chip must see it: the engine only stamps the seq (bits 13-15 of the
/// ID word).
fn unstamped(m: &[u8]) -> Vec<u8> {
    let mut m = m.to_vec();
    m[3] &= 0x1F;
    m
}

#[test]
fn equal_frames_cost_the_engine_no_copy() {
    let mut rig = Rig::new(Policy::default());
    rig.start(32);
    rig.upload_policy();
    // The upload held its frame once (a counted copy); what follows is counted from here.
    let copies0 = rig.snap().tx_copies;
    let sent: Vec<Vec<u8>> = (0..40).map(|i| frame(300, i)).collect();
    rig.host.tx_queue.extend(sent.iter().cloned());
    rig.engine.shared().on_tx();
    rig.settle(20);
    let got: Vec<Vec<u8>> = rig.chip.data_msgs().iter().map(|m| unstamped(m)).collect();
    assert_eq!(got, sent);
    let s = rig.snap();
    assert_eq!(s.tx_frames, 40 + 1, "the 40 and the upload's frame");
    assert_eq!(
        s.tx_copies - copies0,
        0,
        "frames built in place are never copied by the engine"
    );
    assert!(
        rig.chip.protocol_errors.is_empty(),
        "{:?}",
        rig.chip.protocol_errors
    );
}

#[test]
fn a_slot_size_change_moves_one_frame_out_and_back() {
    let mut rig = Rig::new(Policy::default());
    rig.start(32);
    rig.upload_policy();
    // The upload held its frame once (a counted copy); what follows is counted from here.
    let copies0 = rig.snap().tx_copies;
    // 508 + trailer fits 512; 509 needs 1024; 1600 needs 1632 (spec errata 1).
    let sent = [
        frame(508, 1),
        frame(508, 2),
        frame(509, 3),
        frame(509, 4),
        frame(1600, 5),
    ];
    rig.host.tx_queue.extend(sent.iter().cloned());
    rig.engine.shared().on_tx();
    rig.settle(20);
    let got: Vec<Vec<u8>> = rig.chip.data_msgs().iter().map(|m| unstamped(m)).collect();
    assert_eq!(got, sent);
    let shapes: Vec<usize> = rig.chip.writes.iter().map(|w| w.msgs.len()).collect();
    assert_eq!(shapes, vec![2, 2, 1]);
    // Frames 3 and 5 each opened a new batch: out of the slot area, then into the next batch.
    assert_eq!(rig.snap().tx_copies - copies0, 4);
}

#[test]
fn a_moved_frame_survives_a_busy_controller() {
    let mut rig = Rig::new(Policy::default());
    rig.start(32);
    rig.upload_policy();
    let sent = [frame(100, 1), frame(1000, 2), frame(100, 3)];
    rig.host.tx_queue.extend(sent.iter().cloned());
    rig.chip.busy_writes = 3;
    rig.engine.shared().on_tx();
    rig.settle(20);
    let got: Vec<Vec<u8>> = rig.chip.data_msgs().iter().map(|m| unstamped(m)).collect();
    assert_eq!(got, sent);
    assert_eq!(rig.snap().recoveries_total, 0);
    assert_eq!(rig.snap().drops_total, 0);
}

/// A host that records where each frame was built: the address and length of the buffer it
/// was given.
#[derive(Default)]
struct WhereHost {
    queue: VecDeque<Vec<u8>>,
    bufs: Vec<(usize, usize)>,
}

impl Host for WhereHost {
    fn next_tx(&mut self, buf: &mut [u8]) -> Option<usize> {
        let m = self.queue.pop_front()?;
        self.bufs.push((buf.as_ptr() as usize, buf.len()));
        buf.get_mut(..m.len())?.copy_from_slice(&m);
        Some(m.len())
    }
    fn rx_batch(&mut self, _: &RxBatch<'_>) {}
    fn tx_status(&mut self, _: &TxStatus) {}
    fn cmd_done(&mut self, _: &CmdDone<'_>) {}
    fn scan_complete(&mut self, _: u8, _: u32) {}
    fn event(&mut self, _: &ConnEvent) {}
    fn recovery(&mut self, _: &RecoveryRequest) {}
}

#[test]
fn the_host_writes_each_frame_into_its_own_slot() {
    let mut rig = Rig::new(Policy::default());
    rig.start(32);
    rig.upload_policy();
    // The upload held its frame once (a counted copy); what follows is counted from here.
    let copies0 = rig.snap().tx_copies;
    let mut host = WhereHost::default();
    // 1484-byte messages (a 1400-byte UDP datagram): 1536-byte slots.
    host.queue.extend((0..16).map(|i| frame(1484, i)));
    rig.engine.shared().on_tx();
    rig.engine.run(&mut rig.chip, &mut host, rig.now);
    assert_eq!(rig.chip.writes.len(), 1);
    assert_eq!(rig.chip.writes[0].msgs.len(), 16);
    assert_eq!(host.bufs.len(), 16);
    let base = host.bufs[0].0;
    for (k, &(addr, len)) in host.bufs.iter().enumerate() {
        assert_eq!(addr - base, k * 1536, "frame {k} is built in slot {k}");
        assert_eq!(len, TX_MSG_MAX, "the host gets a whole message's room");
    }
    assert_eq!(rig.snap().tx_copies - copies0, 0);
}

proptest! {
    /// Any mix of sizes (oversize ones included) and credit counts: every valid frame reaches
    /// the chip intact and in order, oversize ones are dropped and counted, and the engine's
    /// own copies are two per batch opened by a slot-size change, never more.
    #[test]
    fn any_mix_arrives_intact_and_in_order(
        lens in prop::collection::vec(
            prop_oneof![8 => 24usize..=1628, 1 => 1629usize..=1700],
            1..60,
        ),
        credits in 1u16..=40,
    ) {
        let mut rig = Rig::new(Policy::default());
        rig.start(credits);
        rig.upload_policy();
        // The upload held its frame once (a counted copy); what follows counts from here.
        let copies0 = rig.snap().tx_copies;
        let sent: Vec<Vec<u8>> = lens
            .iter()
            .enumerate()
            .map(|(i, &l)| frame(l, i as u32))
            .collect();
        rig.host.tx_queue.extend(sent.iter().cloned());
        rig.engine.shared().on_tx();
        rig.settle(400);
        let want: Vec<Vec<u8>> = sent.iter().filter(|m| m.len() <= 1628).cloned().collect();
        let got: Vec<Vec<u8>> = rig.chip.data_msgs().iter().map(|m| unstamped(m)).collect();
        prop_assert_eq!(&got, &want);
        let s = rig.snap();
        prop_assert_eq!(
            s.drops_of(DropCause::TxOversize) as usize,
            sent.len() - want.len()
        );
        // Seqs run on consecutively from the four start-up commands, the policy upload
        // and its frame.
        for (i, m) in rig.chip.data_msgs().iter().enumerate() {
            prop_assert_eq!(u16::from_le_bytes([m[2], m[3]]) >> 13, ((6 + i) % 8) as u16);
        }
        // A move happens only where a frame's slot size differs from the one before it.
        let slot = |l: usize| (l + 4).div_ceil(512).min(4);
        let changes = want.windows(2).filter(|w| slot(w[0].len()) != slot(w[1].len())).count();
        prop_assert_eq!((s.tx_copies - copies0) % 2, 0);
        prop_assert!((s.tx_copies - copies0) as usize <= 2 * changes, "{} copies, {} changes", s.tx_copies - copies0, changes);
        prop_assert!(rig.chip.protocol_errors.is_empty(), "{:?}", rig.chip.protocol_errors);
    }
}
