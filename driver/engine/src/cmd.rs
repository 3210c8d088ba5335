//! The WSM command queue: commands wait here until the one outstanding command slot is free
//! (spec §3.2: only one command may be outstanding), then go out ahead of data, and are
//! matched with their confirm or timed out (spec §3.11).

use crate::policy::Policy;

/// Largest WSM command message the queue holds, header included. Configuration with an SDD
/// blob is the largest one we send (spec §3.3, §3.10: 24 + 832 + 4 bytes).
pub const CMD_MAX: usize = 1536;

/// WSM request numbers the engine knows (spec §3.3). The ID word on the wire adds the
/// interface id (bits 6-9) and the sequence number (bits 13-15).
pub mod id {
    /// Read MIB.
    pub const READ_MIB: u16 = 0x0005;
    /// Write MIB.
    pub const WRITE_MIB: u16 = 0x0006;
    /// Start scan.
    pub const START_SCAN: u16 = 0x0007;
    /// Stop scan.
    pub const STOP_SCAN: u16 = 0x0008;
    /// Configuration.
    pub const CONFIGURATION: u16 = 0x0009;
    /// Reset.
    pub const RESET: u16 = 0x000A;
    /// Join.
    pub const JOIN: u16 = 0x000B;
    /// Add key.
    pub const ADD_KEY: u16 = 0x000C;
    /// Remove key.
    pub const REMOVE_KEY: u16 = 0x000D;
    /// Set PM.
    pub const SET_PM: u16 = 0x0010;
    /// Set BSS params.
    pub const SET_BSS_PARAMS: u16 = 0x0011;
    /// Set TX queue params.
    pub const SET_TX_QUEUE_PARAMS: u16 = 0x0012;
    /// Set EDCA params.
    pub const SET_EDCA_PARAMS: u16 = 0x0013;
    /// Start (AP/IBSS).
    pub const START: u16 = 0x0017;
    /// Map link.
    pub const MAP_LINK: u16 = 0x001C;
    /// Transmit (data path, not a queued command).
    pub const TRANSMIT: u16 = 0x0004;
    /// Class bits of a confirm.
    pub const CONFIRM: u16 = 0x0400;
    /// Class bits of an indication.
    pub const INDICATION: u16 = 0x0800;
    /// Class bits of a BES MCU/vendor message.
    pub const MCU: u16 = 0x0C00;
    /// `WSM_MSG_ID_MASK` (spec §3.2): number and class bits.
    pub const MSG_ID_MASK: u16 = 0x0C3F;
}

/// Why a command was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubmitError {
    /// The queue is full; try again after a completion.
    QueueFull,
    /// The payload does not fit in [`CMD_MAX`].
    TooLarge,
    /// The engine is not running (not started, or recovering).
    NotRunning,
    /// The interface id does not fit in 4 bits.
    BadInterface,
}

/// How a command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmdResult<'a> {
    /// The firmware confirmed it. `status` is the confirm's first u32 (0 = success, spec
    /// §3.8.1); `body` is the rest of the confirm payload (after the status).
    Confirmed {
        /// WSM status.
        status: u32,
        /// Confirm payload after the status word.
        body: &'a [u8],
    },
    /// No confirm before the deadline; the engine starts a recovery.
    Timeout,
    /// Dropped by a recovery before it completed.
    Aborted,
    /// Not sent: power save is latched off (PS mode error, spec §3.8.2 event 7).
    Skipped,
}

/// A command completion reported to the host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CmdDone<'a> {
    /// The caller's tag from the submit call.
    pub tag: u32,
    /// Request number (`id & 0x0C3F`).
    pub id: u16,
    /// Interface id the command was sent for.
    pub if_id: u8,
    /// The outcome.
    pub result: CmdResult<'a>,
}

/// One queued command: the complete WSM message, seq to be stamped at send.
#[derive(Clone)]
pub(crate) struct Queued {
    pub(crate) msg: [u8; CMD_MAX],
    pub(crate) len: usize,
    pub(crate) id: u16,
    pub(crate) if_id: u8,
    pub(crate) tag: u32,
    pub(crate) timeout_ns: u64,
    /// Queued by the engine itself (start-up); its completion is not reported to the host.
    pub(crate) internal: bool,
}

impl Queued {
    const EMPTY: Queued = Queued {
        msg: [0; CMD_MAX],
        len: 0,
        id: 0,
        if_id: 0,
        tag: 0,
        timeout_ns: 0,
        internal: false,
    };

    /// The message bytes.
    #[cfg(test)]
    pub(crate) fn bytes(&self) -> &[u8] {
        self.msg.get(..self.len).unwrap_or(&[])
    }
}

/// The command in flight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Outstanding {
    pub(crate) id: u16,
    pub(crate) if_id: u8,
    pub(crate) tag: u32,
    pub(crate) sent_ns: u64,
    pub(crate) deadline_ns: u64,
    pub(crate) cap_ns: u64,
    pub(crate) internal: bool,
}

/// A command removed before it was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Unsent {
    pub(crate) id: u16,
    pub(crate) if_id: u8,
    pub(crate) tag: u32,
    pub(crate) internal: bool,
}

/// Fixed-capacity FIFO of commands plus the outstanding slot.
pub(crate) struct CmdQueue<const N: usize> {
    ring: [Queued; N],
    head: usize,
    len: usize,
    pub(crate) outstanding: Option<Outstanding>,
}

impl<const N: usize> CmdQueue<N> {
    pub(crate) fn new() -> Self {
        Self {
            ring: [const { Queued::EMPTY }; N],
            head: 0,
            len: 0,
            outstanding: None,
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Whether one more command fits.
    pub(crate) fn has_room(&self) -> bool {
        self.len < N
    }

    /// Forgets every command (start of a new firmware run). Returns how many there were.
    pub(crate) fn clear(&mut self) -> usize {
        let n = self.len + usize::from(self.outstanding.is_some());
        self.head = 0;
        self.len = 0;
        self.outstanding = None;
        n
    }

    /// Timeout of a request number (spec §3.11).
    pub(crate) fn timeout_for(id: u16, p: &Policy) -> u64 {
        match id & id::MSG_ID_MASK {
            id::JOIN | id::START | id::RESET => p.cmd_timeout_long_ns,
            _ => p.cmd_timeout_ns,
        }
    }

    /// Queues a command whose payload (the bytes after the 4-byte header) is `payload`.
    pub(crate) fn push(
        &mut self,
        req: u16,
        if_id: u8,
        tag: u32,
        timeout_ns: u64,
        payload: &[u8],
        internal: bool,
    ) -> Result<(), SubmitError> {
        self.push_with(req, if_id, tag, timeout_ns, internal, |body| {
            body.get_mut(..payload.len())?.copy_from_slice(payload);
            Some(payload.len())
        })
    }

    /// Queues a command whose payload `fill` writes in place into the body area (at most
    /// `CMD_MAX - 4` bytes); `fill` returns the payload length, or `None` if it does not fit.
    pub(crate) fn push_with(
        &mut self,
        req: u16,
        if_id: u8,
        tag: u32,
        timeout_ns: u64,
        internal: bool,
        fill: impl FnOnce(&mut [u8]) -> Option<usize>,
    ) -> Result<(), SubmitError> {
        if if_id > 0x0F {
            return Err(SubmitError::BadInterface);
        }
        if self.len == N {
            return Err(SubmitError::QueueFull);
        }
        let idx = (self.head + self.len) % N;
        // PANIC: idx < N by the modulo.
        let q = &mut self.ring[idx];
        let (hdr, body) = q.msg.split_at_mut(4);
        let plen = fill(body).ok_or(SubmitError::TooLarge)?;
        let total = plen.checked_add(4).filter(|&t| t <= CMD_MAX);
        let total = total.ok_or(SubmitError::TooLarge)?;
        let len16 = u16::try_from(total).map_err(|_| SubmitError::TooLarge)?;
        // MCU commands carry no if_id (spec §3.2).
        let wire_id = if req & id::MCU == id::MCU {
            req
        } else {
            req | (u16::from(if_id) << 6)
        };
        hdr[0..2].copy_from_slice(&len16.to_le_bytes());
        hdr[2..4].copy_from_slice(&wire_id.to_le_bytes());
        q.len = total;
        q.id = req & id::MSG_ID_MASK;
        q.if_id = if_id;
        q.tag = tag;
        q.timeout_ns = timeout_ns;
        q.internal = internal;
        self.len += 1;
        Ok(())
    }

    /// The next command to send, if the outstanding slot is free.
    pub(crate) fn peek_sendable(&mut self) -> Option<&mut Queued> {
        if self.outstanding.is_some() || self.len == 0 {
            return None;
        }
        self.ring.get_mut(self.head)
    }

    /// Moves the head command into the outstanding slot (after it was written).
    pub(crate) fn mark_sent(&mut self, now_ns: u64, cap_after_ns: u64) {
        if self.len == 0 {
            return;
        }
        let q = &self.ring[self.head];
        self.outstanding = Some(Outstanding {
            id: q.id,
            if_id: q.if_id,
            tag: q.tag,
            sent_ns: now_ns,
            deadline_ns: now_ns.saturating_add(q.timeout_ns),
            cap_ns: now_ns.saturating_add(cap_after_ns.max(q.timeout_ns)),
            internal: q.internal,
        });
        self.head = (self.head + 1) % N;
        self.len -= 1;
    }

    /// Removes the head command without sending it (e.g. skipped by a latch).
    pub(crate) fn pop_unsent(&mut self) -> Option<Unsent> {
        if self.len == 0 {
            return None;
        }
        let q = &self.ring[self.head];
        let r = Unsent {
            id: q.id,
            if_id: q.if_id,
            tag: q.tag,
            internal: q.internal,
        };
        self.head = (self.head + 1) % N;
        self.len -= 1;
        Some(r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fifo_and_one_outstanding() {
        let mut q: CmdQueue<2> = CmdQueue::new();
        q.push(id::JOIN, 1, 7, 100, &[1, 2, 3], false).unwrap();
        q.push(id::RESET, 0, 8, 100, &[], false).unwrap();
        assert_eq!(
            q.push(id::RESET, 0, 9, 100, &[], false),
            Err(SubmitError::QueueFull)
        );
        let head = q.peek_sendable().unwrap();
        assert_eq!(head.bytes(), &[7, 0, 0x4B, 0, 1, 2, 3]);
        q.mark_sent(10, 50);
        assert!(q.peek_sendable().is_none());
        let o = q.outstanding.unwrap();
        assert_eq!(
            (o.id, o.if_id, o.tag, o.deadline_ns, o.cap_ns),
            (0x0B, 1, 7, 110, 110)
        );
        q.outstanding = None;
        assert_eq!(q.peek_sendable().unwrap().tag, 8);
    }

    #[test]
    fn rejects_oversize_and_bad_interface() {
        let mut q: CmdQueue<1> = CmdQueue::new();
        let big = [0u8; CMD_MAX];
        assert_eq!(
            q.push(id::WRITE_MIB, 0, 0, 1, &big, false),
            Err(SubmitError::TooLarge)
        );
        assert_eq!(
            q.push(id::WRITE_MIB, 16, 0, 1, &[], false),
            Err(SubmitError::BadInterface)
        );
        q.push(0x0C27, 3, 0, 1, &[0; 4], false).unwrap();
        // MCU commands carry no interface id.
        assert_eq!(q.peek_sendable().unwrap().bytes()[2..4], [0x27, 0x0C]);
    }

    #[test]
    fn long_timeouts_for_join_start_reset() {
        let p = Policy::default();
        assert_eq!(
            CmdQueue::<1>::timeout_for(id::JOIN, &p),
            p.cmd_timeout_long_ns
        );
        assert_eq!(
            CmdQueue::<1>::timeout_for(id::RESET | (2 << 6), &p),
            p.cmd_timeout_long_ns
        );
        assert_eq!(
            CmdQueue::<1>::timeout_for(id::WRITE_MIB, &p),
            p.cmd_timeout_ns
        );
    }
}
