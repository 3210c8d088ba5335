//! RX drain: the length register with its toggle (spec §1.5, errata 4), one CMD53 for the
//! whole burst with CRC retries, the in-place split by the wire crate, per-space seq checks
//! (spec §3.2), and dispatch of confirms and indications. Data frames are collected into one
//! batch per burst.

use core::borrow::Borrow;

use bes2600_wire::sdio::regs::{RX_LEN_CTRL, RX_STATUS};
use bes2600_wire::sdio::{cmd53_addr, decode_rx_len, rx_status_done, RxLen};

use crate::bus::Bus;
use crate::cmd::{id, CmdDone, CmdResult};
use crate::engine::{with_retries, Bufs, Core, Engine, Fault, Phase, SDD_MAX};
use bes2600_wire::wsm::event::{EventId, EventInd, EVENT_IND};
use bes2600_wire::wsm::pm::SET_PM_IND;
use bes2600_wire::wsm::scan::SCAN_COMPLETE_IND;
use bes2600_wire::wsm::status::GenericCnf;
use bes2600_wire::wsm::tx::TxCnf;
use bes2600_wire::wsm::{self, Class, Decoded, Direction, Id, Status};

mod split;

use crate::host::{ConnEvent, Host, RecoveryRequest, RxBatch, RxEntry, StartupInfo, TxStatus};
use crate::shared::{bump, DropCause, RecoveryCause, RecoveryEvent, Shared};
use split::{read_burst, rx_entry, split};

/// CMD52 accesses retry up to 30 times in all (spec §1.4).
const REG_RETRIES: u32 = 29;

/// Result of one drain step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Drained {
    /// One burst was read.
    Burst {
        /// Frames delivered from it.
        frames: u32,
    },
    /// Nothing (more) to read.
    Idle,
    /// The host controller was busy; try again later (never a reason to reset, spec §7 #8).
    Busy,
}

/// Counts a recovery and appends it to the ring.
pub(crate) fn record_recovery(shared: &Shared, cause: RecoveryCause, now_ns: u64) {
    let count = shared.counters.recovery(cause);
    shared.recovery_log.push(RecoveryEvent {
        time_ns: now_ns,
        cause,
        count,
    });
}

impl<S: Borrow<Shared>, const CQ: usize> Engine<S, CQ> {
    /// Reads and dispatches at most one burst.
    ///
    /// In two phases, so that the burst may live in memory the host lent
    /// ([`Host::rx_buffer`]) and frames reach the host as ranges into it, never copied:
    /// 1. read the burst, split it, check each message's sequence number and decode each
    ///    receive indication into a batch entry, without calling the host (the lent buffer
    ///    is borrowed from it). Other messages (confirms, events: never frames) are copied
    ///    to the engine's own buffer at the same offset when the buffer was lent.
    /// 2. dispatch in arrival order from what phase 1 recorded, calling the host.
    pub(crate) fn drain_rx<B: Bus + ?Sized, H: Host + ?Sized>(
        &mut self,
        bus: &mut B,
        host: &mut H,
        now_ns: u64,
    ) -> Result<Drained, Fault> {
        let shared: &Shared = self.shared.borrow();
        let c = &mut self.core;
        let len = match c.rx_len_pending.take() {
            Some(len) => len,
            None => match read_len(c, shared, bus)? {
                Some(len) => len,
                None => {
                    c.rx_pending = false;
                    return Ok(Drained::Idle);
                }
            },
        };
        let Bufs {
            rx, entries, sdd, ..
        } = &mut self.bufs;
        let Ok(len16) = u16::try_from(len) else {
            shared.counters.drop_n(DropCause::RxBadLength, 1);
            return Err(Fault(RecoveryCause::BusError));
        };
        let addr = cmd53_addr(len16, Some(c.toggles.rx));
        let lent_buf = host.rx_buffer(len).and_then(|b| b.get_mut(..len));
        let lent = lent_buf.is_some();
        let read = match lent_buf {
            Some(buf) => read_burst(c, shared, bus, addr, buf)
                .map(|r| r.map(|()| split(c, shared, buf, Some(&mut rx[..]), entries))),
            None => {
                let Some(buf) = rx.get_mut(..len) else {
                    shared.counters.drop_n(DropCause::RxBadLength, 1);
                    return Err(Fault(RecoveryCause::BusError));
                };
                read_burst(c, shared, bus, addr, buf)
                    .map(|r| r.map(|()| split(c, shared, buf, None, entries)))
            }
        };
        let sp = match read? {
            Some(sp) => sp,
            None => {
                // The controller was busy: read this burst again next time.
                c.rx_len_pending = Some(len);
                return Ok(Drained::Busy);
            }
        };
        let data: &[u8] = rx.get(..len).unwrap_or(&[]);
        let sdd: &[u8] = sdd;
        let burst: &[u8] = if lent { &[] } else { data };
        let mut n = 0usize;
        let mut fault = None;
        for i in 0..sp.count {
            let Some(rec) = entries.get(i).cloned() else {
                break;
            };
            let bit = 1u16 << i;
            let entry = if sp.frames & bit != 0 {
                if sp.malformed & bit != 0 {
                    shared.counters.drop_n(DropCause::RxMalformed, 1);
                    None
                } else {
                    let mut cx = Ctx {
                        c: &mut *c,
                        shared,
                        sdd,
                        now_ns,
                    };
                    cx.rx_indication(host, rec)
                }
            } else {
                let m = data.get(rec.range.clone()).unwrap_or(&[]);
                // Scan complete and events must reach the host after the frames that
                // preceded them in the burst (mac80211 drops scan results that arrive after
                // completion).
                if n > 0 && flushes_batch(msg_id(m)) {
                    host.rx_batch(&RxBatch::new(burst, entries.get(..n).unwrap_or(&[]), lent));
                    bump(&shared.counters.rx_frames, n as u64);
                    c.last_rx_data_ns = now_ns;
                    n = 0;
                }
                let mut cx = Ctx {
                    c: &mut *c,
                    shared,
                    sdd,
                    now_ns,
                };
                match cx.handle(host, m, rec.range.start) {
                    Ok(e) => e,
                    Err(f) => {
                        // Frames after the fault are not dispatched; count them so every
                        // frame is either delivered or a counted drop.
                        let rest = sp.frames & !((bit << 1).wrapping_sub(1));
                        let lost = (rest & !sp.malformed).count_ones();
                        shared.counters.drop_n(DropCause::Recovery, u64::from(lost));
                        fault = Some(f);
                        break;
                    }
                }
            };
            if let Some(e) = entry {
                // n <= i < RX_BATCH_MAX: a frame entry never overwrites a record not yet
                // dispatched.
                if let Some(slot) = entries.get_mut(n) {
                    *slot = e;
                    n += 1;
                } else {
                    shared.counters.drop_n(DropCause::RxMalformed, 1);
                }
            }
        }
        if n > 0 {
            host.rx_batch(&RxBatch::new(burst, entries.get(..n).unwrap_or(&[]), lent));
            bump(&shared.counters.rx_frames, n as u64);
            c.last_rx_data_ns = now_ns;
        }
        let fault = fault.or(sp.fault.map(|(f, _)| f));
        match fault {
            Some(f) => Err(f),
            // CAST: n <= RX_BATCH_MAX = 16.
            None => Ok(Drained::Burst { frames: n as u32 }),
        }
    }
}

/// Indications the host must see in order with the data frames around them.
fn flushes_batch(idw: Id) -> bool {
    matches!(idw.msg_id(), SCAN_COMPLETE_IND | EVENT_IND | SET_PM_IND)
}

/// The ID word of a message from a burst (the splitter guarantees ≥ 4 bytes).
fn msg_id(m: &[u8]) -> Id {
    wsm::split(m).map(|(id, _)| id).unwrap_or_default()
}

/// Polls the length register (spec §1.5 with errata 4). `Ok(None)`: no data.
fn read_len<B: Bus + ?Sized, const CQ: usize>(
    c: &mut Core<CQ>,
    shared: &Shared,
    bus: &mut B,
) -> Result<Option<usize>, Fault> {
    let mut tries = 0u32;
    loop {
        let v = with_retries(shared, REG_RETRIES, || bus.read_reg8(RX_LEN_CTRL))
            .map_err(|_| Fault(RecoveryCause::BusError))?;
        match decode_rx_len(v, &mut c.toggles.rx_expected) {
            Ok(RxLen::Ready { len }) => {
                c.rx_stale_streak = 0;
                return Ok(Some(len));
            }
            Ok(RxLen::Stale) => {
                c.rx_stale_streak += 1;
                if c.rx_stale_streak > c.policy.rx_stale_limit {
                    // The toggle never matches again: host and chip lost step (spec §1.3).
                    shared.counters.drop_n(DropCause::RxBadLength, 1);
                    return Err(Fault(RecoveryCause::BusError));
                }
            }
            Ok(RxLen::Empty) => {
                c.rx_stale_streak = 0;
                let s = with_retries(shared, REG_RETRIES, || bus.read_reg8(RX_STATUS))
                    .map_err(|_| Fault(RecoveryCause::BusError))?;
                if rx_status_done(s) {
                    return Ok(None);
                }
            }
            Err(_) => {
                // More than the RX buffer holds (spec §1.5 item 3): the burst cannot be
                // read, so the chip's state is unknown.
                shared.counters.drop_n(DropCause::RxBadLength, 1);
                return Err(Fault(RecoveryCause::BusError));
            }
        }
        tries += 1;
        bump(&shared.counters.rx_len_retries, 1);
        if tries > c.policy.rx_zero_retries {
            return Ok(None);
        }
    }
}

/// What one message handler needs.
struct Ctx<'a, const CQ: usize> {
    c: &'a mut Core<CQ>,
    shared: &'a Shared,
    sdd: &'a [u8],
    now_ns: u64,
}

impl<const CQ: usize> Ctx<'_, CQ> {
    fn drop1(&self, cause: DropCause) {
        self.shared.counters.drop_n(cause, 1);
    }

    fn release(&mut self, n: u16) {
        if let Err(e) = self.c.credits.release(n, self.now_ns) {
            // More confirms than messages sent: count it, keep the books at zero.
            self.shared
                .counters
                .drop_n(DropCause::RxUnexpected, u64::from(e.excess));
        }
    }

    /// Handles one message; returns a batch entry for a deliverable frame.
    fn handle<H: Host + ?Sized>(
        &mut self,
        host: &mut H,
        m: &[u8],
        off: usize,
    ) -> Result<Option<RxEntry>, Fault> {
        let (idw, body) = match wsm::split(m) {
            Ok(x) => x,
            Err(_) => {
                self.drop1(DropCause::RxMalformed);
                return Err(Fault(RecoveryCause::BusError));
            }
        };
        // Spec §3.6: an exception always ends in recovery, whatever its body holds.
        if idw.is_exception() {
            return Err(Fault(RecoveryCause::FwHang));
        }
        let if_id = idw.if_id();
        let decoded = match wsm::decode(idw, body, Direction::ToHost) {
            Ok(d) => d,
            Err(_) => {
                self.drop1(DropCause::RxMalformed);
                // A confirm we cannot read leaves the command and credit books unknown.
                return match idw.class() {
                    Class::Confirm => Err(Fault(RecoveryCause::FwHang)),
                    _ => Ok(None),
                };
            }
        };
        match decoded {
            // Receive indications are split off in phase 1 (`split`); this one arrived
            // another way (never, today) and takes the same path.
            Decoded::Rx(_) => {
                let e = rx_entry(idw, m, off);
                return Ok(e.and_then(|e| self.rx_indication(host, e)));
            }
            // TX confirm (spec §3.6): one credit.
            Decoded::TxCnf(c) => {
                self.release(1);
                self.tx_confirmed(&c);
                host.tx_status(&tx_status(&c));
            }
            // Multi-TX confirm: `count` credits (spec §3.6, §4.3).
            Decoded::MultiTxCnf(mc) => {
                self.release(u16::try_from(mc.confirms.len()).unwrap_or(u16::MAX));
                for c in mc.confirms.iter() {
                    self.tx_confirmed(&c);
                    host.tx_status(&tx_status(&c));
                }
            }
            Decoded::Startup(ind) => self.startup(&StartupInfo::from(&ind))?,
            Decoded::Event(ev) => self.event(host, if_id, &ev)?,
            Decoded::ScanComplete(sc) => host.scan_complete(if_id, u32::from(sc.status)),
            Decoded::SetPmInd(pm) => host.event(&ConnEvent::PmComplete {
                if_id,
                status: u32::from(pm.status),
                psm: pm.psm,
            }),
            Decoded::McuReply { msg_id, reply } => {
                if reply.is_confirm() {
                    self.release(1);
                    self.complete(host, msg_id, 0, reply.payload)?;
                }
            }
            Decoded::Unknown { msg_id, .. } => match msg_id {
                // Channel switch done, find complete, suspend/resume TX: AP/P2P only.
                0x080A..=0x080C => {}
                _ if idw.class() == Class::Confirm => {
                    self.release(1);
                    self.drop1(DropCause::RxUnexpected);
                    return Err(Fault(RecoveryCause::FwHang));
                }
                _ => self.drop1(DropCause::RxUnknown),
            },
            // Every other confirm answers the outstanding command: status first, then the
            // per-command data (read MIB value, configuration, join power range…).
            _ if idw.class() == Class::Confirm => {
                self.release(1);
                let status = match GenericCnf::parse(body) {
                    Ok(g) => u32::from(g.status),
                    Err(_) => {
                        self.drop1(DropCause::RxMalformed);
                        return Err(Fault(RecoveryCause::FwHang));
                    }
                };
                self.complete(host, idw.msg_id(), status, body.get(4..).unwrap_or(&[]))?;
            }
            // Requests never come from the device.
            _ => self.drop1(DropCause::RxUnknown),
        }
        Ok(None)
    }

    /// Matches a confirm with the outstanding command (a mismatch is fatal, spec §3.6).
    fn complete<H: Host + ?Sized>(
        &mut self,
        host: &mut H,
        num: u16,
        status: u32,
        body: &[u8],
    ) -> Result<(), Fault> {
        let c = &mut *self.c;
        let Some(o) = c.cmds.outstanding else {
            self.drop1(DropCause::RxUnexpected);
            return Err(Fault(RecoveryCause::FwHang));
        };
        let want = if o.id & id::MCU == id::MCU {
            o.id
        } else {
            o.id | id::CONFIRM
        };
        if want != num {
            self.drop1(DropCause::RxUnexpected);
            return Err(Fault(RecoveryCause::FwHang));
        }
        c.cmds.outstanding = None;
        if o.internal {
            // A start-up command (spec §3.1) or a policy upload: any failure status means
            // the firmware does not take what C sends; recover.
            if status != 0 {
                return Err(Fault(RecoveryCause::FwHang));
            }
            if o.id == id::WRITE_MIB && c.phase == Phase::Running {
                // The rate-policy upload is in the firmware's table: data may name it.
                c.txp.upload_pending = false;
                return Ok(());
            }
            c.config_left = c.config_left.saturating_sub(1);
            if c.config_left == 0 && c.phase == Phase::Configure {
                c.phase = Phase::Running;
                if let Some(info) = c.startup {
                    host.ready(&info);
                }
            }
            return Ok(());
        }
        if o.id == id::JOIN && status == 0 {
            // A new association may support power save again.
            c.psm_latched = false;
        }
        host.cmd_done(&CmdDone {
            tag: o.tag,
            id: o.id,
            if_id: o.if_id,
            result: CmdResult::Confirmed { status, body },
        });
        Ok(())
    }

    /// What becomes of one decoded receive indication: a batch entry, or a counted drop.
    fn rx_indication<H: Host + ?Sized>(&mut self, host: &mut H, e: RxEntry) -> Option<RxEntry> {
        match Status::from(e.meta.status) {
            // Success, or MIC failure passed up for mac80211 to count (spec §3.7).
            Status::Success | Status::MicFailure => Some(e),
            Status::DecryptFailure => {
                self.drop1(DropCause::RxDecrypt);
                if self.c.decrypt.record(self.now_ns) {
                    let cause = RecoveryCause::DecryptStorm;
                    record_recovery(self.shared, cause, self.now_ns);
                    host.recovery(&RecoveryRequest::Reassociate { cause });
                }
                None
            }
            Status::NoKeyFound => {
                self.drop1(DropCause::RxNoKey);
                None
            }
            _ => {
                self.drop1(DropCause::RxStatus);
                None
            }
        }
    }

    /// Books one TX confirm record: the frame's policy has one user less, and its rate is
    /// recorded (spec §3.6, §3.9).
    fn tx_confirmed(&mut self, c: &TxCnf) {
        self.c.txp.release(c.packet_id.0);
        self.shared.counters.tx_rate(c.txed_rate);
    }

    fn startup(&mut self, info: &StartupInfo) -> Result<(), Fault> {
        let c = &mut *self.c;
        // A startup indication at any other time means the firmware restarted.
        if c.phase != Phase::WaitStartup {
            return Err(Fault(RecoveryCause::FwHang));
        }
        // Status 0 and a known fwType were checked by the parser (spec §3.6); with no
        // buffers nothing could ever be sent.
        if info.num_inp_ch_bufs == 0 {
            return Err(Fault(RecoveryCause::FwHang));
        }
        c.credits.reset(info.num_inp_ch_bufs);
        c.startup = Some(*info);
        let sdd = self.sdd.get(..c.sdd_len.min(SDD_MAX)).unwrap_or(&[]);
        c.queue_startup_cmds(sdd)?;
        c.phase = Phase::Configure;
        Ok(())
    }

    fn event<H: Host + ?Sized>(
        &mut self,
        host: &mut H,
        if_id: u8,
        ev: &EventInd,
    ) -> Result<(), Fault> {
        let data = ev.data;
        match ev.id {
            EventId::BssLost => {
                host.event(&ConnEvent::BssLost { if_id });
                if self.c.conn_loss.record(self.now_ns) {
                    return Err(Fault(RecoveryCause::ConnectionLoss));
                }
            }
            EventId::BssRegained => host.event(&ConnEvent::BssRegained { if_id }),
            EventId::RcpiRssi => host.event(&ConnEvent::RssiThreshold {
                if_id,
                value: ev.rcpi_rssi(),
            }),
            EventId::PsModeError => {
                // Reason 4 (no data after TIM) does not mean the AP mishandles power save.
                let latched = data != 4;
                if latched {
                    self.c.psm_latched = true;
                }
                host.event(&ConnEvent::PsModeError {
                    if_id,
                    reason: data,
                    latched,
                });
            }
            other => host.event(&ConnEvent::Other {
                if_id,
                event: u32::from(other),
                data,
            }),
        }
        Ok(())
    }
}

/// The host's view of one TX confirm record.
fn tx_status(c: &TxCnf) -> TxStatus {
    TxStatus {
        packet_id: c.packet_id.0,
        status: u32::from(c.status),
        txed_rate: c.txed_rate,
        ack_failures: c.ack_failures,
        flags: c.flags.0,
        media_delay: c.media_delay,
        queue_delay: c.tx_queue_delay,
    }
}
