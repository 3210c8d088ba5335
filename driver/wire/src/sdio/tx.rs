// SPDX-License-Identifier: GPL-2.0-only
//! Packing WSM messages into one aggregated TX write, and unpacking it again on the device
//! side (spec §1.7 with errata 1; the simulated chip uses [`TxSlots`]).

use super::{cmd53_addr, round_up_blocks, Toggle, BLOCK_SIZE};
use crate::field::{align4, le16, set_le32};
use crate::wsm::{Id, HEADER_LEN};
use crate::{Error, Result};

/// At most 16 messages per TX write, `BES_SDIO_TX_MULTIPLE_NUM` (spec §1.7).
pub const TX_MULTIPLE_NUM: usize = 16;

/// The host timestamp trailer after each message: u32 LE milliseconds, not counted by the
/// WSM length (spec errata 1).
pub const TX_TRAILER_LEN: usize = 4;

/// The size of every slot in one TX write; its code goes into the low 2 bits of the CMD53
/// length (spec §1.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Slot {
    /// 512 bytes, code 0.
    S512,
    /// 1024 bytes, code 1.
    S1024,
    /// 1536 bytes, code 2.
    S1536,
    /// 1632 bytes, code 3.
    S1632,
}

impl Slot {
    /// Slot size in bytes.
    pub const fn bytes(self) -> usize {
        match self {
            Slot::S512 => 512,
            Slot::S1024 => 1024,
            Slot::S1536 => 1536,
            Slot::S1632 => 1632,
        }
    }

    /// The slot code carried in the low 2 bits of the length (blocks − 1).
    pub const fn code(self) -> u16 {
        match self {
            Slot::S512 => 0,
            Slot::S1024 => 1,
            Slot::S1536 => 2,
            Slot::S1632 => 3,
        }
    }

    /// The slot for a code (low 2 bits of a TX length field).
    pub const fn from_code(code: u16) -> Self {
        match code & 3 {
            0 => Slot::S512,
            1 => Slot::S1024,
            2 => Slot::S1536,
            _ => Slot::S1632,
        }
    }

    /// The slot for a message taking `bus_len` bytes on the bus: ceil(len/512) blocks, 1632
    /// for 4 blocks. Above 1632 bytes the C driver truncates (1633-2048) or drops; we refuse
    /// with `BadLength` (spec §1.7, errata "also found").
    pub const fn for_bus_len(bus_len: usize) -> Result<Self> {
        match bus_len.div_ceil(BLOCK_SIZE) {
            1 => Ok(Slot::S512),
            2 => Ok(Slot::S1024),
            3 => Ok(Slot::S1536),
            4 if bus_len <= 1632 => Ok(Slot::S1632),
            _ => Err(Error::BadLength),
        }
    }
}

/// Bytes one message occupies on the bus: `align4(wsm_len + 4)` with the timestamp trailer,
/// `align4(wsm_len)` without (spec errata 1).
pub const fn bus_len(wsm_len: usize, trailer: bool) -> usize {
    align4(wsm_len + if trailer { TX_TRAILER_LEN } else { 0 })
}

/// The largest WSM message (length field) that fits a TX slot: 1628 bytes with the
/// timestamp trailer, 1632 without (spec §1.7, errata 1).
pub const fn max_msg_len(trailer: bool) -> usize {
    Slot::S1632.bytes() - if trailer { TX_TRAILER_LEN } else { 0 }
}

/// How TX writes are built.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TxConfig {
    /// Append the 4-byte millisecond timestamp after each message (spec errata 1).
    pub trailer: bool,
    /// Messages per write: 16 in signal mode, 1 in nosignal mode (spec §1.7).
    pub max_msgs: usize,
}

impl TxConfig {
    /// Signal (normal) firmware: trailer on, 16 messages per write.
    pub const SIGNAL: Self = TxConfig {
        trailer: true,
        max_msgs: TX_MULTIPLE_NUM,
    };
    /// Nosignal (RF test) firmware: trailer on, one message per write.
    pub const NOSIGNAL: Self = TxConfig {
        trailer: true,
        max_msgs: 1,
    };
}

/// One finished TX write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TxBatch {
    /// The length for the CMD53 address field: sum of the slots OR the slot code.
    pub len_field: u16,
    /// Bytes to write: the slots rounded up to whole 512-byte blocks (block mode, errata 2).
    pub bytes: usize,
    /// Messages in the write.
    pub count: usize,
    /// Slot size shared by all messages.
    pub slot: Slot,
}

impl TxBatch {
    /// The CMD53 address field for this write (spec §1.3).
    pub fn cmd53_addr(&self, toggle: Option<Toggle>) -> u32 {
        cmd53_addr(self.len_field, toggle)
    }
}

/// Packs WSM messages into a caller-provided buffer as one TX write (spec §1.7).
///
/// All slots in one write have the same size; a message needing another size, a vendor/MCU
/// message (`id & 0x0C00 == 0x0C00`, which always goes alone), a full batch or a full
/// buffer ends the batch: [`TxPacker::try_push`] then returns `Ok(false)` and the caller
/// sends the batch and starts a new one with that message. Padding is zero-filled (the C
/// driver sends leftover bytes, spec §1.7 and §7 #19).
#[derive(Debug)]
pub struct TxPacker<'a> {
    buf: &'a mut [u8],
    cfg: TxConfig,
    slot: Slot,
    count: usize,
    closed: bool,
}

impl<'a> TxPacker<'a> {
    /// Starts an empty batch in `buf` (at most [`super::MAX_TX_BUF`] bytes are used).
    pub fn new(buf: &'a mut [u8], cfg: TxConfig) -> Self {
        TxPacker {
            buf,
            cfg,
            slot: Slot::S512,
            count: 0,
            closed: false,
        }
    }

    /// Messages packed so far.
    pub const fn len(&self) -> usize {
        self.count
    }

    /// True if nothing is packed yet.
    pub const fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Adds one complete WSM message (its length field must equal `msg.len()`), copying it
    /// into its slot.
    ///
    /// Returns `Ok(true)` if it was packed, `Ok(false)` if it belongs in the next batch.
    ///
    /// # Errors
    ///
    /// `Truncated` or `BadLength` for a malformed message or one above 1632 bytes on the
    /// bus; `BufferTooSmall` if even an empty batch cannot hold it.
    pub fn try_push(&mut self, msg: &[u8], timestamp_ms: u32) -> Result<bool> {
        let Some((off, slot, vendor)) = self.place(msg)? else {
            return Ok(false);
        };
        let dst = self
            .buf
            .get_mut(off..off + msg.len())
            .ok_or(Error::BufferTooSmall)?;
        dst.copy_from_slice(msg);
        self.seal(off, slot, msg.len(), vendor, timestamp_ms);
        Ok(true)
    }

    /// The free space where the next message starts, for building it in place (no copy):
    /// write a complete WSM message at its start, then call [`TxPacker::commit`] with its
    /// length. Empty when the buffer is full.
    pub fn spare_mut(&mut self) -> &mut [u8] {
        let off = self.next_offset();
        self.buf.get_mut(off..).unwrap_or_default()
    }

    /// Packs the message of `len` bytes that was built at the start of
    /// [`TxPacker::spare_mut`], under the same rules as [`TxPacker::try_push`].
    ///
    /// Returns `Ok(true)` if it was packed, `Ok(false)` if it belongs in the next batch. In
    /// that case (and on an error) it still lies in the spare space, where
    /// [`TxPacker::finish`] may overwrite it with padding: move it out first.
    ///
    /// # Errors
    ///
    /// As [`TxPacker::try_push`]; `Truncated` if `len` exceeds the spare space.
    pub fn commit(&mut self, len: usize, timestamp_ms: u32) -> Result<bool> {
        let off = self.next_offset();
        let msg = self
            .buf
            .get(off..)
            .and_then(|b| b.get(..len))
            .ok_or(Error::Truncated)?;
        let Some((at, slot, vendor)) = self.place(msg)? else {
            return Ok(false);
        };
        // `place` puts the message at the next slot, which is where it was built: the
        // batch's slot size is kept (or set by this first message, at offset 0).
        debug_assert_eq!(at, off);
        self.seal(at, slot, len, vendor, timestamp_ms);
        Ok(true)
    }

    /// Where the next message goes: right after the packed slots.
    const fn next_offset(&self) -> usize {
        self.count * self.slot.bytes()
    }

    /// Checks `msg` and finds its slot: `Ok(Some((offset, slot, vendor)))`, or `Ok(None)`
    /// when it belongs in the next batch (spec §1.7).
    fn place(&self, msg: &[u8]) -> Result<Option<(usize, Slot, bool)>> {
        let hdr = msg.get(..HEADER_LEN).ok_or(Error::Truncated)?;
        let len = usize::from(le16(hdr));
        if len != msg.len() {
            return Err(Error::BadLength);
        }
        let id = Id(le16(&hdr[2..]));
        let slot = Slot::for_bus_len(bus_len(len, self.cfg.trailer))?;
        let vendor = id.is_vendor_class();
        if self.count > 0
            && (self.closed || vendor || slot != self.slot || self.count >= self.cfg.max_msgs)
        {
            return Ok(None);
        }
        let off = self.count * slot.bytes();
        if self.buf.len() < off + slot.bytes() {
            return if self.count == 0 {
                Err(Error::BufferTooSmall)
            } else {
                Ok(None)
            };
        }
        Ok(Some((off, slot, vendor)))
    }

    /// Zero-fills the slot after the `len`-byte message at `off`, writes the timestamp
    /// trailer and books the message.
    fn seal(&mut self, off: usize, slot: Slot, len: usize, vendor: bool, timestamp_ms: u32) {
        if let Some(rest) = self.buf.get_mut(off + len..off + slot.bytes()) {
            rest.fill(0);
            if self.cfg.trailer {
                set_le32(rest, timestamp_ms);
            }
        }
        self.slot = slot;
        self.count += 1;
        self.closed = vendor;
    }

    /// Finishes the batch: zero-fills the block padding and returns what to send, or `None`
    /// if the batch is empty. The bytes to write are `buf[..batch.bytes]`.
    pub fn finish(self) -> Option<TxBatch> {
        if self.count == 0 {
            return None;
        }
        let total = self.count * self.slot.bytes();
        let bytes = round_up_blocks(total);
        // Block padding past the caller's buffer cannot be zeroed; the bus adapter pads from
        // a scratch block instead (spec §1.7), so clamp here.
        let end = bytes.min(self.buf.len());
        if let Some(pad) = self.buf.get_mut(total..end) {
            pad.fill(0);
        }
        // CAST: total ≤ 16 × 1632 = 26112 < 65536, and the slot code fits the low 2 bits
        // because every slot size is a multiple of 4.
        let len_field = total as u16 | self.slot.code();
        Some(TxBatch {
            len_field,
            bytes,
            count: self.count,
            slot: self.slot,
        })
    }
}

/// One slot of a received TX write: the WSM message and the whole slot around it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TxSlot<'a> {
    /// The WSM message, exactly its length field long.
    pub msg: &'a [u8],
    /// The slot (message, optional timestamp trailer, padding).
    pub slot: &'a [u8],
}

impl TxSlot<'_> {
    /// The host timestamp trailer right after the message, if the slot has room for it.
    pub fn trailer(&self) -> Option<u32> {
        self.slot
            .get(self.msg.len()..self.msg.len() + TX_TRAILER_LEN)
            .map(crate::field::le32)
    }
}

/// Iterator over the slots of a TX write, for the device side (the simulated chip).
#[derive(Debug, Clone)]
pub struct TxSlots<'a> {
    buf: &'a [u8],
    slot: Slot,
    count: usize,
    next: usize,
    failed: bool,
}

impl<'a> TxSlots<'a> {
    /// Checks the CMD53 length field (`len | code`) against the written bytes `buf`.
    ///
    /// # Errors
    ///
    /// `BadLength` if the slots do not divide the length or `len` is zero, `BadCount` for
    /// more than 16 slots, `Truncated` if `buf` is shorter than the slots.
    pub fn new(len_field: u16, buf: &'a [u8]) -> Result<Self> {
        let slot = Slot::from_code(len_field);
        let total = usize::from(len_field & !3);
        if total == 0 || total % slot.bytes() != 0 {
            return Err(Error::BadLength);
        }
        let count = total / slot.bytes();
        if count > TX_MULTIPLE_NUM {
            return Err(Error::BadCount);
        }
        let buf = buf.get(..total).ok_or(Error::Truncated)?;
        Ok(TxSlots {
            buf,
            slot,
            count,
            next: 0,
            failed: false,
        })
    }

    /// The slot size of this write.
    pub const fn slot(&self) -> Slot {
        self.slot
    }

    /// Number of slots in this write.
    pub const fn slot_count(&self) -> usize {
        self.count
    }
}

impl<'a> Iterator for TxSlots<'a> {
    type Item = Result<TxSlot<'a>>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed || self.next >= self.count {
            return None;
        }
        let off = self.next * self.slot.bytes();
        self.next += 1;
        let slot = self.buf.get(off..off + self.slot.bytes())?;
        let len = usize::from(le16(slot));
        match slot.get(..len) {
            Some(msg) if len >= HEADER_LEN => Some(Ok(TxSlot { msg, slot })),
            _ => {
                self.failed = true;
                Some(Err(Error::BadLength))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sdio::MAX_TX_BUF;

    fn msg(len: usize, id: u16, fill: u8) -> Vec<u8> {
        let mut m = vec![fill; len];
        m[0..2].copy_from_slice(&(len as u16).to_le_bytes());
        m[2..4].copy_from_slice(&id.to_le_bytes());
        m
    }

    #[test]
    fn slot_choice_with_and_without_trailer() {
        // Errata 1: 509-512-byte messages take a 1024-byte slot with the trailer.
        for len in 509..=512 {
            assert_eq!(
                Slot::for_bus_len(bus_len(len, true)),
                Ok(Slot::S1024),
                "len {len}"
            );
            assert_eq!(
                Slot::for_bus_len(bus_len(len, false)),
                Ok(Slot::S512),
                "len {len}"
            );
        }
        assert_eq!(Slot::for_bus_len(bus_len(508, true)), Ok(Slot::S512));
        assert_eq!(Slot::for_bus_len(bus_len(1536, false)), Ok(Slot::S1536));
        assert_eq!(Slot::for_bus_len(bus_len(1537, false)), Ok(Slot::S1632));
        assert_eq!(Slot::for_bus_len(bus_len(1628, true)), Ok(Slot::S1632));
        assert_eq!(
            Slot::for_bus_len(bus_len(1629, true)),
            Err(Error::BadLength)
        );
        assert_eq!(Slot::for_bus_len(bus_len(1632, false)), Ok(Slot::S1632));
        assert_eq!(Slot::for_bus_len(1633), Err(Error::BadLength));
        assert_eq!(Slot::for_bus_len(2049), Err(Error::BadLength));
        assert_eq!(Slot::for_bus_len(0), Err(Error::BadLength));
        for t in [true, false] {
            assert!(Slot::for_bus_len(bus_len(max_msg_len(t), t)).is_ok());
            assert!(Slot::for_bus_len(bus_len(max_msg_len(t) + 1, t)).is_err());
        }
        for s in [Slot::S512, Slot::S1024, Slot::S1536, Slot::S1632] {
            assert_eq!(Slot::from_code(s.code()), s);
        }
    }

    #[test]
    fn packs_equal_slots_with_trailer_and_zero_padding() {
        let mut buf = vec![0xA5u8; MAX_TX_BUF];
        let mut p = TxPacker::new(&mut buf, TxConfig::SIGNAL);
        assert_eq!(p.try_push(&msg(30, 0x0004, 0x11), 0x0102_0304), Ok(true));
        assert_eq!(p.try_push(&msg(100, 0x0004, 0x22), 7), Ok(true));
        let b = p.finish().unwrap();
        assert_eq!(b.count, 2);
        assert_eq!(b.slot, Slot::S512);
        assert_eq!(b.len_field, 1024);
        assert_eq!(b.bytes, 1024);
        assert_eq!(
            b.cmd53_addr(Some({
                let mut t = Toggle::new();
                t.flip();
                t
            })),
            0x1_0400
        );
        assert_eq!(&buf[30..34], &[4, 3, 2, 1]);
        assert!(buf[34..512].iter().all(|&x| x == 0));
        assert_eq!(&buf[512..514], &[100, 0]);
        assert_eq!(&buf[612..616], &[7, 0, 0, 0]);
        assert!(buf[616..1024].iter().all(|&x| x == 0));
        // Device side reads the same two messages back.
        let slots: Vec<_> = TxSlots::new(b.len_field, &buf)
            .unwrap()
            .map(|s| s.unwrap())
            .collect();
        assert_eq!(slots.len(), 2);
        assert_eq!(slots[0].msg, &msg(30, 0x0004, 0x11)[..]);
        assert_eq!(slots[0].trailer(), Some(0x0102_0304));
        assert_eq!(slots[1].msg.len(), 100);
    }

    #[test]
    fn slot_code_and_block_rounding_for_1632() {
        let mut buf = vec![0xA5u8; MAX_TX_BUF];
        let mut p = TxPacker::new(&mut buf, TxConfig::SIGNAL);
        assert_eq!(p.try_push(&msg(1600, 0x0004, 1), 0), Ok(true));
        let b = p.finish().unwrap();
        assert_eq!(b.len_field, 1632 | 3);
        assert_eq!(b.bytes, 2048);
        assert!(buf[1632..2048].iter().all(|&x| x == 0));
    }

    #[test]
    fn different_slot_size_ends_batch() {
        let mut buf = vec![0u8; MAX_TX_BUF];
        let mut p = TxPacker::new(&mut buf, TxConfig::SIGNAL);
        assert_eq!(p.try_push(&msg(508, 0x0004, 1), 0), Ok(true));
        // 509 bytes + trailer needs a 1024 slot.
        assert_eq!(p.try_push(&msg(509, 0x0004, 1), 0), Ok(false));
        assert_eq!(p.len(), 1);
    }

    #[test]
    fn sixteen_per_batch_and_nosignal_one() {
        let mut buf = vec![0u8; MAX_TX_BUF];
        let mut p = TxPacker::new(&mut buf, TxConfig::SIGNAL);
        for _ in 0..16 {
            assert_eq!(p.try_push(&msg(1628, 0x0004, 1), 0), Ok(true));
        }
        assert_eq!(p.try_push(&msg(1628, 0x0004, 1), 0), Ok(false));
        let b = p.finish().unwrap();
        assert_eq!((b.count, b.bytes, b.len_field), (16, MAX_TX_BUF, 26112 | 3));
        let mut p = TxPacker::new(&mut buf, TxConfig::NOSIGNAL);
        assert_eq!(p.try_push(&msg(8, 0x0004, 1), 0), Ok(true));
        assert_eq!(p.try_push(&msg(8, 0x0004, 1), 0), Ok(false));
    }

    #[test]
    fn vendor_messages_go_alone() {
        let mut buf = vec![0u8; MAX_TX_BUF];
        let mut p = TxPacker::new(&mut buf, TxConfig::SIGNAL);
        assert_eq!(p.try_push(&msg(8, 0x0004, 1), 0), Ok(true));
        assert_eq!(p.try_push(&msg(8, 0x0C27, 1), 0), Ok(false));
        let mut p = TxPacker::new(&mut buf, TxConfig::SIGNAL);
        assert_eq!(p.try_push(&msg(8, 0x0C27, 1), 0), Ok(true));
        assert_eq!(p.try_push(&msg(8, 0x0004, 1), 0), Ok(false));
    }

    #[test]
    fn refuses_bad_messages() {
        let mut buf = vec![0u8; MAX_TX_BUF];
        let mut p = TxPacker::new(&mut buf, TxConfig::SIGNAL);
        assert_eq!(p.try_push(&msg(1629, 0x0004, 1), 0), Err(Error::BadLength));
        assert_eq!(p.try_push(&[8, 0], 0), Err(Error::Truncated));
        let mut m = msg(20, 0x0004, 1);
        m[0] = 21;
        assert_eq!(p.try_push(&m, 0), Err(Error::BadLength));
        assert!(p.finish().is_none());
        let mut small = [0u8; 100];
        let mut p = TxPacker::new(&mut small, TxConfig::SIGNAL);
        assert_eq!(
            p.try_push(&msg(8, 0x0004, 1), 0),
            Err(Error::BufferTooSmall)
        );
    }

    /// Packs `msgs` once by copy and once in place (leftover bytes 0xA5 in both buffers):
    /// the pushes must agree one by one and the finished batches byte for byte.
    fn both_ways(cfg: TxConfig, msgs: &[Vec<u8>]) {
        let mut by_copy = vec![0xA5u8; MAX_TX_BUF];
        let mut in_place = vec![0xA5u8; MAX_TX_BUF];
        let mut a = TxPacker::new(&mut by_copy, cfg);
        let mut b = TxPacker::new(&mut in_place, cfg);
        for (i, m) in msgs.iter().enumerate() {
            let ts = 0x1000 + i as u32;
            let got_a = a.try_push(m, ts);
            let spare = b.spare_mut();
            let Some(dst) = spare.get_mut(..m.len()) else {
                // No room to build it (a full buffer): the copy must not have packed it.
                assert_ne!(got_a, Ok(true), "message {i} of {} B", m.len());
                break;
            };
            dst.copy_from_slice(m);
            let got_b = b.commit(m.len(), ts);
            assert_eq!(got_a, got_b, "message {i} of {} B", m.len());
            if got_a != Ok(true) {
                break;
            }
        }
        let (fa, fb) = (a.finish(), b.finish());
        assert_eq!(fa, fb);
        if let Some(f) = fa {
            assert_eq!(by_copy[..f.bytes], in_place[..f.bytes]);
        }
    }

    #[test]
    fn in_place_matches_copy_at_the_edges() {
        both_ways(TxConfig::SIGNAL, &[msg(30, 4, 1), msg(100, 4, 2)]);
        both_ways(TxConfig::SIGNAL, &[msg(508, 4, 1), msg(509, 4, 2)]);
        both_ways(TxConfig::SIGNAL, &vec![msg(1628, 4, 3); 17]);
        both_ways(TxConfig::SIGNAL, &[msg(8, 4, 1), msg(8, 0x0C27, 1)]);
        both_ways(TxConfig::NOSIGNAL, &[msg(8, 4, 1), msg(8, 4, 1)]);
        both_ways(TxConfig::SIGNAL, &[msg(1629, 4, 1)]);
        let mut bad = msg(20, 4, 1);
        bad[0] = 21;
        both_ways(TxConfig::SIGNAL, &[msg(20, 4, 1), bad]);
    }

    #[test]
    fn a_message_for_the_next_batch_stays_in_the_spare_space() {
        let mut buf = vec![0u8; MAX_TX_BUF];
        let mut p = TxPacker::new(&mut buf, TxConfig::SIGNAL);
        assert_eq!(p.try_push(&msg(1600, 4, 1), 0), Ok(true));
        let m = msg(100, 4, 9);
        p.spare_mut()[..100].copy_from_slice(&m);
        // A 512-byte slot after a 1632-byte one: the next batch's.
        assert_eq!(p.commit(100, 0), Ok(false));
        assert_eq!(p.len(), 1);
        assert_eq!(&p.spare_mut()[..100], &m[..]);
        assert_eq!(p.commit(MAX_TX_BUF, 0), Err(Error::Truncated));
    }

    proptest::proptest! {
        #[test]
        fn in_place_matches_copy(
            lens in proptest::collection::vec(4usize..1700, 1..20),
            vendor in proptest::collection::vec(proptest::bool::weighted(0.1), 20),
            nosignal: bool,
        ) {
            let msgs: Vec<Vec<u8>> = lens
                .iter()
                .zip(&vendor)
                .enumerate()
                .map(|(i, (&l, &v))| msg(l, if v { 0x0C27 } else { 4 }, i as u8))
                .collect();
            let cfg = if nosignal { TxConfig::NOSIGNAL } else { TxConfig::SIGNAL };
            both_ways(cfg, &msgs);
        }
    }

    #[test]
    fn device_side_rejects_bad_writes() {
        let buf = vec![0u8; MAX_TX_BUF];
        assert_eq!(TxSlots::new(0, &buf).err(), Some(Error::BadLength));
        assert_eq!(TxSlots::new(1000, &buf).err(), Some(Error::BadLength));
        assert_eq!(TxSlots::new(512 * 17, &buf).err(), Some(Error::BadCount));
        assert_eq!(
            TxSlots::new(1024, &buf[..600]).err(),
            Some(Error::Truncated)
        );
        // A slot whose message length is zero is an error.
        let mut s = TxSlots::new(512, &buf).unwrap();
        assert_eq!(s.next(), Some(Err(Error::BadLength)));
        assert_eq!(s.next(), None);
    }
}
