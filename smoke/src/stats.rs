//! Throughput windows, their statistics, and UDP sequence tracking.
//!
//! Throughput is counted in fixed 1-second windows measured by the receiver. The sustained
//! figure is the median window (robust against the slow first second and one-off stalls); the
//! worst window and the number of windows at zero describe how the link behaved at its worst.

use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

/// Length of one throughput window.
pub const WINDOW: Duration = Duration::from_secs(1);

/// Counts received bytes into consecutive 1-second windows from a start instant.
#[derive(Debug, Clone)]
pub struct WindowCounter {
    start: Instant,
    bins: Vec<u64>,
    late_bytes: u64,
}

impl WindowCounter {
    /// Creates a counter with `windows` windows starting at `start`.
    pub fn new(start: Instant, windows: usize) -> Self {
        Self {
            start,
            bins: vec![0; windows],
            late_bytes: 0,
        }
    }

    /// Adds `bytes` received at `now`; bytes after the last window are kept apart.
    pub fn add(&mut self, now: Instant, bytes: u64) {
        match self.index_at(now).and_then(|i| self.bins.get_mut(i)) {
            Some(bin) => *bin = bin.saturating_add(bytes),
            None => self.late_bytes = self.late_bytes.saturating_add(bytes),
        }
    }

    /// Index of the window that contains `now`, or `None` past the end.
    pub fn index_at(&self, now: Instant) -> Option<usize> {
        let elapsed = now.saturating_duration_since(self.start);
        let index = usize::try_from(elapsed.as_millis() / WINDOW.as_millis()).ok()?;
        (index < self.bins.len()).then_some(index)
    }

    /// Instant at which the whole measurement ends.
    pub fn end(&self) -> Instant {
        let windows = u32::try_from(self.bins.len()).unwrap_or(u32::MAX);
        self.start + WINDOW * windows
    }

    /// Byte count of window `index` (0 when out of range).
    pub fn window(&self, index: usize) -> u64 {
        self.bins.get(index).copied().unwrap_or(0)
    }

    /// Bytes received after the last window closed.
    pub fn late_bytes(&self) -> u64 {
        self.late_bytes
    }

    /// Number of windows.
    pub fn windows_len(&self) -> usize {
        self.bins.len()
    }

    /// The per-window byte counts.
    pub fn into_windows(self) -> Vec<u64> {
        self.bins
    }
}

/// Summary of a series of 1-second windows, in bytes per second.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WindowStats {
    /// Number of windows.
    pub windows: usize,
    /// Median window (mean of the two middle ones for an even count).
    pub median_bytes_per_s: u64,
    /// Smallest window.
    pub worst_bytes_per_s: u64,
    /// Largest window.
    pub best_bytes_per_s: u64,
    /// Mean over all windows.
    pub mean_bytes_per_s: u64,
    /// Number of windows with no byte at all.
    pub zero_windows: usize,
    /// Index of the first window at zero, if any.
    pub first_zero_window: Option<usize>,
}

impl WindowStats {
    /// Computes the statistics of `windows`; `None` when there is no window.
    pub fn from_windows(windows: &[u64]) -> Option<Self> {
        let mut sorted = windows.to_vec();
        sorted.sort_unstable();
        let n = sorted.len();
        let worst = *sorted.first()?;
        let best = *sorted.last()?;
        let mid = n / 2;
        let median = if n % 2 == 1 {
            *sorted.get(mid)?
        } else {
            let lo = *sorted.get(mid - 1)?;
            let hi = *sorted.get(mid)?;
            lo / 2 + hi / 2 + (lo % 2 + hi % 2) / 2
        };
        let total: u128 = windows.iter().map(|&w| u128::from(w)).sum();
        let mean = u64::try_from(total / n as u128).unwrap_or(u64::MAX);
        Some(Self {
            windows: n,
            median_bytes_per_s: median,
            worst_bytes_per_s: worst,
            best_bytes_per_s: best,
            mean_bytes_per_s: mean,
            zero_windows: windows.iter().filter(|&&w| w == 0).count(),
            first_zero_window: windows.iter().position(|&w| w == 0),
        })
    }
}

/// Magic at the start of every test datagram (contracts: simulated downlink stream).
pub const MAGIC: [u8; 4] = *b"B26S";
/// Bytes of header in a test datagram: magic, BE sequence number, BE generator time in ns.
pub const HEADER_LEN: usize = 20;

/// The header of one test datagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Datagram {
    /// Sequence number, from 0, +1 per datagram.
    pub seq: u64,
    /// Generator time in nanoseconds (the sender's own clock).
    pub time_ns: u64,
}

impl Datagram {
    /// Parses a datagram header; `None` if it is short or lacks the magic.
    pub fn parse(buf: &[u8]) -> Option<Self> {
        let magic = buf.get(0..4)?;
        if magic != MAGIC {
            return None;
        }
        let seq = u64::from_be_bytes(buf.get(4..12)?.try_into().ok()?);
        let time_ns = u64::from_be_bytes(buf.get(12..20)?.try_into().ok()?);
        Some(Self { seq, time_ns })
    }

    /// Fills `buf` as a test datagram; `false` if `buf` is shorter than the header.
    pub fn emit(&self, buf: &mut [u8]) -> bool {
        if buf.len() < HEADER_LEN {
            return false;
        }
        let (head, filler) = buf.split_at_mut(HEADER_LEN);
        head[0..4].copy_from_slice(&MAGIC);
        head[4..12].copy_from_slice(&self.seq.to_be_bytes());
        head[12..20].copy_from_slice(&self.time_ns.to_be_bytes());
        filler.fill((self.seq & 0xff) as u8);
        true
    }
}

/// Sequence numbers further than this past the first one seen are not tracked (bounds memory:
/// 2^26 bits is 8 MiB, over 6 hours of 1400-byte datagrams at 4 MB/s).
const MAX_TRACKED_SPAN: u64 = 1 << 26;

/// Loss, duplication and reordering of a datagram stream, from its sequence numbers.
#[derive(Debug, Clone, Default)]
pub struct SeqTracker {
    first: Option<u64>,
    lowest: u64,
    highest: u64,
    seen: Vec<u64>,
    received: u64,
    unique: u64,
    duplicates: u64,
    reordered: u64,
    untracked: u64,
    malformed: u64,
}

/// What a [`SeqTracker`] concluded about a stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SeqReport {
    /// Datagrams received, duplicates included.
    pub received: u64,
    /// Distinct sequence numbers received.
    pub unique: u64,
    /// Sequence numbers between the lowest and highest received that never arrived.
    pub lost: u64,
    /// Datagrams whose sequence number had already been received.
    pub duplicates: u64,
    /// Datagrams that arrived after one with a higher sequence number.
    pub reordered: u64,
    /// Datagrams too far from the first one to be tracked (counted, not classified).
    pub untracked: u64,
    /// Datagrams without a valid header.
    pub malformed: u64,
    /// Lowest sequence number received.
    pub first_seq: Option<u64>,
    /// Highest sequence number received.
    pub last_seq: Option<u64>,
}

impl SeqReport {
    /// Lost datagrams as a percentage of those expected (0 when nothing was expected).
    pub fn loss_percent(&self) -> f64 {
        let expected = self.unique + self.lost;
        if expected == 0 {
            0.0
        } else {
            self.lost as f64 * 100.0 / expected as f64
        }
    }
}

impl SeqTracker {
    /// Creates an empty tracker.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records a datagram that failed to parse.
    pub fn malformed(&mut self) {
        self.malformed += 1;
    }

    /// Records the arrival of sequence number `seq`.
    pub fn record(&mut self, seq: u64) {
        self.received += 1;
        let first = *self.first.get_or_insert_with(|| {
            self.lowest = seq;
            self.highest = seq;
            seq
        });
        if seq < first {
            // Arrived late, from before the first datagram seen: reordered by definition. It
            // is outside the bitmap, so duplicates of it cannot be told apart.
            self.reordered += 1;
            self.unique += 1;
            self.lowest = self.lowest.min(seq);
            return;
        }
        let offset = seq - first;
        if offset >= MAX_TRACKED_SPAN {
            self.untracked += 1;
            return;
        }
        let (word, bit) = ((offset / 64) as usize, offset % 64);
        if self.seen.len() <= word {
            self.seen.resize(word + 1, 0);
        }
        let Some(slot) = self.seen.get_mut(word) else {
            return;
        };
        if *slot & (1 << bit) != 0 {
            self.duplicates += 1;
            return;
        }
        *slot |= 1 << bit;
        self.unique += 1;
        if seq < self.highest {
            self.reordered += 1;
        }
        self.highest = self.highest.max(seq);
    }

    /// The report so far.
    pub fn report(&self) -> SeqReport {
        let (first_seq, last_seq, lost) = match self.first {
            Some(_) => {
                let expected = self.highest - self.lowest + 1;
                (
                    Some(self.lowest),
                    Some(self.highest),
                    expected.saturating_sub(self.unique),
                )
            }
            None => (None, None, 0),
        };
        SeqReport {
            received: self.received,
            unique: self.unique,
            lost,
            duplicates: self.duplicates,
            reordered: self.reordered,
            untracked: self.untracked,
            malformed: self.malformed,
            first_seq,
            last_seq,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_odd_even_and_worst() {
        let s = WindowStats::from_windows(&[5, 1, 3]).unwrap();
        assert_eq!(s.median_bytes_per_s, 3);
        assert_eq!(s.worst_bytes_per_s, 1);
        assert_eq!(s.best_bytes_per_s, 5);
        assert_eq!(s.mean_bytes_per_s, 3);
        let s = WindowStats::from_windows(&[4, 1, 3, 10]).unwrap();
        assert_eq!(s.median_bytes_per_s, 3);
        let s = WindowStats::from_windows(&[u64::MAX, u64::MAX]).unwrap();
        assert_eq!(s.median_bytes_per_s, u64::MAX);
        assert_eq!(s.mean_bytes_per_s, u64::MAX);
    }

    #[test]
    fn zero_windows_are_counted_and_located() {
        let s = WindowStats::from_windows(&[7, 7, 0, 7, 0]).unwrap();
        assert_eq!(s.zero_windows, 2);
        assert_eq!(s.first_zero_window, Some(2));
        assert_eq!(s.worst_bytes_per_s, 0);
        assert_eq!(s.median_bytes_per_s, 7);
        assert!(WindowStats::from_windows(&[]).is_none());
    }

    #[test]
    fn window_counter_bins_by_elapsed_second() {
        let t0 = Instant::now();
        let mut c = WindowCounter::new(t0, 3);
        c.add(t0, 10);
        c.add(t0 + Duration::from_millis(999), 5);
        c.add(t0 + Duration::from_millis(1000), 7);
        c.add(t0 + Duration::from_millis(2999), 1);
        c.add(t0 + Duration::from_millis(3000), 100);
        assert_eq!(c.index_at(t0 + Duration::from_millis(2500)), Some(2));
        assert_eq!(c.late_bytes(), 100);
        assert_eq!(c.end(), t0 + Duration::from_secs(3));
        assert_eq!(c.into_windows(), vec![15, 7, 1]);
    }

    #[test]
    fn datagram_round_trip_and_rejects() {
        let mut buf = [0u8; 32];
        let d = Datagram {
            seq: 0x1_0000_0102,
            time_ns: 42,
        };
        assert!(d.emit(&mut buf));
        assert_eq!(&buf[0..4], b"B26S");
        assert_eq!(buf[31], 0x02, "filler is seq & 0xff");
        assert_eq!(Datagram::parse(&buf), Some(d));
        assert_eq!(Datagram::parse(&buf[..19]), None);
        buf[0] = b'X';
        assert_eq!(Datagram::parse(&buf), None);
        assert!(!d.emit(&mut [0u8; 19]));
    }

    #[test]
    fn seq_tracker_in_order_stream_is_clean() {
        let mut t = SeqTracker::new();
        (0..1000).for_each(|s| t.record(s));
        let r = t.report();
        assert_eq!((r.received, r.unique, r.lost), (1000, 1000, 0));
        assert_eq!((r.duplicates, r.reordered), (0, 0));
        assert_eq!((r.first_seq, r.last_seq), (Some(0), Some(999)));
    }

    #[test]
    fn seq_tracker_counts_loss_dup_and_reorder() {
        let mut t = SeqTracker::new();
        // 10..20 with 13 and 17 lost, 15 duplicated, 12 arriving after 14.
        for s in [10, 11, 14, 12, 15, 15, 16, 18, 19] {
            t.record(s);
        }
        t.malformed();
        let r = t.report();
        assert_eq!(r.received, 9);
        assert_eq!(r.unique, 8);
        assert_eq!(r.lost, 2, "13 and 17");
        assert_eq!(r.duplicates, 1);
        assert_eq!(r.reordered, 1);
        assert_eq!(r.malformed, 1);
        assert!((r.loss_percent() - 20.0).abs() < 1e-9);
    }

    #[test]
    fn seq_tracker_handles_late_arrival_before_first_and_far_jumps() {
        let mut t = SeqTracker::new();
        t.record(100);
        t.record(99);
        t.record(100 + MAX_TRACKED_SPAN);
        let r = t.report();
        assert_eq!(r.reordered, 1);
        assert_eq!(r.untracked, 1);
        assert_eq!((r.first_seq, r.last_seq, r.lost), (Some(99), Some(100), 0));
    }

    #[test]
    fn empty_tracker_reports_nothing_lost() {
        let r = SeqTracker::new().report();
        assert_eq!(r.lost, 0);
        assert_eq!(r.first_seq, None);
        assert_eq!(r.loss_percent(), 0.0);
    }
}
