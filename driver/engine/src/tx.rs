//! TX flush: commands first (each alone), then data frames pulled from the host while
//! credits remain, packed ≤16 per CMD53 by the wire packer (spec §1.7, §4.3).

use core::borrow::Borrow;

use bes2600_wire::sdio::{TxConfig, TxPacker};

use crate::bus::{Bus, BusError};
use crate::cmd::{id, CmdDone, CmdResult};
use crate::engine::{with_retries, Core, Engine, Fault, FwMode, Phase, TX_MSG_MAX};
use crate::host::Host;
use crate::shared::{bump, DropCause, RecoveryCause, Shared};
use crate::txpolicy::{Assign, TxRate, TxRates};
use bes2600_wire::le16;
use bes2600_wire::list::List;
use bes2600_wire::wsm::mib::{Mib, WriteMib};
use bes2600_wire::wsm::rate::{RatePolicy, MAX_POLICIES, RETRY_LIMIT};
use bes2600_wire::wsm::tx::TxReqView;
use bes2600_wire::wsm::{Id, SeqSpace, HEADER_LEN};

/// Set-PM mode byte 0 = active (spec §3.3 0x0010); other modes are power save.
const PM_ACTIVE: u8 = 0;

impl<S: Borrow<Shared>, const CQ: usize> Engine<S, CQ> {
    fn tx_config(&self) -> TxConfig {
        let mut cfg = match self.core.mode {
            FwMode::Signal => TxConfig::SIGNAL,
            FwMode::NoSignal => TxConfig::NOSIGNAL,
        };
        cfg.trailer = self.core.policy.tx_timestamp_trailer;
        cfg
    }

    /// Writes what credits allow. Returns the number of data frames written and whether
    /// the host controller was busy (the batch then waits in the TX buffer for the next run;
    /// a busy bus is never a reason to reset, spec §7 #8).
    pub(crate) fn flush_tx<B: Bus + ?Sized, H: Host + ?Sized>(
        &mut self,
        bus: &mut B,
        host: &mut H,
        now_ns: u64,
    ) -> Result<(u32, bool), Fault> {
        if !matches!(self.core.phase, Phase::Configure | Phase::Running) {
            return Ok((0, false));
        }
        let mut frames = 0u32;
        if let Some(w) = self.core.tx_busy {
            match self.write_batch(bus, w, now_ns)? {
                Some(n) => frames = n,
                None => return Ok((0, true)),
            }
        }
        loop {
            if self.core.credits.available() == 0 {
                let demand =
                    self.core.held_len > 0 || self.core.cmds.len() > 0 || host.tx_pending();
                if demand {
                    bump(&self.shared_ref().counters.credit_stalls, 1);
                }
                return Ok((frames, false));
            }
            let sent = match self.send_command(bus, host, now_ns)? {
                Sent::Nothing => false,
                Sent::Done(_) => true,
                Sent::Busy => return Ok((frames, true)),
            };
            if sent {
                continue;
            }
            if self.core.phase != Phase::Running {
                return Ok((frames, false));
            }
            match self.send_data(bus, host, now_ns)? {
                // The policy step may have queued an upload: it goes out in this pass.
                Sent::Nothing
                    if self.core.txp.upload_pending
                        && self.core.cmds.outstanding.is_none()
                        && self.core.cmds.len() > 0 =>
                {
                    continue
                }
                Sent::Nothing => return Ok((frames, false)),
                Sent::Done(n) => frames = frames.saturating_add(n),
                Sent::Busy => return Ok((frames, true)),
            }
        }
    }

    /// Writes a packed batch (CRC retried, spec §1.7) and books it: toggle, seq of a
    /// command, credits, counters. `Ok(None)`: the controller is busy; the batch stays.
    fn write_batch<B: Bus + ?Sized>(
        &mut self,
        bus: &mut B,
        w: PendingWrite,
        now_ns: u64,
    ) -> Result<Option<u32>, Fault> {
        let shared: &Shared = self.shared.borrow();
        let c = &mut self.core;
        let data = self
            .bufs
            .tx
            .get(..w.bytes)
            .ok_or(Fault(RecoveryCause::BusError))?;
        match with_retries(shared, c.policy.crc_retries, || {
            bus.write_data(w.addr, data)
        }) {
            Ok(()) => c.tx_busy = None,
            Err(BusError::Busy) => {
                c.tx_busy = Some(w);
                return Ok(None);
            }
            Err(_) => {
                c.tx_busy = None;
                if w.cmd.is_none() {
                    shared.counters.drop_n(DropCause::TxBus, u64::from(w.count));
                }
                return Err(Fault(RecoveryCause::BusError));
            }
        }
        c.toggles.tx.flip();
        // Cannot fail: the credits were checked before packing and only confirms (which
        // give credits back) ran since.
        c.credits.take(w.count, now_ns);
        bump(&shared.counters.tx_writes, 1);
        match w.cmd {
            Some(id) => {
                c.seq.stamp(id);
                c.cmds.mark_sent(now_ns, c.policy.cmd_timeout_cap_ns);
                bump(&shared.counters.tx_commands, 1);
                Ok(Some(0))
            }
            None => {
                bump(&shared.counters.tx_frames, u64::from(w.count));
                Ok(Some(u32::from(w.count)))
            }
        }
    }

    /// Sends the head command if the outstanding slot is free.
    fn send_command<B: Bus + ?Sized, H: Host + ?Sized>(
        &mut self,
        bus: &mut B,
        host: &mut H,
        now_ns: u64,
    ) -> Result<Sent, Fault> {
        let cfg = self.tx_config();
        let shared: &Shared = self.shared.borrow();
        let c = &mut self.core;
        let latched = c.psm_latched;
        let Some(q) = c.cmds.peek_sendable() else {
            return Ok(Sent::Nothing);
        };
        // PSM-unsupported latch: power-save requests are answered locally (spec §3.8.2 #7).
        if latched && q.id == id::SET_PM && q.msg.get(4).copied().unwrap_or(PM_ACTIVE) != PM_ACTIVE
        {
            if let Some(u) = c.cmds.pop_unsent() {
                host.cmd_done(&CmdDone {
                    tag: u.tag,
                    id: u.id,
                    if_id: u.if_id,
                    result: CmdResult::Skipped,
                });
            }
            return Ok(Sent::Done(0));
        }
        let len = q.len;
        let m = q.msg.get_mut(..len).ok_or(Fault(RecoveryCause::FwHang))?;
        let wire_id = header_id(m);
        stamp(m, wire_id.with_seq(c.seq.next_tx(wire_id.seq_space())));
        let mut packer = TxPacker::new(&mut self.bufs.tx, cfg);
        let ts = ts_ms(now_ns);
        if packer.try_push(m, ts) != Ok(true) {
            // A command we built ourselves does not fit: a bug, not a chip fault; drop it.
            shared.counters.drop_n(DropCause::TxMalformed, 1);
            if let Some(u) = c.cmds.pop_unsent() {
                if !u.internal {
                    host.cmd_done(&CmdDone {
                        tag: u.tag,
                        id: u.id,
                        if_id: u.if_id,
                        result: CmdResult::Aborted,
                    });
                }
            }
            return Ok(Sent::Done(0));
        }
        let Some(batch) = packer.finish() else {
            return Ok(Sent::Nothing);
        };
        let w = PendingWrite {
            addr: batch.cmd53_addr(Some(c.toggles.tx)),
            bytes: batch.bytes,
            count: 1,
            cmd: Some(wire_id),
        };
        Ok(match self.write_batch(bus, w, now_ns)? {
            Some(n) => Sent::Done(n),
            None => Sent::Busy,
        })
    }

    /// Packs and writes one batch of data frames.
    ///
    /// Each frame is built in place: the host writes the WSM message straight into its slot
    /// of the TX buffer ([`TxPacker::spare_mut`]), so the frame's bytes are copied once, by
    /// the host, before the bus transfer. Only a frame that needs another slot size than the
    /// batch has (spec §1.7) moves to the held buffer, where the batch's padding cannot
    /// reach it, and is copied into the next batch from there; both moves are counted.
    fn send_data<B: Bus + ?Sized, H: Host + ?Sized>(
        &mut self,
        bus: &mut B,
        host: &mut H,
        now_ns: u64,
    ) -> Result<Sent, Fault> {
        let cfg = self.tx_config();
        let shared: &Shared = self.shared.borrow();
        let c = &mut self.core;
        let bufs = &mut self.bufs;
        let avail = usize::from(c.credits.available());
        let ts = ts_ms(now_ns);
        let mut packer = TxPacker::new(&mut bufs.tx, cfg);
        while packer.len() < avail.min(cfg.max_msgs) {
            if c.txp.upload_pending {
                // Data waits for the policy upload's confirm (C locks TX until it is done).
                break;
            }
            if c.held_len > 0 {
                if let Some(rates) = c.held_rates {
                    let Some(m) = bufs.held.get_mut(..c.held_len) else {
                        c.held_len = 0;
                        c.held_rates = None;
                        continue;
                    };
                    match place_policy(c, shared, m, &rates) {
                        Placed::Go => c.held_rates = None,
                        Placed::WaitUpload => {
                            c.held_rates = None;
                            break;
                        }
                        Placed::WaitFull => break,
                    }
                }
                // The frame that did not fit the last batch goes first, keeping the order.
                let Some(m) = bufs.held.get_mut(..c.held_len) else {
                    c.held_len = 0;
                    continue;
                };
                let wire_id = header_id(m);
                let declared_ok = declared_len(m) == Some(m.len());
                // Stamp without advancing: the frame may wait for the next write.
                stamp(m, wire_id.with_seq(c.seq.next_tx(SeqSpace::Lmac)));
                let pushed = packer.try_push(m, ts);
                if pushed == Ok(true) {
                    bump(&shared.counters.tx_copies, 1);
                }
                let len = c.held_len;
                c.held_len = 0;
                match book(shared, c, pushed, wire_id, declared_ok) {
                    Packed::Yes | Packed::Dropped => continue,
                    // Cannot happen (it opens a batch); keep it rather than lose it.
                    Packed::NextBatch => {
                        c.held_len = len;
                        break;
                    }
                }
            }
            let Some(buf) = packer.spare_mut().get_mut(..TX_MSG_MAX) else {
                break;
            };
            let mut rates = TxRates::NONE;
            let n = match host.next_tx_rated(buf, &mut rates) {
                None => break,
                Some(n) if (HEADER_LEN..=TX_MSG_MAX).contains(&n) => n,
                Some(n) => {
                    let cause = if n > TX_MSG_MAX {
                        DropCause::TxOversize
                    } else {
                        DropCause::TxMalformed
                    };
                    shared.counters.drop_n(cause, 1);
                    continue;
                }
            };
            let Some(m) = packer.spare_mut().get_mut(..n) else {
                shared.counters.drop_n(DropCause::TxMalformed, 1);
                continue;
            };
            let wire_id = header_id(m);
            if wire_id.msg_id() != id::TRANSMIT {
                shared.counters.drop_n(DropCause::TxMalformed, 1);
                continue;
            }
            let placed = place_policy(c, shared, m, &rates);
            if placed != Placed::Go {
                // It waits in the held buffer: for the upload's confirm (its policy is
                // assigned) or for a free policy (its rates are kept).
                let (Some(dst), Some(src)) = (bufs.held.get_mut(..n), packer.spare_mut().get(..n))
                else {
                    shared.counters.drop_n(DropCause::TxMalformed, 1);
                    break;
                };
                dst.copy_from_slice(src);
                bump(&shared.counters.tx_copies, 1);
                c.held_len = n;
                c.held_rates = (placed == Placed::WaitFull).then_some(rates);
                break;
            }
            let m = match packer.spare_mut().get_mut(..n) {
                Some(m) => m,
                None => break,
            };
            let declared_ok = declared_len(m) == Some(n);
            // Stamp without advancing: the frame may wait for the next write.
            stamp(m, wire_id.with_seq(c.seq.next_tx(SeqSpace::Lmac)));
            let committed = packer.commit(n, ts);
            match book(shared, c, committed, wire_id, declared_ok) {
                Packed::Yes | Packed::Dropped => {}
                Packed::NextBatch => {
                    // It lies where this batch's block padding goes: move it out first.
                    let (Some(dst), Some(src)) =
                        (bufs.held.get_mut(..n), packer.spare_mut().get(..n))
                    else {
                        shared.counters.drop_n(DropCause::TxMalformed, 1);
                        break;
                    };
                    dst.copy_from_slice(src);
                    bump(&shared.counters.tx_copies, 1);
                    c.held_len = n;
                    break;
                }
            }
        }
        let Some(batch) = packer.finish() else {
            return Ok(Sent::Nothing);
        };
        let w = PendingWrite {
            addr: batch.cmd53_addr(Some(c.toggles.tx)),
            bytes: batch.bytes,
            count: u16::try_from(batch.count).unwrap_or(u16::MAX),
            cmd: None,
        };
        Ok(match self.write_batch(bus, w, now_ns)? {
            Some(n) => Sent::Done(n),
            None => Sent::Busy,
        })
    }
}

/// What the rate-policy step decided for one data frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Placed {
    /// Its request names an uploaded policy and that policy's first rate: send it.
    Go,
    /// Its policy is being uploaded: it waits for the confirm.
    WaitUpload,
    /// No policy is free (all 8 name frames in flight), or no room to queue the upload.
    WaitFull,
}

/// Gives a TX request its rate policy (spec §3.5 flags bits 4-6, `maxTxRate`; spec §3.9):
/// from the host's rates, or, without them, from the one rate the request names. Queues
/// the upload of a policy the firmware does not have yet.
fn place_policy<const CQ: usize>(
    c: &mut Core<CQ>,
    shared: &Shared,
    m: &mut [u8],
    rates: &TxRates,
) -> Placed {
    let Some(Ok(mut v)) = m.get_mut(HEADER_LEN..).map(TxReqView::new_checked) else {
        // Too short for a request: the packer refuses and counts it.
        return Placed::Go;
    };
    let pid = v.packet_id();
    let mut given = *rates;
    if given.is_empty() {
        // The host named one rate: all tries there (a bad number falls back to 1 Mb/s).
        let hw = v.max_tx_rate();
        if !given.push(TxRate {
            hw,
            count: RETRY_LIMIT,
        }) {
            given.push(TxRate {
                hw: 0,
                count: RETRY_LIMIT,
            });
        }
    }
    let (index, max_rate, upload) = match c.txp.assign(&given, pid) {
        Some(Assign::Ready { index, max_rate }) => (index, max_rate, false),
        Some(Assign::Upload { index, max_rate }) => (index, max_rate, true),
        Some(Assign::Full) | None => {
            bump(&shared.counters.tx_policy_waits, 1);
            return Placed::WaitFull;
        }
    };
    if upload && !c.cmds.has_room() {
        // No room for the upload command now: give the policy back and retry later.
        c.txp.release(pid);
        bump(&shared.counters.tx_policy_waits, 1);
        return Placed::WaitFull;
    }
    v.set_max_tx_rate(max_rate);
    v.set_flags((v.flags() & !0x70) | (index << 4));
    if !upload {
        return Placed::Go;
    }
    let mut table = [RatePolicy::default(); MAX_POLICIES];
    let n = c.txp.upload(&mut table);
    if n > 0 {
        let mib = WriteMib {
            mib: Mib::TxRatePolicy(List::from_items(table.get(..n).unwrap_or(&[]))),
        };
        // C uploads on interface 0 (C:txrx.c:440-466). Room was checked above.
        if c.push_internal(&mib, 0).is_err() {
            return Placed::WaitFull;
        }
        bump(&shared.counters.tx_policy_uploads, 1);
        bump(&shared.counters.tx_policies_uploaded, n as u64);
    }
    c.txp.upload_pending = true;
    bump(&shared.counters.tx_policy_waits, 1);
    Placed::WaitUpload
}

/// What packing one data frame came to.
enum Packed {
    /// In the batch; its seq is booked.
    Yes,
    /// It needs another slot size: it opens the next batch.
    NextBatch,
    /// Refused and counted as a drop.
    Dropped,
}

/// Books the packer's answer for one data frame: advances the seq of a packed frame, counts
/// a refused one under its cause (`declared_ok`: its length field matched its length).
fn book<const CQ: usize>(
    shared: &Shared,
    c: &mut Core<CQ>,
    r: Result<bool, bes2600_wire::Error>,
    wire_id: Id,
    declared_ok: bool,
) -> Packed {
    match r {
        Ok(true) => {
            c.seq.stamp(wire_id);
            Packed::Yes
        }
        // Different slot size: the frame waits for the next write (spec §1.7).
        Ok(false) => Packed::NextBatch,
        Err(e) => {
            // Either the length field disagrees or the message needs > 1632 B on the bus.
            let cause = if e == bes2600_wire::Error::BadLength && declared_ok {
                DropCause::TxOversize
            } else {
                DropCause::TxMalformed
            };
            shared.counters.drop_n(cause, 1);
            Packed::Dropped
        }
    }
}

/// What one send step did.
enum Sent {
    /// Nothing to send.
    Nothing,
    /// Written (or answered locally); this many data frames.
    Done(u32),
    /// The controller is busy; the batch waits in the TX buffer.
    Busy,
}

/// A packed batch waiting in the TX buffer because the controller was busy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PendingWrite {
    addr: u32,
    bytes: usize,
    /// Messages in it (credits it takes).
    count: u16,
    /// The command's ID word when the batch is one command.
    cmd: Option<Id>,
}

impl PendingWrite {
    /// Whether the batch is one command (its loss is reported as the command's abort).
    pub(crate) fn is_command(&self) -> bool {
        self.cmd.is_some()
    }

    /// Messages in the batch.
    pub(crate) fn messages(&self) -> u16 {
        self.count
    }
}

/// The ID word of a message built by the host or the command queue (`Id(0)` if short).
fn header_id(m: &[u8]) -> Id {
    m.get(2..4).map(|b| Id(le16(b))).unwrap_or_default()
}

/// The length field of a message (`None` if shorter than it).
fn declared_len(m: &[u8]) -> Option<usize> {
    m.get(0..2).map(|b| usize::from(le16(b)))
}

/// Writes `id` into the ID word of `m` (which is at least a header long).
fn stamp(m: &mut [u8], id: Id) {
    if let Some(b) = m.get_mut(2..4) {
        b.copy_from_slice(&id.0.to_le_bytes());
    }
}

/// The host timestamp trailer carries milliseconds (spec errata 1); it wraps.
fn ts_ms(now_ns: u64) -> u32 {
    // CAST: truncation is the intended wrap of a 32-bit millisecond clock.
    (now_ns / 1_000_000) as u32
}
