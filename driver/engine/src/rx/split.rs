//! Phase 1 of the RX drain: the burst read, the split, the sequence checks and the decoding
//! of receive indications, all without calling the host, so that the burst may live in
//! memory the host lent (`Host::rx_buffer`) while this runs.

use bes2600_wire::sdio::Burst;
use bes2600_wire::wsm::rx::{RxInd, RX_IND};
use bes2600_wire::wsm::{self, Id, Message};

use super::msg_id;
use crate::bus::{Bus, BusError};
use crate::engine::{range, with_retries, Core, Fault};
use crate::host::{RxEntry, RxMeta, RX_BATCH_MAX};
use crate::shared::{bump, DropCause, RecoveryCause, Shared};

/// How one burst split (phase 1 of [`Engine::drain_rx`]).
pub(super) struct Split {
    /// Messages recorded in `entries[..count]`.
    pub(super) count: usize,
    /// Bit `i` set: message `i` is a receive indication; `entries[i]` holds its frame range
    /// and metadata (`meta.status` is the WSM status).
    pub(super) frames: u16,
    /// Bit `i` set: message `i` is a receive indication whose body did not parse.
    pub(super) malformed: u16,
    /// Why the walk stopped early, with the drop cause of the frames it did not record.
    pub(super) fault: Option<(Fault, DropCause)>,
}

/// One CMD53 read of the burst with CRC retries. `Ok(None)`: the controller was busy.
pub(super) fn read_burst<B: Bus + ?Sized, const CQ: usize>(
    c: &mut Core<CQ>,
    shared: &Shared,
    bus: &mut B,
    addr: u32,
    buf: &mut [u8],
) -> Result<Option<()>, Fault> {
    match with_retries(shared, c.policy.crc_retries, || bus.read_data(addr, buf)) {
        Ok(()) => {}
        Err(BusError::Busy) => return Ok(None),
        Err(BusError::Crc) => {
            shared.counters.drop_n(DropCause::RxCrc, 1);
            return Err(Fault(RecoveryCause::BusError));
        }
        Err(_) => return Err(Fault(RecoveryCause::BusError)),
    }
    c.toggles.rx.flip();
    bump(&shared.counters.rx_bursts, 1);
    Ok(Some(()))
}

/// Phase 1 of [`Engine::drain_rx`]: splits `burst`, checks sequence numbers in arrival
/// order, decodes receive indications into `entries` and records every other message's
/// range there. With `copy_to` (the burst is in lent memory), those other messages are
/// copied to the same offset of `copy_to`; frames are not.
pub(super) fn split<const CQ: usize>(
    c: &mut Core<CQ>,
    shared: &Shared,
    burst: &[u8],
    mut copy_to: Option<&mut [u8]>,
    entries: &mut [RxEntry; RX_BATCH_MAX],
) -> Split {
    let mut sp = Split {
        count: 0,
        frames: 0,
        malformed: 0,
        fault: None,
    };
    let mut walk = Burst::new(burst);
    loop {
        let off = walk.consumed();
        let m = match walk.next() {
            None => break,
            Some(Ok(m)) => m,
            Some(Err(_)) => {
                shared.counters.drop_n(DropCause::RxMalformed, 1);
                sp.fault = Some((Fault(RecoveryCause::BusError), DropCause::Recovery));
                break;
            }
        };
        let idw = msg_id(m);
        if c.seq.check_rx(idw).is_err() {
            if idw.msg_id() == RX_IND {
                shared.counters.drop_n(DropCause::RxSeq, 1);
            }
            sp.fault = Some((Fault(RecoveryCause::BusError), DropCause::RxSeq));
            break;
        }
        // PANIC-free: the wire `Burst` yields at most RX_MULTIPLE_NUM = RX_BATCH_MAX
        // messages; a 17th is its error.
        let (Some(slot), Some(range)) = (entries.get_mut(sp.count), range(off, m.len())) else {
            shared.counters.drop_n(DropCause::RxMalformed, 1);
            sp.fault = Some((Fault(RecoveryCause::BusError), DropCause::Recovery));
            break;
        };
        let bit = 1u16 << sp.count;
        sp.count += 1;
        if idw.msg_id() == RX_IND && !idw.is_exception() {
            sp.frames |= bit;
            match rx_entry(idw, m, off) {
                Some(e) => *slot = e,
                None => sp.malformed |= bit,
            }
        } else {
            *slot = RxEntry {
                range: range.clone(),
                meta: RxMeta::default(),
            };
            if let Some(dst) = copy_to.as_deref_mut().and_then(|d| d.get_mut(range)) {
                dst.copy_from_slice(m);
            }
        }
    }
    if let Some((_, cause)) = sp.fault {
        // Frames after the fault are not dispatched; count them so every frame is either
        // delivered or a counted drop.
        let lost = walk
            .filter_map(Result::ok)
            .filter(|m| msg_id(m).msg_id() == RX_IND)
            .count();
        shared.counters.drop_n(cause, lost as u64);
    }
    sp
}

/// The batch entry of receive indication `m` at burst offset `off`: the frame's range (the
/// tail of the message, spec §3.7) and its metadata; `meta.status` is the WSM status.
/// `None` when the body does not parse.
pub(super) fn rx_entry(idw: Id, m: &[u8], off: usize) -> Option<RxEntry> {
    let (_, body) = wsm::split(m).ok()?;
    let ri = RxInd::parse(body).ok()?;
    let start = off.checked_add(m.len().checked_sub(ri.frame.len())?)?;
    Some(RxEntry {
        range: range(start, ri.frame.len())?,
        meta: RxMeta {
            if_id: idw.if_id(),
            status: u32::from(ri.status),
            channel: ri.channel,
            rate: ri.rxed_rate,
            rcpi: ri.rcpi,
            flags: ri.flags.0,
        },
    })
}
