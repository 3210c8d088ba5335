//! The engine: state, start-up, the `run` loop, timers and recovery (DESIGN.md §2).

use core::borrow::Borrow;
use core::ops::Range;

use bes2600_wire::sdio::{Toggles, MAX_RX_BUF, MAX_TX_BUF};

use crate::bus::{Bus, BusError};
use crate::cmd::{CmdDone, CmdQueue, CmdResult, SubmitError};
use crate::credits::Credits;
use crate::host::{Host, RecoveryRequest, RxEntry, StartupInfo, RX_BATCH_MAX};
use crate::policy::{Policy, Window};
use crate::rx::{record_recovery, Drained};
use crate::shared::{bump, DropCause, RecoveryCause, Shared, WAKE_RX};
use crate::tx::PendingWrite;
use crate::txpolicy::{PolicyCache, TxRates};
use bes2600_wire::wsm::SeqState;

/// Largest SDD blob [`StartConfig::sdd`] may carry (spec §3.10: the shipped one is 832 B).
pub const SDD_MAX: usize = 1024;
const _: () = assert!(crate::sdd::SDD_LEN <= SDD_MAX);

/// Largest WSM message the host may hand to [`Host::next_tx`]: one 1632-byte slot minus
/// the 4-byte timestamp trailer (spec §1.7, errata 1).
pub const TX_MSG_MAX: usize = 1628;

/// Which stage-2 firmware runs (spec §2.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FwMode {
    /// Normal Wi-Fi firmware: multi-TX confirm on, 16 messages per TX write.
    Signal,
    /// RF-test firmware: one message per TX write, no multi-TX-confirm MIB.
    NoSignal,
}

/// Parameters of one start-up (spec §3.1).
#[derive(Debug, Clone, Copy)]
pub struct StartConfig<'a> {
    /// Firmware mode.
    pub mode: FwMode,
    /// MAC addresses of interfaces 0 and 1 (spec §1.10).
    pub macs: [[u8; 6]; 2],
    /// Configuration 0x0009 `maxTxMsduLifetime`.
    pub max_tx_msdu_lifetime: u32,
    /// Configuration 0x0009 `maxRxLifetime`.
    pub max_rx_lifetime: u32,
    /// Configuration 0x0009 `rtsThreshold`.
    pub rts_threshold: u32,
    /// An SDD file to send in Configuration instead of the engine's own (C's
    /// `request_firmware` path when the static SDD is off). Empty: the engine sends the
    /// static SDD of the vendor build, built by [`crate::sdd::build`] (spec §3.10, errata 12).
    pub sdd: &'a [u8],
}

/// Why [`Engine::start`] refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StartError {
    /// The SDD blob is longer than [`SDD_MAX`].
    SddTooLong,
}

/// Where the engine is in its life cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Not started, or stopped by a recovery that needs a firmware re-download.
    Down,
    /// Polling SLAVE_STATUS for MCU_READY before the handshake (spec §1.9 step 1).
    McuReady,
    /// WIFI activate handshake (spec §1.9 steps 2-3).
    Activate,
    /// Waiting for the startup indication 0x0801 (spec §3.1 step 2).
    WaitStartup,
    /// Multi-TX-confirm MIB and Configuration in flight (spec §3.1 steps 3, 5).
    Configure,
    /// Normal operation.
    Running,
}

/// What `run` reports back to its caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunOutcome {
    /// Call `run` again at this time at the latest (timers: handshake polls, command
    /// deadlines, the firmware-hang watchdog).
    pub next_deadline_ns: Option<u64>,
    /// The budget ran out with work left: call `run` again soon (the chip IRQ stays masked).
    pub more_work: bool,
    /// The phase after this run.
    pub phase: Phase,
}

/// A fault that ends normal operation; handled by [`Engine::fail`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Fault(pub(crate) RecoveryCause);

/// Mutable state of the bottom half, split from the buffers so RX dispatch can borrow the
/// burst buffer while changing state.
pub(crate) struct Core<const CQ: usize> {
    pub(crate) policy: Policy,
    pub(crate) phase: Phase,
    pub(crate) mode: FwMode,
    pub(crate) credits: Credits,
    pub(crate) seq: SeqState,
    pub(crate) toggles: Toggles,
    pub(crate) cmds: CmdQueue<CQ>,
    /// Time of the next handshake step (McuReady/Activate), or the startup deadline.
    pub(crate) phase_at_ns: u64,
    pub(crate) phase_tries: u32,
    pub(crate) doorbell_sent: bool,
    pub(crate) config_left: u8,
    pub(crate) startup: Option<StartupInfo>,
    pub(crate) rx_pending: bool,
    /// A length register value was consumed but the read could not run (bus busy).
    pub(crate) rx_len_pending: Option<usize>,
    /// Consecutive stale length-register reads (reset by any fresh or empty value).
    pub(crate) rx_stale_streak: u32,
    pub(crate) last_rx_data_ns: u64,
    pub(crate) decrypt: Window,
    pub(crate) conn_loss: Window,
    pub(crate) psm_latched: bool,
    pub(crate) held_len: usize,
    /// A packed TX batch the controller was too busy to take.
    pub(crate) tx_busy: Option<PendingWrite>,
    pub(crate) macs: [[u8; 6]; 2],
    pub(crate) lifetimes: [u32; 3],
    pub(crate) sdd_len: usize,
    /// The rate-policy table as uploaded to the firmware (spec §3.9).
    pub(crate) txp: PolicyCache,
    /// The held frame still needs a policy (all were in use): its rates.
    pub(crate) held_rates: Option<TxRates>,
}

/// Buffers: the RX burst, the TX batch, the frame pulled from the host but not yet packed,
/// the batch entries and the SDD copy.
pub(crate) struct Bufs {
    pub(crate) rx: [u8; MAX_RX_BUF],
    pub(crate) tx: [u8; MAX_TX_BUF],
    pub(crate) held: [u8; TX_MSG_MAX],
    pub(crate) entries: [RxEntry; RX_BATCH_MAX],
    pub(crate) sdd: [u8; SDD_MAX],
}

/// The BES2600 bottom-half engine.
///
/// `S` gives access to the [`Shared`] atomics (own it with `S = Shared`, or borrow one that
/// other contexts also see); `CQ` is the command-queue depth (at least 4, the start-up
/// commands).
pub struct Engine<S: Borrow<Shared> = Shared, const CQ: usize = 8> {
    pub(crate) shared: S,
    pub(crate) core: Core<CQ>,
    pub(crate) bufs: Bufs,
}

impl<S: Borrow<Shared>, const CQ: usize> Engine<S, CQ> {
    /// Creates a stopped engine. It is large (two 26 KiB buffers): the kernel module boxes it.
    // Always inlined so that `init_in_place` stores the fields straight into its slot.
    #[inline(always)]
    pub fn new(shared: S, policy: Policy) -> Self {
        const { assert!(CQ >= 4, "the start-up sequence queues up to 4 commands") };
        Self {
            shared,
            core: Core {
                decrypt: Window::new(policy.decrypt_storm_count, policy.decrypt_window_ns),
                conn_loss: Window::new(policy.conn_loss_count, policy.conn_loss_window_ns),
                policy,
                phase: Phase::Down,
                mode: FwMode::Signal,
                credits: Credits::empty(),
                seq: SeqState::new(),
                toggles: Toggles::default(),
                cmds: CmdQueue::new(),
                phase_at_ns: 0,
                phase_tries: 0,
                doorbell_sent: false,
                config_left: 0,
                startup: None,
                rx_pending: false,
                rx_len_pending: None,
                rx_stale_streak: 0,
                last_rx_data_ns: 0,
                psm_latched: false,
                held_len: 0,
                tx_busy: None,
                macs: [[0; 6]; 2],
                lifetimes: [0; 3],
                sdd_len: 0,
                txp: PolicyCache::EMPTY,
                held_rates: None,
            },
            bufs: Bufs::ZERO,
        }
    }

    /// The shared atomics (counters, recovery ring, wake reasons).
    pub fn shared(&self) -> &Shared {
        self.shared.borrow()
    }

    /// Marks RX pending; the IRQ context calls this (or [`Shared::on_irq`]) after masking
    /// the chip interrupt, then wakes the bottom half.
    pub fn on_irq(&self) {
        self.shared().on_irq();
    }

    /// The current phase.
    pub fn phase(&self) -> Phase {
        self.core.phase
    }

    /// The policy in force.
    pub fn policy(&self) -> &Policy {
        &self.core.policy
    }

    /// Firmware credits: (available, in use, total).
    pub fn credits(&self) -> (u16, u16, u16) {
        let c = &self.core.credits;
        (c.available(), c.used(), c.total())
    }

    /// The startup indication, once received.
    pub fn startup_info(&self) -> Option<StartupInfo> {
        self.core.startup
    }

    /// Whether power save is latched off after a PS mode error (spec §3.8.2 event 7).
    pub fn psm_latched(&self) -> bool {
        self.core.psm_latched
    }

    /// Starts (or restarts, after a firmware download) the Wi-Fi bring-up of spec §3.1.
    /// Non-blocking: the handshake and the start-up commands run inside [`Self::run`].
    ///
    /// # Errors
    ///
    /// [`StartError::SddTooLong`] when the SDD blob exceeds [`SDD_MAX`].
    pub fn start(&mut self, cfg: &StartConfig<'_>, now_ns: u64) -> Result<(), StartError> {
        let sdd_len = if cfg.sdd.is_empty() {
            // Cannot fail: SDD_MAX holds the built SDD (a const assert below).
            crate::sdd::build(&mut self.bufs.sdd).map_err(|_| StartError::SddTooLong)?
        } else {
            let sdd = self
                .bufs
                .sdd
                .get_mut(..cfg.sdd.len())
                .ok_or(StartError::SddTooLong)?;
            sdd.copy_from_slice(cfg.sdd);
            cfg.sdd.len()
        };
        let shared: &Shared = self.shared.borrow();
        let c = &mut self.core;
        // Commands of an earlier firmware run cannot be answered by the new one.
        let stale = c.cmds.clear();
        shared.counters.drop_n(DropCause::Recovery, stale as u64);
        c.sdd_len = sdd_len;
        c.macs = cfg.macs;
        c.lifetimes = [
            cfg.max_tx_msdu_lifetime,
            cfg.max_rx_lifetime,
            cfg.rts_threshold,
        ];
        c.mode = cfg.mode;
        c.reset_link_state();
        c.phase = Phase::McuReady;
        c.phase_at_ns = now_ns;
        c.phase_tries = 0;
        Ok(())
    }

    /// Queues a WSM request (spec §3.3): `req` is the request number, `payload` the bytes
    /// after the 4-byte header (built with `bes2600_wire::wsm`). The completion comes back
    /// through [`Host::cmd_done`] with `tag`.
    ///
    /// # Errors
    ///
    /// See [`SubmitError`].
    pub fn submit(
        &mut self,
        req: u16,
        if_id: u8,
        tag: u32,
        payload: &[u8],
    ) -> Result<(), SubmitError> {
        if self.core.phase != Phase::Running {
            return Err(SubmitError::NotRunning);
        }
        let t = CmdQueue::<CQ>::timeout_for(req, &self.core.policy);
        self.core.cmds.push(req, if_id, tag, t, payload, false)?;
        self.submitted(req);
        Ok(())
    }

    /// What every host command does once queued (raw [`Self::submit`] and the typed
    /// builders alike): a Reset makes the firmware forget its rate policies (spec §3.3, T),
    /// so frames after it need them uploaded again, the upload queued behind the Reset.
    /// Then the BH is woken for the command.
    pub(crate) fn submitted(&mut self, req: u16) {
        if req & crate::cmd::id::MSG_ID_MASK == crate::cmd::id::RESET {
            self.core.txp.forget_uploads();
        }
        self.shared().on_tx();
    }

    /// Runs the bottom half until idle, the budget is used up, or a fault stops it.
    ///
    /// Flushes TX by credits (commands first, then data packed ≤16 per CMD53), drains whole
    /// RX bursts, delivers one batch per burst, dispatches confirms and indications, checks
    /// the timers, and finally unmasks the chip IRQ and re-checks the wake reasons.
    pub fn run<B: Bus + ?Sized, H: Host + ?Sized>(
        &mut self,
        bus: &mut B,
        host: &mut H,
        now_ns: u64,
    ) -> RunOutcome {
        let shared: &Shared = self.shared.borrow();
        bump(&shared.counters.bh_wakeups, 1);
        if shared.take() & WAKE_RX != 0 {
            self.core.rx_pending = true;
        }
        let r = self.run_inner(bus, host, now_ns);
        let more_work = match r {
            Ok(m) => m,
            Err(Fault(cause)) => {
                self.fail(cause, bus, host, now_ns);
                false
            }
        };
        RunOutcome {
            next_deadline_ns: self.next_deadline(),
            more_work,
            phase: self.core.phase,
        }
    }

    fn run_inner<B: Bus + ?Sized, H: Host + ?Sized>(
        &mut self,
        bus: &mut B,
        host: &mut H,
        now_ns: u64,
    ) -> Result<bool, Fault> {
        match self.core.phase {
            Phase::Down => return Ok(false),
            Phase::McuReady | Phase::Activate => {
                self.handshake(bus, now_ns)?;
                if matches!(self.core.phase, Phase::McuReady | Phase::Activate) {
                    return Ok(false);
                }
            }
            _ => {}
        }
        self.check_timers(host, now_ns)?;
        let start = host.now_ns();
        let mut frames: u32 = 0;
        loop {
            let (sent, tx_busy) = self.flush_tx(bus, host, now_ns)?;
            if tx_busy {
                // Come back later; a busy controller is never a reason to reset.
                return Ok(true);
            }
            let got = if self.core.rx_pending {
                self.drain_rx(bus, host, now_ns)?
            } else {
                Drained::Idle
            };
            let progress = match got {
                Drained::Burst { frames: n } => {
                    frames = frames.saturating_add(n);
                    if self.core.policy.rx_irq_after_burst {
                        // The chip's level IRQ (re-armed by the length-register read) brings
                        // us back for the next burst without the two-register idle poll.
                        self.core.rx_pending = false;
                    }
                    true
                }
                Drained::Idle => false,
                // Leave the IRQ masked and come back later (spec §7 #8: never reset on busy).
                Drained::Busy => return Ok(true),
            };
            frames = frames.saturating_add(sent);
            let progress = progress || sent > 0;
            if progress {
                if frames >= self.core.policy.budget_frames || self.time_up(host, start) {
                    return Ok(true);
                }
                continue;
            }
            // Idle: unmask, then re-check what arrived meanwhile (DESIGN.md §2 step 4).
            bus.set_irq_enabled(true);
            let shared: &Shared = self.shared.borrow();
            let reasons = shared.take();
            if reasons == 0 {
                return Ok(false);
            }
            if reasons & WAKE_RX != 0 {
                self.core.rx_pending = true;
            }
            bus.set_irq_enabled(false);
        }
    }

    fn time_up<H: Host + ?Sized>(&self, host: &mut H, start: Option<u64>) -> bool {
        match (start, host.now_ns()) {
            (Some(a), Some(b)) => b.saturating_sub(a) >= self.core.policy.budget_ns,
            _ => false,
        }
    }

    /// The earliest time `run` must be called again, if any timer is armed.
    fn next_deadline(&self) -> Option<u64> {
        let c = &self.core;
        let mut d: Option<u64> = None;
        let mut add = |t: Option<u64>| {
            if let Some(t) = t {
                d = Some(d.map_or(t, |x: u64| x.min(t)));
            }
        };
        match c.phase {
            Phase::Down => return None,
            Phase::McuReady | Phase::Activate | Phase::WaitStartup => add(Some(c.phase_at_ns)),
            _ => {}
        }
        add(c.cmds.outstanding.map(|o| o.deadline_ns));
        add(c.credits.stall_deadline(c.policy.fw_hang_ns));
        d
    }

    /// Command deadlines, the start-up deadline and the firmware-hang watchdog.
    fn check_timers<H: Host + ?Sized>(&mut self, host: &mut H, now_ns: u64) -> Result<(), Fault> {
        let c = &mut self.core;
        if c.phase == Phase::WaitStartup && now_ns >= c.phase_at_ns {
            return Err(Fault(RecoveryCause::FwHang));
        }
        if let Some(o) = c.cmds.outstanding.as_mut() {
            if now_ns >= o.deadline_ns {
                // Spec §3.11: while RX data keeps arriving the wait is extended, up to the
                // last-chance cap.
                if c.last_rx_data_ns > o.sent_ns && o.deadline_ns < o.cap_ns {
                    o.deadline_ns = o.cap_ns;
                } else {
                    let o = *o;
                    c.cmds.outstanding = None;
                    if !o.internal {
                        host.cmd_done(&CmdDone {
                            tag: o.tag,
                            id: o.id,
                            if_id: o.if_id,
                            result: CmdResult::Timeout,
                        });
                    }
                    return Err(Fault(RecoveryCause::CmdTimeout));
                }
            }
        }
        if c.credits.stalled(now_ns, c.policy.fw_hang_ns) {
            return Err(Fault(RecoveryCause::FwHang));
        }
        Ok(())
    }

    /// Records a recovery, stops the engine, aborts everything queued and asks the host to
    /// reset the bus and download the firmware again.
    fn fail<B: Bus + ?Sized, H: Host + ?Sized>(
        &mut self,
        cause: RecoveryCause,
        bus: &mut B,
        host: &mut H,
        now_ns: u64,
    ) {
        bus.set_irq_enabled(false);
        let shared: &Shared = self.shared.borrow();
        record_recovery(shared, cause, now_ns);
        let c = &mut self.core;
        if let Some(o) = c.cmds.outstanding.take() {
            shared.counters.drop_n(DropCause::Recovery, 1);
            if !o.internal {
                host.cmd_done(&CmdDone {
                    tag: o.tag,
                    id: o.id,
                    if_id: o.if_id,
                    result: CmdResult::Aborted,
                });
            }
        }
        while let Some(q) = c.cmds.pop_unsent() {
            shared.counters.drop_n(DropCause::Recovery, 1);
            if !q.internal {
                host.cmd_done(&CmdDone {
                    tag: q.tag,
                    id: q.id,
                    if_id: q.if_id,
                    result: CmdResult::Aborted,
                });
            }
        }
        if c.held_len > 0 {
            shared.counters.drop_n(DropCause::Recovery, 1);
        }
        if let Some(w) = c.tx_busy.filter(|w| !w.is_command()) {
            shared
                .counters
                .drop_n(DropCause::Recovery, u64::from(w.messages()));
        }
        c.reset_link_state();
        c.phase = Phase::Down;
        host.recovery(&RecoveryRequest::ResetAndReload { cause });
    }

    /// Stops the engine without a recovery (interface down). Queued commands are aborted.
    pub fn stop<H: Host + ?Sized>(&mut self, host: &mut H) {
        let c = &mut self.core;
        if let Some(o) = c.cmds.outstanding.take() {
            if !o.internal {
                host.cmd_done(&CmdDone {
                    tag: o.tag,
                    id: o.id,
                    if_id: o.if_id,
                    result: CmdResult::Aborted,
                });
            }
        }
        while let Some(q) = c.cmds.pop_unsent() {
            if !q.internal {
                host.cmd_done(&CmdDone {
                    tag: q.tag,
                    id: q.id,
                    if_id: q.if_id,
                    result: CmdResult::Aborted,
                });
            }
        }
        c.reset_link_state();
        c.phase = Phase::Down;
    }

    pub(crate) fn shared_ref(&self) -> &Shared {
        self.shared.borrow()
    }
}

impl<const CQ: usize> Core<CQ> {
    /// Forgets everything tied to one firmware run: credits, seqs, toggles, timers, the
    /// held frame, the policy windows and the PS latch (spec §3.1 step 6, §1.3).
    pub(crate) fn reset_link_state(&mut self) {
        self.credits = Credits::empty();
        self.seq.reset();
        self.toggles.reset();
        self.rx_pending = false;
        self.rx_len_pending = None;
        self.rx_stale_streak = 0;
        self.startup = None;
        self.config_left = 0;
        self.doorbell_sent = false;
        self.held_len = 0;
        self.held_rates = None;
        // A new firmware run has no policy table and no frame in flight.
        self.txp.clear();
        self.tx_busy = None;
        self.decrypt.clear();
        self.conn_loss.clear();
        self.psm_latched = false;
        self.last_rx_data_ns = 0;
    }
}

/// Runs one bus operation with the CRC retry rule of spec §1.5/§1.7 (`retries` extra
/// attempts on `Crc`), counting every attempt as a bus transaction.
pub(crate) fn with_retries<T>(
    shared: &Shared,
    retries: u32,
    mut op: impl FnMut() -> Result<T, BusError>,
) -> Result<T, BusError> {
    let mut left = retries;
    loop {
        bump(&shared.counters.bus_transactions, 1);
        match op() {
            Err(BusError::Crc) if left > 0 => {
                left -= 1;
                bump(&shared.counters.bus_crc_retries, 1);
            }
            r => return r,
        }
    }
}

/// A byte range helper that cannot panic.
pub(crate) fn range(start: usize, len: usize) -> Option<Range<usize>> {
    Some(start..start.checked_add(len)?)
}
