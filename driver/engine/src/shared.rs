//! State shared between the bottom half and other contexts: the wake reasons set from the
//! IRQ handler, the counters read by debugfs, and the ring of recovery events.
//!
//! Everything here is atomics, so readers never take a lock and the RX path never takes one
//! either (DESIGN.md §2 invariants).
//!
//! Locks: the engine's hot path takes none. What it shares with other contexts is single
//! atomic operations: the wake bits (`fetch_or` from the IRQ or TX context, one `swap` per
//! check in the bottom half) and the relaxed counter increments; none of them waits for
//! another context. The per-path lock counters ([`Shared::note_lock`]) are therefore fed by
//! the glue, at each lock it takes on a data path (in the kernel module: the TX queue's
//! `skb_dequeue` spinlock, mac80211's `txq_schedule` round, …).

use core::sync::atomic::{AtomicU32, AtomicU64, Ordering};

/// The data path a lock or a copy belongs to (`rx_locks`/`tx_locks`, `rx_copies`/`tx_copies`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DataPath {
    /// From the chip to mac80211: the burst read, its split and delivery.
    Rx,
    /// From mac80211 to the chip: dequeue, WSM header, slot packing, the write.
    Tx,
}

/// Why a received frame, a burst or a transmit was dropped. Each cause has its own counter
/// (`drops_<name>` in debugfs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DropCause {
    /// An RX burst read failed with CRC errors after all retries (spec §1.5).
    RxCrc,
    /// The length register announced more than the RX buffer holds (spec §1.5 item 3).
    RxBadLength,
    /// The burst could not be split or a message failed its length checks.
    RxMalformed,
    /// Frames lost because a sequence-number error aborted the burst (spec §3.2).
    RxSeq,
    /// A receive indication with status 4, decryption failure (spec §3.7).
    RxDecrypt,
    /// A receive indication with status 9, no key found (spec §3.7).
    RxNoKey,
    /// A receive indication with another non-zero status.
    RxStatus,
    /// A message ID the engine does not handle.
    RxUnknown,
    /// A confirm that matched no outstanding command, or more credits released than used.
    RxUnexpected,
    /// A frame from the host was larger than one TX slot allows (spec §1.7, errata).
    TxOversize,
    /// A frame from the host had an inconsistent WSM header.
    TxMalformed,
    /// A TX write failed after retries; the frames in it are lost.
    TxBus,
    /// Commands or frames discarded by a recovery (bus reset and firmware re-download).
    Recovery,
}

impl DropCause {
    /// Number of causes.
    pub const COUNT: usize = 13;
    /// Every cause, in counter order.
    pub const ALL: [DropCause; Self::COUNT] = [
        DropCause::RxCrc,
        DropCause::RxBadLength,
        DropCause::RxMalformed,
        DropCause::RxSeq,
        DropCause::RxDecrypt,
        DropCause::RxNoKey,
        DropCause::RxStatus,
        DropCause::RxUnknown,
        DropCause::RxUnexpected,
        DropCause::TxOversize,
        DropCause::TxMalformed,
        DropCause::TxBus,
        DropCause::Recovery,
    ];

    /// The name used in `drops_<name>` counter lines.
    pub const fn name(self) -> &'static str {
        match self {
            DropCause::RxCrc => "rx_crc",
            DropCause::RxBadLength => "rx_bad_length",
            DropCause::RxMalformed => "rx_malformed",
            DropCause::RxSeq => "rx_seq",
            DropCause::RxDecrypt => "rx_decrypt",
            DropCause::RxNoKey => "rx_no_key",
            DropCause::RxStatus => "rx_status",
            DropCause::RxUnknown => "rx_unknown",
            DropCause::RxUnexpected => "rx_unexpected",
            DropCause::TxOversize => "tx_oversize",
            DropCause::TxMalformed => "tx_malformed",
            DropCause::TxBus => "tx_bus",
            DropCause::Recovery => "recovery",
        }
    }

    const fn index(self) -> usize {
        self as usize
    }
}

/// Why the engine started a recovery. The names are the `BES2600_CAUSE` uevent values of the
/// driver⇄userspace contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RecoveryCause {
    /// Too many decryption failures in a window: the host should reassociate.
    DecryptStorm,
    /// Too many BSS-lost events in a window: bus reset and firmware re-download.
    ConnectionLoss,
    /// A WSM command got no confirm before its deadline (spec §3.11).
    CmdTimeout,
    /// The firmware stopped answering (3 s credit watchdog, spec §4.3), reported an
    /// exception (0x0800, spec §3.6) or broke the confirm protocol.
    FwHang,
    /// The bus failed after retries, a sequence number was wrong (spec §3.2) or a length
    /// register was out of range.
    BusError,
}

impl RecoveryCause {
    /// Number of causes.
    pub const COUNT: usize = 5;
    /// Every cause, in counter order.
    pub const ALL: [RecoveryCause; Self::COUNT] = [
        RecoveryCause::DecryptStorm,
        RecoveryCause::ConnectionLoss,
        RecoveryCause::CmdTimeout,
        RecoveryCause::FwHang,
        RecoveryCause::BusError,
    ];

    /// The contract name (`recoveries_<name>`, `BES2600_CAUSE=<name>`).
    pub const fn name(self) -> &'static str {
        match self {
            RecoveryCause::DecryptStorm => "decrypt_storm",
            RecoveryCause::ConnectionLoss => "connection_loss",
            RecoveryCause::CmdTimeout => "cmd_timeout",
            RecoveryCause::FwHang => "fw_hang",
            RecoveryCause::BusError => "bus_error",
        }
    }

    const fn index(self) -> usize {
        self as usize
    }

    fn from_index(i: u32) -> Option<Self> {
        Self::ALL.get(usize::try_from(i).ok()?).copied()
    }
}

/// A plain copy of every counter at one moment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Snapshot {
    /// 802.11 frames delivered to the host.
    pub rx_frames: u64,
    /// RX bursts read (one CMD53 each).
    pub rx_bursts: u64,
    /// Data frames written to the chip.
    pub tx_frames: u64,
    /// WSM commands written to the chip.
    pub tx_commands: u64,
    /// TX CMD53 writes.
    pub tx_writes: u64,
    /// Every CMD52/CMD53 the engine issued.
    pub bus_transactions: u64,
    /// Calls of `run` (bottom-half wake-ups).
    pub bh_wakeups: u64,
    /// Locks taken on both data paths: `rx_locks + tx_locks`.
    pub locks_taken: u64,
    /// Locks taken on the RX path, counted where they are taken ([`Shared::note_lock`]).
    pub rx_locks: u64,
    /// Locks taken on the TX path, counted where they are taken ([`Shared::note_lock`]).
    pub tx_locks: u64,
    /// Copies of received frame bytes after the bus transfer, counted where they are made.
    pub rx_copies: u64,
    /// Copies of TX data-frame bytes before the bus transfer, counted where they are made
    /// (the engine's own, plus the host's through [`Shared::note_copy`]).
    pub tx_copies: u64,
    /// TX flushes that stopped because no firmware credit was left.
    pub credit_stalls: u64,
    /// CRC errors retried on the bus.
    pub bus_crc_retries: u64,
    /// Stale or zero length-register reads (spec §1.5).
    pub rx_len_retries: u64,
    /// Sum of all drop causes.
    pub drops_total: u64,
    /// Drops by cause, indexed like [`DropCause::ALL`].
    pub drops: [u64; DropCause::COUNT],
    /// Sum of all recovery causes.
    pub recoveries_total: u64,
    /// Recoveries by cause, indexed like [`RecoveryCause::ALL`].
    pub recoveries: [u64; RecoveryCause::COUNT],
    /// Rate-policy uploads (MIB 0x1016 writes, spec §3.9).
    pub tx_policy_uploads: u64,
    /// Policies those uploads carried.
    pub tx_policies_uploaded: u64,
    /// Times data waited for a policy (an upload in flight, or all 8 in use).
    pub tx_policy_waits: u64,
    /// TX confirm records (single and multi).
    pub tx_confirms: u64,
    /// Firmware rate numbers TX confirms reported: bit n = rate n (spec §3.9: 0-21).
    pub txed_rates_seen: u64,
    /// The firmware rate number the last TX confirm reported.
    pub txed_rate_last: u64,
}

impl Snapshot {
    /// Drops of one cause.
    pub fn drops_of(&self, cause: DropCause) -> u64 {
        self.drops[cause.index()]
    }

    /// Recoveries of one cause.
    pub fn recoveries_of(&self, cause: RecoveryCause) -> u64 {
        self.recoveries[cause.index()]
    }

    /// Calls `f(prefix, name, value)` for every line of the debugfs `counters` file, in a
    /// stable order. The line is `<prefix><name> <value>` (contract: decimal u64); `prefix`
    /// is `""`, `"drops_"` or `"recoveries_"`, split so no allocation is needed.
    pub fn for_each(&self, mut f: impl FnMut(&str, &str, u64)) {
        f("", "rx_frames", self.rx_frames);
        f("", "rx_bursts", self.rx_bursts);
        f("", "tx_frames", self.tx_frames);
        f("", "tx_commands", self.tx_commands);
        f("", "tx_writes", self.tx_writes);
        f("", "bus_transactions", self.bus_transactions);
        f("", "bh_wakeups", self.bh_wakeups);
        f("", "locks_taken", self.locks_taken);
        f("", "rx_locks", self.rx_locks);
        f("", "tx_locks", self.tx_locks);
        f("", "rx_copies", self.rx_copies);
        f("", "tx_copies", self.tx_copies);
        f("", "credit_stalls", self.credit_stalls);
        f("", "bus_crc_retries", self.bus_crc_retries);
        f("", "rx_len_retries", self.rx_len_retries);
        f("", "drops_total", self.drops_total);
        f("", "recoveries_total", self.recoveries_total);
        f("", "tx_policy_uploads", self.tx_policy_uploads);
        f("", "tx_policies_uploaded", self.tx_policies_uploaded);
        f("", "tx_policy_waits", self.tx_policy_waits);
        f("", "tx_confirms", self.tx_confirms);
        f("", "txed_rates_seen", self.txed_rates_seen);
        f("", "txed_rate_last", self.txed_rate_last);
        for c in DropCause::ALL {
            f("drops_", c.name(), self.drops[c.index()]);
        }
        for c in RecoveryCause::ALL {
            f("recoveries_", c.name(), self.recoveries[c.index()]);
        }
    }
}

/// The engine's counters, as atomics readable from any context.
#[derive(Debug, Default)]
pub struct Counters {
    pub(crate) rx_frames: AtomicU64,
    pub(crate) rx_bursts: AtomicU64,
    pub(crate) tx_frames: AtomicU64,
    pub(crate) tx_commands: AtomicU64,
    pub(crate) tx_writes: AtomicU64,
    pub(crate) bus_transactions: AtomicU64,
    pub(crate) bh_wakeups: AtomicU64,
    rx_locks: AtomicU64,
    tx_locks: AtomicU64,
    rx_copies: AtomicU64,
    pub(crate) tx_copies: AtomicU64,
    pub(crate) credit_stalls: AtomicU64,
    pub(crate) bus_crc_retries: AtomicU64,
    pub(crate) rx_len_retries: AtomicU64,
    drops: [AtomicU64; DropCause::COUNT],
    recoveries: [AtomicU64; RecoveryCause::COUNT],
    pub(crate) tx_policy_uploads: AtomicU64,
    pub(crate) tx_policies_uploaded: AtomicU64,
    pub(crate) tx_policy_waits: AtomicU64,
    // A bitmap and the last value rather than a per-rate histogram: the counters live in
    // the device the module builds on probe's stack (driver/kmod README, "Stack use").
    tx_confirms: AtomicU64,
    txed_rates_seen: AtomicU64,
    txed_rate_last: AtomicU64,
}

/// Adds `n` to a counter. Relaxed: counters order nothing.
#[inline]
pub(crate) fn bump(c: &AtomicU64, n: u64) {
    c.fetch_add(n, Ordering::Relaxed);
}

impl Counters {
    /// Counts `n` drops of `cause`.
    pub(crate) fn drop_n(&self, cause: DropCause, n: u64) {
        if n > 0 {
            bump(&self.drops[cause.index()], n);
        }
    }

    /// Counts one TX confirm record at firmware rate `rate` (out-of-range rates are not
    /// counted by rate).
    pub(crate) fn tx_rate(&self, rate: u8) {
        bump(&self.tx_confirms, 1);
        if rate < 64 {
            self.txed_rates_seen
                .fetch_or(1u64 << rate, Ordering::Relaxed);
        }
        self.txed_rate_last
            .store(u64::from(rate), Ordering::Relaxed);
    }

    /// Counts one recovery of `cause` and returns the new per-cause count.
    pub(crate) fn recovery(&self, cause: RecoveryCause) -> u64 {
        self.recoveries[cause.index()]
            .fetch_add(1, Ordering::Relaxed)
            .wrapping_add(1)
    }

    /// Counts `n` locks taken on `path`. The engine's own hot path takes no lock (its
    /// cross-context state is single atomic operations, see the module docs); glue code
    /// calls this right where it takes one (a spinlock, a mutex, a queue's internal lock),
    /// so the per-frame figure counts what really happens.
    pub fn note_locks(&self, path: DataPath, n: u64) {
        let c = match path {
            DataPath::Rx => &self.rx_locks,
            DataPath::Tx => &self.tx_locks,
        };
        if n > 0 {
            bump(c, n);
        }
    }

    /// Counts `n` copies of frame bytes on `path`, made by the caller. The engine counts its
    /// own; the host counts the ones it makes (the skb into the TX slot, the RX burst into
    /// an skb). The bus transfer itself is not a copy here.
    pub fn note_copies(&self, path: DataPath, n: u64) {
        let c = match path {
            DataPath::Rx => &self.rx_copies,
            DataPath::Tx => &self.tx_copies,
        };
        if n > 0 {
            bump(c, n);
        }
    }

    /// Reads every counter.
    pub fn snapshot(&self) -> Snapshot {
        let ld = |a: &AtomicU64| a.load(Ordering::Relaxed);
        let mut s = Snapshot {
            rx_frames: ld(&self.rx_frames),
            rx_bursts: ld(&self.rx_bursts),
            tx_frames: ld(&self.tx_frames),
            tx_commands: ld(&self.tx_commands),
            tx_writes: ld(&self.tx_writes),
            bus_transactions: ld(&self.bus_transactions),
            bh_wakeups: ld(&self.bh_wakeups),
            rx_locks: ld(&self.rx_locks),
            tx_locks: ld(&self.tx_locks),
            rx_copies: ld(&self.rx_copies),
            tx_copies: ld(&self.tx_copies),
            credit_stalls: ld(&self.credit_stalls),
            bus_crc_retries: ld(&self.bus_crc_retries),
            rx_len_retries: ld(&self.rx_len_retries),
            tx_policy_uploads: ld(&self.tx_policy_uploads),
            tx_policies_uploaded: ld(&self.tx_policies_uploaded),
            tx_policy_waits: ld(&self.tx_policy_waits),
            tx_confirms: ld(&self.tx_confirms),
            txed_rates_seen: ld(&self.txed_rates_seen),
            txed_rate_last: ld(&self.txed_rate_last),
            ..Snapshot::default()
        };
        for (d, a) in s.drops.iter_mut().zip(self.drops.iter()) {
            *d = ld(a);
        }
        for (d, a) in s.recoveries.iter_mut().zip(self.recoveries.iter()) {
            *d = ld(a);
        }
        s.locks_taken = s.rx_locks.wrapping_add(s.tx_locks);
        s.drops_total = s.drops.iter().fold(0u64, |t, v| t.wrapping_add(*v));
        s.recoveries_total = s.recoveries.iter().fold(0u64, |t, v| t.wrapping_add(*v));
        s
    }
}

/// Number of entries kept in the recovery ring.
pub const RECOVERY_LOG_LEN: usize = 16;

/// One recorded recovery event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecoveryEvent {
    /// Engine time of the event, in nanoseconds (the `now_ns` given to `run`).
    pub time_ns: u64,
    /// What triggered it.
    pub cause: RecoveryCause,
    /// How many recoveries of this cause there have been, this one included.
    pub count: u64,
}

/// One ring slot. `gen` is odd while the writer is inside, so a reader can detect a torn
/// read and skip the slot (a seqlock without a lock: recoveries are rare).
#[derive(Debug, Default)]
struct Slot {
    gen: AtomicU32,
    time_ns: AtomicU64,
    cause: AtomicU32,
    count: AtomicU64,
}

/// A fixed ring of the most recent recovery events, readable from any context (debugfs
/// `recovery` file: `<seconds since load> <cause> <count>`).
#[derive(Debug, Default)]
pub struct RecoveryLog {
    next: AtomicU64,
    slots: [Slot; RECOVERY_LOG_LEN],
}

impl RecoveryLog {
    /// Appends one event. Called from the bottom half only (single writer).
    pub(crate) fn push(&self, ev: RecoveryEvent) {
        let n = self.next.load(Ordering::Relaxed);
        // PANIC: the modulo keeps the index below RECOVERY_LOG_LEN.
        let slot = &self.slots[(n % RECOVERY_LOG_LEN as u64) as usize];
        slot.gen.fetch_add(1, Ordering::AcqRel);
        slot.time_ns.store(ev.time_ns, Ordering::Relaxed);
        slot.cause.store(ev.cause.index() as u32, Ordering::Relaxed);
        slot.count.store(ev.count, Ordering::Relaxed);
        slot.gen.fetch_add(1, Ordering::Release);
        self.next.store(n.wrapping_add(1), Ordering::Release);
    }

    /// Total number of events ever pushed (the ring keeps the last [`RECOVERY_LOG_LEN`]).
    pub fn total(&self) -> u64 {
        self.next.load(Ordering::Acquire)
    }

    /// Calls `f` for each kept event, oldest first. A slot being written at that moment is
    /// skipped.
    pub fn for_each(&self, mut f: impl FnMut(RecoveryEvent)) {
        let end = self.total();
        let start = end.saturating_sub(RECOVERY_LOG_LEN as u64);
        for n in start..end {
            // PANIC: the modulo keeps the index below RECOVERY_LOG_LEN.
            let slot = &self.slots[(n % RECOVERY_LOG_LEN as u64) as usize];
            let g0 = slot.gen.load(Ordering::Acquire);
            if g0 & 1 == 1 {
                continue;
            }
            let time_ns = slot.time_ns.load(Ordering::Relaxed);
            let cause = slot.cause.load(Ordering::Relaxed);
            let count = slot.count.load(Ordering::Relaxed);
            if slot.gen.load(Ordering::Acquire) != g0 {
                continue;
            }
            if let Some(cause) = RecoveryCause::from_index(cause) {
                f(RecoveryEvent {
                    time_ns,
                    cause,
                    count,
                });
            }
        }
    }
}

/// Wake reason: the chip raised its SDIO interrupt, RX data may be pending.
pub const WAKE_RX: u32 = 1 << 0;
/// Wake reason: the host queued TX frames or a command.
pub const WAKE_TX: u32 = 1 << 1;
/// Wake reason: a timer the engine asked for has expired.
pub const WAKE_TIMER: u32 = 1 << 2;

/// What the bottom half shares with other contexts. Every field is atomic, so all methods
/// take `&self`.
///
/// The engine holds it through [`core::borrow::Borrow`], so it can own it (host tests) or
/// point at one that lives in the driver's shared state (kernel module).
#[derive(Debug, Default)]
pub struct Shared {
    wake: AtomicU32,
    /// The counters.
    pub counters: Counters,
    /// The recovery ring.
    pub recovery_log: RecoveryLog,
}

impl Shared {
    /// Creates zeroed shared state.
    pub fn new() -> Self {
        Self::default()
    }

    /// Called from the IRQ context after it masked the chip interrupt: marks RX pending.
    /// The caller then wakes the bottom half.
    pub fn on_irq(&self) {
        self.wake.fetch_or(WAKE_RX, Ordering::Release);
    }

    /// Called from any context when TX frames were queued for the chip.
    pub fn on_tx(&self) {
        self.wake.fetch_or(WAKE_TX, Ordering::Release);
    }

    /// Sets wake reasons by hand (e.g. [`WAKE_TIMER`]).
    pub fn wake(&self, reasons: u32) {
        self.wake.fetch_or(reasons, Ordering::Release);
    }

    /// Pending wake reasons, without clearing them.
    pub fn pending(&self) -> u32 {
        self.wake.load(Ordering::Acquire)
    }

    /// Takes and clears the pending wake reasons.
    pub(crate) fn take(&self) -> u32 {
        self.wake.swap(0, Ordering::AcqRel)
    }

    /// Reads every counter.
    pub fn snapshot(&self) -> Snapshot {
        self.counters.snapshot()
    }

    /// Counts one lock the caller just took on `path` (see [`Counters::note_locks`]).
    pub fn note_lock(&self, path: DataPath) {
        self.counters.note_locks(path, 1);
    }

    /// Counts one copy of frame bytes the caller just made on `path` (see
    /// [`Counters::note_copies`]).
    pub fn note_copy(&self, path: DataPath) {
        self.counters.note_copies(path, 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovery_ring_keeps_last_entries_in_order() {
        let log = RecoveryLog::default();
        for i in 0..(RECOVERY_LOG_LEN as u64 + 3) {
            log.push(RecoveryEvent {
                time_ns: i,
                cause: RecoveryCause::ALL[(i % 5) as usize],
                count: i + 1,
            });
        }
        let mut seen = std::vec::Vec::new();
        log.for_each(|e| seen.push(e.time_ns));
        let want: std::vec::Vec<u64> = (3..RECOVERY_LOG_LEN as u64 + 3).collect();
        assert_eq!(seen, want);
    }

    #[test]
    fn snapshot_sums_causes() {
        let c = Counters::default();
        c.drop_n(DropCause::RxDecrypt, 3);
        c.drop_n(DropCause::TxBus, 2);
        assert_eq!(c.recovery(RecoveryCause::FwHang), 1);
        assert_eq!(c.recovery(RecoveryCause::FwHang), 2);
        let s = c.snapshot();
        assert_eq!(s.drops_total, 5);
        assert_eq!(s.drops_of(DropCause::RxDecrypt), 3);
        assert_eq!(s.recoveries_total, 2);
        let mut lines = 0;
        s.for_each(|_, _, _| lines += 1);
        assert_eq!(lines, 23 + DropCause::COUNT + RecoveryCause::COUNT);
    }

    #[test]
    fn locks_and_copies_are_counted_per_path() {
        let s = Shared::new();
        s.note_lock(DataPath::Tx);
        s.note_lock(DataPath::Tx);
        s.note_lock(DataPath::Rx);
        s.counters.note_locks(DataPath::Rx, 3);
        s.counters.note_locks(DataPath::Tx, 0);
        s.note_copy(DataPath::Tx);
        s.counters.note_copies(DataPath::Rx, 5);
        let n = s.snapshot();
        assert_eq!((n.rx_locks, n.tx_locks, n.locks_taken), (4, 2, 6));
        assert_eq!((n.rx_copies, n.tx_copies), (5, 1));
        let mut lines = std::vec::Vec::new();
        n.for_each(|p, k, v| lines.push((std::format!("{p}{k}"), v)));
        for (k, v) in [
            ("rx_locks", 4),
            ("tx_locks", 2),
            ("locks_taken", 6),
            ("rx_copies", 5),
            ("tx_copies", 1),
        ] {
            assert!(lines.contains(&(k.into(), v)), "{k} {lines:?}");
        }
    }

    #[test]
    fn wake_reasons_are_taken_once() {
        let s = Shared::new();
        s.on_irq();
        s.on_tx();
        assert_eq!(s.take(), WAKE_RX | WAKE_TX);
        assert_eq!(s.take(), 0);
    }
}
