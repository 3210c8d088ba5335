//! RX into memory the host lends (`Host::rx_buffer`, issue 18 item 2): the burst is read
//! into the host's buffer, the frames reach the host as ranges into it (never copied by the
//! engine), and everything else — order of batches, events and scan completions, drops,
//! counters, faults — is what the same bursts give through the engine's own buffer.

mod common;
use bes2600_engine::{
    ConnEvent, DropCause, Host, Policy, RecoveryRequest, RxBatch, RxMeta, Snapshot, StartupInfo,
    TxStatus,
};
use bes2600_wire::sdio::MAX_RX_BUF;
use common::*;

/// A host that lends one buffer for every burst and records frames from it.
struct Lender {
    inner: MockHost,
    buf: Vec<u8>,
    /// Bytes lent per call (`None`: refuse, the engine uses its own buffer).
    lend_len: Option<usize>,
    lends: usize,
    /// Batches whose frames came from the lent buffer / from `RxBatch::burst`.
    lent_batches: usize,
    own_batches: usize,
    /// Frames whose bytes did not lie inside the lent buffer (a copy somewhere).
    frames_outside: usize,
}

impl Lender {
    fn new(inner: MockHost) -> Self {
        Self {
            inner,
            // Poisoned: a byte the bus transfer did not write shows up in a comparison.
            buf: vec![0xA5; MAX_RX_BUF],
            lend_len: Some(MAX_RX_BUF),
            lends: 0,
            lent_batches: 0,
            own_batches: 0,
            frames_outside: 0,
        }
    }
}

impl Host for Lender {
    fn next_tx(&mut self, buf: &mut [u8]) -> Option<usize> {
        self.inner.next_tx(buf)
    }
    fn tx_pending(&mut self) -> bool {
        self.inner.tx_pending()
    }
    fn rx_buffer(&mut self, len: usize) -> Option<&mut [u8]> {
        let n = self.lend_len?;
        self.lends += 1;
        assert!(
            len <= MAX_RX_BUF && len.is_multiple_of(512),
            "burst length {len}"
        );
        self.buf.get_mut(..n)
    }
    fn rx_batch(&mut self, batch: &RxBatch<'_>) {
        let frames: Vec<(RxMeta, Vec<u8>)> = if batch.lent() {
            assert!(batch.burst().is_empty(), "a lent burst has no engine copy");
            self.lent_batches += 1;
            let range = self.buf.as_ptr_range();
            batch
                .frames_in(&self.buf)
                .map(|(m, f)| {
                    if f.is_empty() || !range.contains(&f.as_ptr()) {
                        self.frames_outside += 1;
                    }
                    (*m, f.to_vec())
                })
                .collect()
        } else {
            self.own_batches += 1;
            batch.iter().map(|(m, f)| (*m, f.to_vec())).collect()
        };
        self.inner.order.push(Seen::Batch(frames.len()));
        self.inner.batches.push(frames);
    }
    fn tx_status(&mut self, status: &TxStatus) {
        self.inner.tx_status(status)
    }
    fn cmd_done(&mut self, done: &bes2600_engine::CmdDone<'_>) {
        self.inner.cmd_done(done)
    }
    fn scan_complete(&mut self, if_id: u8, status: u32) {
        self.inner.scan_complete(if_id, status)
    }
    fn event(&mut self, ev: &ConnEvent) {
        self.inner.event(ev)
    }
    fn recovery(&mut self, req: &RecoveryRequest) {
        self.inner.recovery(req)
    }
    fn ready(&mut self, info: &StartupInfo) {
        self.inner.ready(info)
    }
}

/// `Rig::settle` with the lending host.
fn settle(rig: &mut Rig, host: &mut Lender, max: usize) {
    for _ in 0..max {
        if rig.chip.has_rx() {
            rig.chip.irq_enabled = false;
            rig.engine.on_irq();
        }
        let out = rig.engine.run(&mut rig.chip, host, rig.now);
        if !out.more_work && !rig.chip.has_rx() {
            return;
        }
    }
}

fn frame(i: u8, len: usize) -> Vec<u8> {
    let mut f = vec![i; len];
    f[0] = 0x08; // data frame
    f[len - 1] = i ^ 0x5A;
    f
}

/// Bursts that exercise every kind of message the drain handles: full data bursts,
/// scan results before a scan complete, events between frames, bad statuses, TX confirms.
fn queue_mixed(chip: &mut MockChip) {
    for b in 0..3u8 {
        let msgs: Vec<_> = (0..16u8)
            .map(|i| chip.rx_ind(0, 0, &frame(b * 16 + i, 60 + 90 * usize::from(i))))
            .collect();
        chip.push_burst(&msgs);
    }
    let mut beacon = vec![7u8; 120];
    beacon[0] = 0x80;
    let msgs = vec![
        chip.rx_ind(2, 0, &beacon),
        chip.rx_ind(0, 4, &frame(200, 40)), // decrypt failure: counted drop
        chip.msg(0x0806, &[0, 0, 0, 0, 0, 1, 0, 0]), // scan complete
        chip.rx_ind(0, 0, &frame(201, 1500)),
        chip.event(0, 1, 0),                 // BSS lost
        chip.rx_ind(0, 5, &frame(202, 300)), // MIC failure: passed up
        chip.rx_ind(0, 9, &frame(203, 50)),  // no key: counted drop
        chip.event(0, 2, 0),                 // BSS regained
        chip.rx_ind(0, 0, &frame(204, 1400)),
    ];
    chip.push_burst(&msgs);
}

/// Runs `queue` through a fresh rig, lending or not; returns what the host saw and the
/// counters (`rx_bursts` counts only the bursts of `queue`).
fn run(lend: Option<usize>, queue: impl Fn(&mut MockChip)) -> (Lender, Snapshot) {
    let mut rig = Rig::new(Policy::default());
    rig.start(4);
    let bursts0 = rig.snap().rx_bursts;
    let mut host = Lender::new(std::mem::take(&mut rig.host));
    host.lend_len = lend;
    queue(&mut rig.chip);
    settle(&mut rig, &mut host, 50);
    assert!(
        rig.chip.protocol_errors.is_empty(),
        "{:?}",
        rig.chip.protocol_errors
    );
    let mut snap = rig.snap();
    snap.rx_bursts -= bursts0;
    (host, snap)
}

fn assert_same(a: &Lender, b: &Lender, sa: &Snapshot, sb: &Snapshot) {
    assert_eq!(a.inner.order, b.inner.order);
    assert_eq!(a.inner.batches, b.inner.batches);
    assert_eq!(a.inner.events, b.inner.events);
    assert_eq!(a.inner.scans, b.inner.scans);
    assert_eq!(a.inner.recoveries, b.inner.recoveries);
    assert_eq!(sa.rx_frames, sb.rx_frames);
    assert_eq!(sa.rx_bursts, sb.rx_bursts);
    assert_eq!(sa.bus_transactions, sb.bus_transactions);
    for cause in DropCause::ALL {
        assert_eq!(sa.drops_of(cause), sb.drops_of(cause), "{cause:?}");
    }
}

#[test]
fn lent_bursts_deliver_the_same_frames_by_reference() {
    let (lent, s_lent) = run(Some(MAX_RX_BUF), queue_mixed);
    let (own, s_own) = run(None, queue_mixed);
    assert_same(&lent, &own, &s_lent, &s_own);
    // Every burst was read into the lent buffer and every frame lies inside it.
    assert_eq!(lent.lends as u64, s_lent.rx_bursts);
    assert_eq!(lent.own_batches, 0);
    assert!(lent.lent_batches >= 4);
    assert_eq!(lent.frames_outside, 0);
    assert_eq!(own.lent_batches, 0);
    // 48 data frames, the beacon, three frames and the MIC failure of the mixed burst.
    assert_eq!(lent.inner.frames(), 48 + 4);
    assert_eq!(lent.inner.batches[0][15].1, frame(15, 60 + 90 * 15));
    assert_eq!(s_lent.drops_of(DropCause::RxDecrypt), 1);
    assert_eq!(s_lent.drops_of(DropCause::RxNoKey), 1);
    // No frame is copied by the engine: its copy counter stays at zero.
    assert_eq!(s_lent.rx_copies, 0);
}

#[test]
fn a_short_loan_is_not_used() {
    // 512 bytes cannot hold a full 16-frame burst: the engine reads into its own buffer.
    let (h, s) = run(Some(512), queue_mixed);
    let (own, s_own) = run(None, queue_mixed);
    assert_same(&h, &own, &s, &s_own);
    assert_eq!(h.frames_outside, 0);
    assert!(
        h.own_batches >= 3,
        "the full bursts came from the engine's buffer"
    );
}

#[test]
fn sequence_fault_in_a_lent_burst_counts_like_the_own_buffer() {
    let queue = |chip: &mut MockChip| {
        let a = chip.rx_ind(0, 0, &frame(1, 100));
        let b = chip.rx_ind(0, 0, &frame(2, 100));
        let mut bad = chip.rx_ind(0, 0, &frame(3, 100));
        // Flip the seq bits (13-15) of the ID word: out of order.
        bad[3] ^= 0x40;
        let d = chip.rx_ind(0, 0, &frame(4, 100));
        let e = chip.rx_ind(0, 0, &frame(5, 100));
        chip.push_burst(&[a, b, bad, d, e]);
    };
    let (lent, s_lent) = run(Some(MAX_RX_BUF), queue);
    let (own, s_own) = run(None, queue);
    assert_same(&lent, &own, &s_lent, &s_own);
    // The two frames before the fault went up; the bad one and the two after it are drops.
    assert_eq!(lent.inner.frames(), 2);
    assert_eq!(s_lent.drops_of(DropCause::RxSeq), 3);
    assert!(matches!(
        lent.inner.recoveries.as_slice(),
        [RecoveryRequest::ResetAndReload { .. }]
    ));
}

#[test]
fn crc_retries_read_again_into_the_loan() {
    let (lent, s_lent) = run(Some(MAX_RX_BUF), |chip| {
        chip.crc_fail_reads = 3;
        let m: Vec<_> = (0..4u8)
            .map(|i| chip.rx_ind(0, 0, &frame(i, 700)))
            .collect();
        chip.push_burst(&m);
    });
    assert_eq!(lent.inner.frames(), 4);
    assert_eq!(lent.frames_outside, 0);
    // One loan per burst: the retries read into the same loan.
    assert_eq!(lent.lends as u64, s_lent.rx_bursts);
    assert_eq!(s_lent.bus_crc_retries, 3);
}
