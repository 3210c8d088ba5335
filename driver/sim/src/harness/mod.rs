//! The `std` harness: drives the real engine against the simulated chip on the virtual
//! clock, with a [`TestHost`] station (scan, join, associate, stream validation, recovery).
//!
//! Each step advances the chip by `step_ns` (the IRQ-to-bottom-half latency), forwards an
//! asserted chip IRQ to `Engine::on_irq` after masking it, runs the engine when woken, when
//! its deadline passed or when the host has something to send, then submits the commands the
//! host queued. A reset requested by the engine is carried out as a power cycle of the chip
//! followed by `Engine::start`.
//!
//! Firmware download after a reset: the sim shortcut `SimConfig::start_in_firmware` (the
//! chip comes back with its WSM firmware loaded) is used until the boot-ROM model
//! (`bootrom.rs`) and the `bes2600-fw` protocol core are wired in.

pub mod bench;
pub mod download;
pub mod host;
pub mod stream;

use std::time::Instant;

use bes2600_engine::{
    Bus, BusError, CmdDone, ConnEvent, Engine, FwMode, Host, Phase, Policy, RecoveryRequest,
    RxBatch, Shared, Snapshot, StartConfig, StartupInfo, TxStatus,
};

pub use download::{DownloadError, FirmwareSet};
pub use host::{HostEvent, StaState, TestHost, STA_MAC};
pub use stream::StreamStats;

use crate::{SimChip, SimConfig};

/// How the harness runs.
#[derive(Debug, Clone, Copy)]
pub struct HarnessConfig {
    /// The chip.
    pub sim: SimConfig,
    /// The engine's policy.
    pub policy: Policy,
    /// Virtual time per step: the IRQ → bottom-half latency the harness models.
    pub step_ns: u64,
    /// Measure real CPU time spent in the engine (excluding the sim) with `Instant`.
    pub measure: bool,
    /// Bring the chip up through its boot ROM with the `bes2600-fw` loader (boot image, DPD
    /// calibration and read-back, stage-2 image) at start and after every reset; otherwise
    /// the chip starts with its firmware loaded (`SimConfig::start_in_firmware`).
    pub download: bool,
}

impl Default for HarnessConfig {
    fn default() -> Self {
        Self {
            sim: SimConfig::default(),
            policy: Policy::default(),
            step_ns: 1_000_000,
            measure: false,
            download: false,
        }
    }
}

/// Wraps the chip to count what the engine does on the bus and time the sim's share.
pub struct Probe<'a> {
    chip: &'a mut SimChip,
    measure: bool,
    /// Nanoseconds spent inside the chip model during this probe's life.
    pub sim_ns: u64,
    /// Bus transactions (CMD52 + CMD53) issued through this probe.
    pub transactions: u64,
}

impl Probe<'_> {
    fn timed<T>(&mut self, f: impl FnOnce(&mut SimChip) -> T) -> T {
        self.transactions += 1;
        if self.measure {
            let t = Instant::now();
            let r = f(self.chip);
            self.sim_ns += t.elapsed().as_nanos() as u64;
            r
        } else {
            f(self.chip)
        }
    }
}

impl Bus for Probe<'_> {
    fn read_reg8(&mut self, reg: u32) -> Result<u8, BusError> {
        self.timed(|c| c.read_reg8(reg))
    }
    fn write_reg8(&mut self, reg: u32, val: u8) -> Result<(), BusError> {
        self.timed(|c| c.write_reg8(reg, val))
    }
    fn read_data(&mut self, addr: u32, buf: &mut [u8]) -> Result<(), BusError> {
        self.timed(|c| c.read_data(addr, buf))
    }
    fn write_data(&mut self, addr: u32, buf: &[u8]) -> Result<(), BusError> {
        self.timed(|c| c.write_data(addr, buf))
    }
    fn set_irq_enabled(&mut self, enabled: bool) {
        self.chip.set_irq_enabled(enabled);
    }
    fn reset(&mut self) -> Result<(), BusError> {
        self.transactions += 1;
        self.chip.reset()
    }
}

/// Wraps the station to time its callbacks, so they are not charged to the engine.
struct HostProbe<'a> {
    host: &'a mut TestHost,
    measure: bool,
    host_ns: u64,
}

impl HostProbe<'_> {
    fn timed<T>(&mut self, f: impl FnOnce(&mut TestHost) -> T) -> T {
        if self.measure {
            let t = Instant::now();
            let r = f(self.host);
            self.host_ns += t.elapsed().as_nanos() as u64;
            r
        } else {
            f(self.host)
        }
    }
}

impl Host for HostProbe<'_> {
    fn next_tx(&mut self, buf: &mut [u8]) -> Option<usize> {
        self.timed(|h| h.next_tx(buf))
    }
    fn tx_pending(&mut self) -> bool {
        self.host.tx_pending()
    }
    fn rx_batch(&mut self, batch: &RxBatch<'_>) {
        self.timed(|h| h.rx_batch(batch));
    }
    fn tx_status(&mut self, status: &TxStatus) {
        self.timed(|h| h.tx_status(status));
    }
    fn cmd_done(&mut self, done: &CmdDone<'_>) {
        self.timed(|h| h.cmd_done(done));
    }
    fn scan_complete(&mut self, if_id: u8, status: u32) {
        self.timed(|h| h.scan_complete(if_id, status));
    }
    fn event(&mut self, ev: &ConnEvent) {
        self.timed(|h| h.event(ev));
    }
    fn recovery(&mut self, req: &RecoveryRequest) {
        self.timed(|h| h.recovery(req));
    }
    fn ready(&mut self, info: &StartupInfo) {
        self.timed(|h| h.ready(info));
    }
}

/// Engine + simulated chip + test station on one virtual clock.
pub struct Harness {
    /// The simulated chip.
    pub sim: Box<SimChip>,
    /// The engine under test.
    pub engine: Box<Engine>,
    /// The station.
    pub host: TestHost,
    /// Virtual time.
    pub now_ns: u64,
    cfg: HarnessConfig,
    kick: bool,
    deadline: Option<u64>,
    /// Real ns spent in `Engine::run` minus the time inside the chip model and the station's
    /// callbacks (only with `HarnessConfig::measure`).
    pub engine_ns: u64,
    /// Bus transactions the engine issued (counted at the bus, independent of the engine's
    /// own counters).
    pub bus_transactions: u64,
    /// Engine resets carried out for recovery requests.
    pub resets_done: u64,
    /// Commands the engine refused to queue.
    pub submit_errors: u64,
    /// Largest number of firmware credits the engine had in use (from `Engine::credits`).
    pub max_credits_used: u16,
    /// The images downloaded when `HarnessConfig::download` is set.
    pub firmware: FirmwareSet,
    /// The DPD blob read back from the boot image, cached like the driver does (spec §2.5).
    pub dpd_cache: Option<Vec<u8>>,
    /// Results of every bring-up through the boot ROM, in order.
    pub downloads: Vec<Result<bes2600_fw::download::Outcome, DownloadError>>,
}

impl Harness {
    /// Builds the rig and starts the engine's bring-up at time 0.
    pub fn new(mut cfg: HarnessConfig) -> Self {
        if cfg.download {
            cfg.sim.start_in_firmware = false;
        }
        let mut h = Self {
            sim: Box::new(SimChip::new(cfg.sim)),
            engine: Box::new(Engine::new(Shared::new(), cfg.policy)),
            host: TestHost::new(),
            now_ns: 0,
            cfg,
            kick: true,
            deadline: None,
            engine_ns: 0,
            bus_transactions: 0,
            resets_done: 0,
            submit_errors: 0,
            max_credits_used: 0,
            firmware: FirmwareSet::default(),
            dpd_cache: None,
            downloads: Vec::new(),
        };
        h.bring_up();
        h
    }

    /// Loads the firmware (through the boot ROM when configured), then starts the engine.
    /// A failed download is retried after another power cycle, three times in all.
    fn bring_up(&mut self) {
        if self.cfg.download {
            for attempt in 0..3 {
                if attempt > 0 {
                    let _ = self.sim.reset();
                }
                let r = self.download_firmware();
                let ok = r.is_ok();
                self.downloads.push(r);
                if ok {
                    break;
                }
            }
        }
        self.start_engine();
    }

    fn start_engine(&mut self) {
        let sc = StartConfig {
            mode: FwMode::Signal,
            macs: [
                STA_MAC,
                [
                    STA_MAC[0],
                    STA_MAC[1],
                    STA_MAC[2],
                    STA_MAC[3],
                    STA_MAC[4],
                    STA_MAC[5].wrapping_add(1),
                ],
            ],
            max_tx_msdu_lifetime: 0,
            max_rx_lifetime: 0,
            rts_threshold: 2347,
            // The engine's own static SDD, as the module sends it (spec §3.10, errata 12);
            // the simulated firmware refuses an empty or malformed one.
            sdd: &[],
        };
        // PANIC: the synthetic SDD is far below SDD_MAX, so start cannot refuse it.
        let _ = self.engine.start(&sc, self.now_ns);
        self.kick = true;
    }

    /// The engine's counters.
    pub fn engine_counters(&self) -> Snapshot {
        self.engine.shared().counters.snapshot()
    }

    /// The engine's phase.
    pub fn phase(&self) -> Phase {
        self.engine.phase()
    }

    /// Advances one step.
    pub fn step(&mut self) {
        self.now_ns += self.cfg.step_ns;
        self.host.now_ns = self.now_ns;
        self.sim.advance(self.now_ns);
        if self.sim.irq_pending() {
            // What the IRQ handler does: mask the chip interrupt, note RX, wake the BH.
            self.sim.set_irq_enabled(false);
            self.engine.on_irq();
            self.kick = true;
        }
        if self.host.reset_requested {
            self.host.reset_requested = false;
            let _ = self.sim.reset();
            self.resets_done += 1;
            self.bring_up();
        }
        let due = self.kick
            || self.deadline.is_some_and(|d| self.now_ns >= d)
            || !self.host.tx_queue.is_empty()
            || !self.host.cmd_out.is_empty();
        if due {
            self.run_engine();
        }
    }

    fn run_engine(&mut self) {
        self.kick = false;
        let measure = self.cfg.measure;
        let mut probe = Probe {
            chip: &mut self.sim,
            measure,
            sim_ns: 0,
            transactions: 0,
        };
        let mut host = HostProbe {
            host: &mut self.host,
            measure,
            host_ns: 0,
        };
        let t0 = measure.then(Instant::now);
        let out = self.engine.run(&mut probe, &mut host, self.now_ns);
        if let Some(t0) = t0 {
            let total = t0.elapsed().as_nanos() as u64;
            self.engine_ns += total.saturating_sub(probe.sim_ns + host.host_ns);
        }
        self.bus_transactions += probe.transactions;
        self.deadline = out.next_deadline_ns;
        self.kick |= out.more_work;
        self.max_credits_used = self.max_credits_used.max(self.engine.credits().1);
        self.host.poll();
        while let Some(c) = self.host.cmd_out.pop_front() {
            match self.engine.submit(c.req, c.if_id, c.tag, &c.payload) {
                Ok(()) => self.kick = true,
                Err(_) => {
                    self.submit_errors += 1;
                    if self.engine.phase() == Phase::Running {
                        // Queue full: retry on the next step.
                        self.host.cmd_out.push_front(c);
                        break;
                    }
                }
            }
        }
    }

    /// Runs until virtual time `t_ns`.
    pub fn run_until(&mut self, t_ns: u64) {
        while self.now_ns < t_ns {
            self.step();
        }
    }

    /// Runs for `dur_ns` of virtual time.
    pub fn run_for(&mut self, dur_ns: u64) {
        self.run_until(self.now_ns + dur_ns);
    }

    /// Runs until `f` holds or `limit_ns` of virtual time passed; returns whether it held.
    pub fn run_until_cond(&mut self, limit_ns: u64, mut f: impl FnMut(&Self) -> bool) -> bool {
        let end = self.now_ns + limit_ns;
        while self.now_ns < end {
            if f(self) {
                return true;
            }
            self.step();
        }
        f(self)
    }

    /// Runs until the station is associated (at most `limit_ns`).
    pub fn associate(&mut self, limit_ns: u64) -> bool {
        self.run_until_cond(limit_ns, |h| h.host.state == StaState::Associated)
    }

    /// Stream frames the chip handed over that the station neither received nor discarded
    /// itself (so the engine must have dropped them).
    pub fn lost_after_chip(&self) -> u64 {
        self.sim
            .counters()
            .sent_to_host
            .saturating_sub(self.host.stream.unique + self.host.stream_discarded)
    }

    /// Engine drops that can concern stream frames: every RX cause except decryption and
    /// missing keys (the stream is never encrypted), plus frames dropped by a recovery.
    pub fn engine_rx_drops(&self) -> u64 {
        use bes2600_engine::DropCause as C;
        let e = self.engine_counters();
        [
            C::RxCrc,
            C::RxBadLength,
            C::RxMalformed,
            C::RxSeq,
            C::RxStatus,
            C::RxUnknown,
            C::RxUnexpected,
            C::Recovery,
        ]
        .iter()
        .map(|&c| e.drops_of(c))
        .sum()
    }
}
