//! The engine benchmark scenarios: RX saturation and the seed's 4 MB/s load (issue 3 item
//! 4), and TX at saturation (issue 18 item 1), each measured over a window of virtual time
//! after association.
//!
//! Locks and copies are never inferred here: they are the counts of the code that takes or
//! makes them (the engine's counters in `Shared`, the station's own in [`super::TestHost`]).

use std::time::Instant;

use bes2600_engine::DropCause;

use super::{Harness, HarnessConfig};
use crate::{SimConfig, TrafficConfig};

/// Figures of one scenario. Per-frame figures are over the measured window and divide by
/// the stream frames delivered in it; `generated`/`delivered`/`dropped`/`in_flight` count the
/// whole run, after the generator stopped and the queues drained.
#[derive(Debug, Clone, Copy, Default)]
pub struct BenchResult {
    /// Stream datagrams generated.
    pub generated: u64,
    /// Distinct stream datagrams the station received.
    pub delivered: u64,
    /// Datagrams dropped (chip drops + frames handed to the engine that never arrived).
    pub dropped: u64,
    /// Still queued in the chip at the end (0 after the drain).
    pub in_flight: u64,
    /// Bus transactions (CMD52 + CMD53) per delivered frame.
    pub transactions_per_frame: f64,
    /// Bottom-half wakeups per delivered frame.
    pub wakeups_per_frame: f64,
    /// Messages per RX burst (engine: frames delivered / bursts).
    pub frames_per_burst: f64,
    /// Locks taken on both paths per delivered frame (engine counter `locks_taken`).
    pub locks_per_frame: f64,
    /// Locks taken on the RX path per delivered frame (engine counter `rx_locks`).
    pub rx_locks_per_frame: f64,
    /// Copies of RX frame bytes after the bus transfer per delivered frame (engine counter
    /// `rx_copies`: the engine's and the host's, through `Shared::note_copy`). The bench
    /// station reads frames where the bus transfer left them; the kernel module's figure
    /// comes from its debugfs counters (e2e phases 20 and 80).
    pub rx_copies_per_frame: f64,
    /// Real ns in the engine per delivered frame (sim and station excluded): the median of
    /// 20 slices of the window.
    pub ns_per_frame: f64,
    /// The same over the whole window (mean; inflated by preemption on a loaded machine).
    pub ns_per_frame_mean: f64,
    /// Real ns to copy the same bytes once, per delivered frame.
    pub memcpy_ns_per_frame: f64,
    /// Delivered payload throughput in MB/s of virtual time.
    pub throughput_mbyte_s: f64,
    /// Virtual seconds measured.
    pub virtual_s: f64,
}

/// Runs `traffic` for `window_ns` of virtual time after association and measures it.
///
/// # Panics
///
/// Panics if the station does not associate within 5 virtual seconds (a broken build).
pub fn run_scenario(traffic: TrafficConfig, window_ns: u64, seed: u64) -> BenchResult {
    let mut h = Harness::new(HarnessConfig {
        sim: SimConfig {
            traffic,
            seed,
            ..SimConfig::default()
        },
        measure: true,
        ..HarnessConfig::default()
    });
    assert!(h.associate(5_000_000_000), "no association");
    // Let the stream reach steady state first.
    h.run_for(100_000_000);
    let k0 = h.sim.counters();
    let e0 = h.engine_counters();
    let (tx0, ns0, uniq0) = (h.bus_transactions, h.engine_ns, h.host.stream.unique);
    let bytes0 = h.host.stream.payload_bytes;
    // Run the window in 20 slices and keep the median engine ns/frame: the machine is
    // shared, and a preempted slice would otherwise dominate the mean.
    let mut per_slice = Vec::with_capacity(20);
    for _ in 0..20 {
        let (ns_a, uniq_a) = (h.engine_ns, h.host.stream.unique);
        h.run_for(window_ns / 20);
        let frames = h.host.stream.unique - uniq_a;
        if frames > 0 {
            per_slice.push((h.engine_ns - ns_a) as f64 / frames as f64);
        }
    }
    per_slice.sort_by(f64::total_cmp);
    let median_ns = per_slice.get(per_slice.len() / 2).copied().unwrap_or(0.0);
    let k = h.sim.counters();
    let e = h.engine_counters();
    let (tx_w, ns_w) = (h.bus_transactions - tx0, h.engine_ns - ns0);
    let delivered_w = h.host.stream.unique - uniq0;
    let d = delivered_w.max(1) as f64;
    let bytes = k.bytes_to_host - k0.bytes_to_host;
    let payload_w = h.host.stream.payload_bytes - bytes0;
    // Stop the generator and drain, then account for every frame of the whole run.
    h.sim.set_traffic(TrafficConfig {
        enabled: false,
        ..traffic
    });
    h.run_for(200_000_000);
    let kt = h.sim.counters();
    let generated = kt.generated;
    let delivered = h.host.stream.unique;
    let dropped = kt.dropped() + h.lost_after_chip() + h.host.stream_discarded;
    let in_flight = kt.queued + kt.in_burst;
    BenchResult {
        generated,
        delivered,
        dropped,
        in_flight,
        transactions_per_frame: tx_w as f64 / d,
        wakeups_per_frame: (e.bh_wakeups - e0.bh_wakeups) as f64 / d,
        frames_per_burst: (e.rx_frames - e0.rx_frames) as f64
            / (e.rx_bursts - e0.rx_bursts).max(1) as f64,
        locks_per_frame: (e.locks_taken - e0.locks_taken) as f64 / d,
        rx_locks_per_frame: (e.rx_locks - e0.rx_locks) as f64 / d,
        rx_copies_per_frame: (e.rx_copies - e0.rx_copies) as f64 / d,
        ns_per_frame: median_ns,
        ns_per_frame_mean: ns_w as f64 / d,
        memcpy_ns_per_frame: memcpy_ns(bytes) as f64 / d,
        throughput_mbyte_s: payload_w as f64 / 1e6 / (window_ns as f64 / 1e9),
        virtual_s: window_ns as f64 / 1e9,
    }
}

/// Real ns to copy `bytes` once, in burst-sized chunks (the floor for any RX path); the
/// best of fifteen runs, since the machine is shared.
pub fn memcpy_ns(bytes: u64) -> u64 {
    memcpy_chunked_ns(bytes, crate::regs::MAX_BURST)
}

/// Real ns to copy `bytes` once in `chunk`-byte pieces (one piece per frame is the floor
/// for a TX path that copies each frame once); the best of fifteen runs.
pub fn memcpy_chunked_ns(bytes: u64, chunk: usize) -> u64 {
    let chunk = chunk.max(1);
    let src = vec![0x5Au8; chunk];
    let mut dst = vec![0u8; chunk];
    // Touch both buffers first so page faults are not charged to the copy.
    dst.copy_from_slice(&src);
    std::hint::black_box(&mut dst);
    (0..15)
        .map(|_| {
            let mut left = bytes as usize;
            let t = Instant::now();
            while left > 0 {
                let n = left.min(src.len());
                dst[..n].copy_from_slice(&src[..n]);
                std::hint::black_box(&mut dst);
                left -= n;
            }
            t.elapsed().as_nanos() as u64
        })
        .min()
        .unwrap_or(0)
}

impl BenchResult {
    /// The figures as one JSON object (no trailing newline).
    pub fn to_json(&self) -> String {
        format!(
            concat!(
                "{{\"transactions_per_frame\":{:.4},\"wakeups_per_frame\":{:.4},",
                "\"frames_per_burst\":{:.2},\"locks_per_frame\":{:.4},",
                "\"rx_locks_per_frame\":{:.4},\"rx_copies_per_frame\":{:.4},",
                "\"ns_per_frame\":{:.1},",
                "\"ns_per_frame_mean\":{:.1},",
                "\"memcpy_ns_per_frame\":{:.1},\"ns_ratio\":{:.2},\"generated\":{},",
                "\"delivered\":{},\"dropped\":{},\"in_flight\":{},\"throughput_mbyte_s\":{:.2},",
                "\"virtual_s\":{:.1}}}"
            ),
            self.transactions_per_frame,
            self.wakeups_per_frame,
            self.frames_per_burst,
            self.locks_per_frame,
            self.rx_locks_per_frame,
            self.rx_copies_per_frame,
            self.ns_per_frame,
            self.ns_per_frame_mean,
            self.memcpy_ns_per_frame,
            self.ns_per_frame / self.memcpy_ns_per_frame.max(0.001),
            self.generated,
            self.delivered,
            self.dropped,
            self.in_flight,
            self.throughput_mbyte_s,
            self.virtual_s,
        )
    }
}

/// Uplink datagram payload of the TX scenario: the RX stream's size (1400 B), so both
/// directions move the same frames (a 1484-byte WSM message, one 1536-byte slot each).
pub const TX_PAYLOAD: usize = 1400;

/// Frames the station keeps queued in the TX scenario: the vendor driver's queue depth per
/// access category (`CW12XX_MAX_QUEUE_SZ`, spec §4.3), so a credit never waits for a frame.
pub const TX_QUEUE_DEPTH: usize = 128;

/// Goal of issue 18: bus transactions per TX frame at saturation.
pub const TX_TRANSACTIONS_GOAL: f64 = 0.1;
/// Goal of issue 18: copies of a TX frame's bytes before the bus transfer.
pub const TX_COPIES_GOAL: f64 = 1.0;

/// Figures of the TX saturation scenario. Per-frame figures are over the measured window and
/// divide by the data frames the engine wrote in it; the accounting counts the whole run,
/// after the station stopped queueing and everything drained.
#[derive(Debug, Clone, Copy, Default)]
pub struct TxBenchResult {
    /// Data frames the station handed to the engine (whole run).
    pub handed: u64,
    /// Uplink datagrams the AP received (whole run).
    pub delivered: u64,
    /// Frames the engine dropped (every TX cause and recoveries).
    pub dropped: u64,
    /// Frames handed but neither delivered nor dropped at the end (0 after the drain).
    pub in_flight: u64,
    /// TX statuses that reported a failure.
    pub failed: u64,
    /// Bus transactions (CMD52 + CMD53, the confirm reads included) per frame.
    pub transactions_per_frame: f64,
    /// Bottom-half wakeups per frame.
    pub wakeups_per_frame: f64,
    /// Copies of frame bytes before the bus transfer per frame: the engine's `tx_copies`
    /// counter plus the station's own count in `next_tx`.
    pub copies_per_frame: f64,
    /// Locks taken on the TX path per frame (engine counter `tx_locks`).
    pub locks_per_frame: f64,
    /// Frames per TX write (CMD53).
    pub frames_per_write: f64,
    /// Firmware credits (numInpChBufs) the chip reported.
    pub credits: u16,
    /// The least transactions per frame any host can reach with these credits when the link
    /// drains them all at once: one write per 16 frames plus one length-register read and
    /// one burst read per credit window to get the confirms (spec §1.5, §1.7, §4.3).
    pub transactions_floor: f64,
    /// Real ns in the engine per frame (sim and station excluded): median of 20 slices.
    pub ns_per_frame: f64,
    /// The same over the whole window (mean).
    pub ns_per_frame_mean: f64,
    /// Real ns to copy the same bytes once, one memcpy per frame.
    pub memcpy_ns_per_frame: f64,
    /// Uplink payload throughput in MB/s of virtual time.
    pub throughput_mbyte_s: f64,
    /// Virtual seconds measured.
    pub virtual_s: f64,
}

/// One harness step with the station's TX queue topped up first.
fn tx_step(h: &mut Harness) {
    h.host.fill_uplink(TX_QUEUE_DEPTH, TX_PAYLOAD);
    h.step();
}

/// Runs uplink at saturation (the station's queue never runs dry, no downlink stream) for
/// `window_ns` of virtual time after association, through the same engine the module uses,
/// against the simulated chip with its default firmware credits.
///
/// # Panics
///
/// Panics if the station does not associate within 5 virtual seconds (a broken build).
pub fn run_tx_saturation(window_ns: u64, seed: u64) -> TxBenchResult {
    run_tx_saturation_with(window_ns, seed, SimConfig::default().num_inp_ch_bufs)
}

/// [`run_tx_saturation`] with a chip that reports `credits` firmware input buffers
/// (numInpChBufs, spec §4.3: the real value is not in any source; at least 46 were seen in
/// use).
///
/// # Panics
///
/// Panics if the station does not associate within 5 virtual seconds (a broken build).
pub fn run_tx_saturation_with(window_ns: u64, seed: u64, credits: u16) -> TxBenchResult {
    let mut h = Harness::new(HarnessConfig {
        sim: SimConfig {
            traffic: TrafficConfig::OFF,
            seed,
            num_inp_ch_bufs: credits,
            ..SimConfig::default()
        },
        measure: true,
        ..HarnessConfig::default()
    });
    assert!(h.associate(5_000_000_000), "no association");
    let credits = h.engine.credits().2;
    let end = h.now_ns + 100_000_000;
    while h.now_ns < end {
        tx_step(&mut h);
    }
    let e0 = h.engine_counters();
    let (tr0, ns0, copies0, bytes0) = (
        h.bus_transactions,
        h.engine_ns,
        h.host.tx_copies,
        h.host.tx_bytes_handed,
    );
    let mut per_slice = Vec::with_capacity(20);
    for _ in 0..20 {
        let (ns_a, f_a) = (h.engine_ns, h.engine_counters().tx_frames);
        let end = h.now_ns + window_ns / 20;
        while h.now_ns < end {
            tx_step(&mut h);
        }
        let frames = h.engine_counters().tx_frames - f_a;
        if frames > 0 {
            per_slice.push((h.engine_ns - ns_a) as f64 / frames as f64);
        }
    }
    per_slice.sort_by(f64::total_cmp);
    let median_ns = per_slice.get(per_slice.len() / 2).copied().unwrap_or(0.0);
    let e = h.engine_counters();
    let frames = e.tx_frames - e0.tx_frames;
    let d = frames.max(1) as f64;
    let bytes = h.host.tx_bytes_handed - bytes0;
    // Everything per frame is read here, at the end of the window, before the drain.
    let (tr_w, ns_w, host_copies_w) = (
        h.bus_transactions - tr0,
        h.engine_ns - ns0,
        h.host.tx_copies - copies0,
    );
    // Stop queueing and drain, then account for every frame of the run.
    h.run_for(200_000_000);
    let k = h.sim.counters();
    let end = h.engine_counters();
    let dropped = [
        DropCause::TxOversize,
        DropCause::TxMalformed,
        DropCause::TxBus,
        DropCause::Recovery,
    ]
    .iter()
    .map(|&c| end.drops_of(c))
    .sum::<u64>();
    // Uplink datagrams only: the handshake's management frames and the ARP are not UDP.
    let (uplink, delivered) = (h.host.uplink_sent, k.ap_udp_rx);
    TxBenchResult {
        handed: uplink,
        delivered,
        dropped,
        in_flight: uplink.saturating_sub(delivered + dropped),
        failed: h.host.tx_status_failed,
        transactions_per_frame: tr_w as f64 / d,
        wakeups_per_frame: (e.bh_wakeups - e0.bh_wakeups) as f64 / d,
        copies_per_frame: ((e.tx_copies - e0.tx_copies) + host_copies_w) as f64 / d,
        locks_per_frame: (e.tx_locks - e0.tx_locks) as f64 / d,
        frames_per_write: frames as f64 / (e.tx_writes - e0.tx_writes).max(1) as f64,
        credits,
        transactions_floor: tx_transactions_floor(credits),
        ns_per_frame: median_ns,
        ns_per_frame_mean: ns_w as f64 / d,
        memcpy_ns_per_frame: memcpy_chunked_ns(bytes, bytes_per_frame(bytes, frames)) as f64 / d,
        throughput_mbyte_s: (frames * TX_PAYLOAD as u64) as f64 / 1e6 / (window_ns as f64 / 1e9),
        virtual_s: window_ns as f64 / 1e9,
    }
}

/// The mean message size, for a per-frame memcpy of the same bytes.
fn bytes_per_frame(bytes: u64, frames: u64) -> usize {
    usize::try_from(bytes / frames.max(1)).unwrap_or(usize::MAX)
}

/// The least bus transactions per TX frame with `credits` firmware buffers: every credit
/// window needs ceil(credits/16) writes and, to get the credits back, one length-register
/// read and one burst read of the confirms (spec §1.5, §1.7, §4.3).
pub fn tx_transactions_floor(credits: u16) -> f64 {
    let c = f64::from(credits.max(1));
    ((c / 16.0).ceil() + 2.0) / c
}

impl TxBenchResult {
    /// The goals of issue 18 this run misses, by name (empty when all are met). The
    /// transactions goal is held at [`TX_TRANSACTIONS_GOAL`] or, where the firmware's credits
    /// make that impossible for any driver, at their floor ([`Self::goal_bound_by_credits`]).
    pub fn missed_goals(&self) -> Vec<String> {
        let mut v = Vec::new();
        // A hair above the floor for the f64 division; the count itself is exact.
        let bound = TX_TRANSACTIONS_GOAL.max(self.transactions_floor + 0.0005);
        if self.transactions_per_frame > bound {
            v.push(format!(
                "tx_transactions_per_frame {:.4} > {TX_TRANSACTIONS_GOAL} (floor with {} credits: {:.4})",
                self.transactions_per_frame, self.credits, self.transactions_floor
            ));
        }
        if self.copies_per_frame > TX_COPIES_GOAL {
            v.push(format!(
                "tx_copies_per_frame {:.4} > {TX_COPIES_GOAL}",
                self.copies_per_frame
            ));
        }
        v
    }

    /// Why the transactions goal cannot be met with this run's credits, if it cannot: the
    /// protocol floor (one write per 16 frames, a length read and a burst read per credit
    /// window) is above the goal below 60 credits. The chip's real count is not known (spec
    /// §4.3: at least 46 seen in use); the simulated chip gives 32.
    pub fn goal_bound_by_credits(&self) -> Option<String> {
        (self.transactions_floor > TX_TRANSACTIONS_GOAL).then(|| {
            format!(
                "tx_transactions_per_frame goal {TX_TRANSACTIONS_GOAL} is below the floor {:.4} of {} credits; held to the floor",
                self.transactions_floor, self.credits
            )
        })
    }

    /// The figures as one JSON object (no trailing newline); every key starts with `tx_`.
    pub fn to_json(&self) -> String {
        format!(
            concat!(
                "{{\"tx_transactions_per_frame\":{:.4},\"tx_wakeups_per_frame\":{:.4},",
                "\"tx_copies_per_frame\":{:.4},\"tx_locks_per_frame\":{:.4},",
                "\"tx_ns_per_frame\":{:.1},\"tx_ns_per_frame_mean\":{:.1},",
                "\"tx_memcpy_ns_per_frame\":{:.1},\"tx_ns_ratio\":{:.2},",
                "\"tx_frames_per_write\":{:.2},\"tx_credits\":{},",
                "\"tx_transactions_floor\":{:.4},\"tx_handed\":{},\"tx_delivered\":{},",
                "\"tx_dropped\":{},\"tx_in_flight\":{},\"tx_failed\":{},",
                "\"tx_throughput_mbyte_s\":{:.2},\"tx_virtual_s\":{:.1}}}"
            ),
            self.transactions_per_frame,
            self.wakeups_per_frame,
            self.copies_per_frame,
            self.locks_per_frame,
            self.ns_per_frame,
            self.ns_per_frame_mean,
            self.memcpy_ns_per_frame,
            self.ns_per_frame / self.memcpy_ns_per_frame.max(0.001),
            self.frames_per_write,
            self.credits,
            self.transactions_floor,
            self.handed,
            self.delivered,
            self.dropped,
            self.in_flight,
            self.failed,
            self.throughput_mbyte_s,
            self.virtual_s,
        )
    }
}
