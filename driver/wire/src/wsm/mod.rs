// SPDX-License-Identifier: GPL-2.0-only
//! The WSM host interface (spec §3): message header, ID word, the two sequence spaces, MCU
//! framing, and one module per message family.
//!
//! Message `Repr`s work on the **body** (the bytes after the 4-byte header). [`emit`] writes
//! header and body; [`Msg`] splits a received message into its [`Id`] and body, and
//! [`decode`] dispatches a body to the right `Repr`.

pub mod assoc;
pub mod common;
pub mod config;
mod decode;
pub mod event;
pub mod join;
pub mod key;
pub mod mcu;
pub mod mib;
pub mod misc;
pub mod pm;
pub mod queue;
pub mod rate;
pub mod rx;
pub mod scan;
pub mod sdd;
pub mod startup;
pub mod status;
pub mod tx;

pub use decode::{decode, Decoded, Direction};
pub use status::Status;

use crate::field::{le16, set_le16};
use crate::{Error, Result};

mod field {
    use crate::field::Field;
    /// u16 LE: total length including this header.
    pub const LEN: Field = 0..2;
    /// u16 LE: number, if_id, class, seq.
    pub const ID: Field = 2..4;
}

/// Length of the WSM header (spec §3.2).
pub const HEADER_LEN: usize = field::ID.end;

/// Mask of the message number and class bits, `WSM_MSG_ID_MASK` (spec §3.2).
pub const WSM_MSG_ID_MASK: u16 = 0x0C3F;

/// Confirm class bit (spec §3.2).
pub const CLASS_CONFIRM: u16 = 0x0400;
/// Indication class bit (spec §3.2).
pub const CLASS_INDICATION: u16 = 0x0800;
/// Both class bits: BES MCU/vendor class (spec §3.2).
pub const CLASS_VENDOR: u16 = 0x0C00;

/// Message class from ID bits 10-11 (spec §3.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Class {
    /// Host→device request.
    Request,
    /// Confirm of a request (0x04xx).
    Confirm,
    /// Device→host indication (0x08xx).
    Indication,
    /// MCU/vendor (0x0Cxx), both directions.
    Vendor,
}

/// Which of the two sequence-number spaces a message uses (spec §3.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SeqSpace {
    /// LMAC messages (index 0).
    Lmac = 0,
    /// MCU messages, `(id & 0xF00) == 0xC00` (index 1).
    Mcu = 1,
}

/// A WSM message ID word (spec §3.2): bits 0-5 number, 6-9 if_id (or link id), 10-11 class,
/// 13-15 sequence number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Id(pub u16);

impl Id {
    /// The message ID without if_id and seq: `id & WSM_MSG_ID_MASK`.
    pub const fn msg_id(self) -> u16 {
        self.0 & WSM_MSG_ID_MASK
    }

    /// Message number, bits 0-5.
    pub const fn number(self) -> u8 {
        (self.0 & 0x3F) as u8 // CAST: masked to 6 bits.
    }

    /// Interface id (or link id), bits 6-9.
    pub const fn if_id(self) -> u8 {
        ((self.0 >> 6) & 0xF) as u8 // CAST: masked to 4 bits.
    }

    /// Returns the ID with bits 6-9 set to `if_id & 0xF`.
    pub const fn with_if_id(self, if_id: u8) -> Self {
        Id((self.0 & !(0xF << 6)) | (((if_id & 0xF) as u16) << 6))
    }

    /// Sequence number, bits 13-15.
    pub const fn seq(self) -> u8 {
        (self.0 >> 13) as u8 // CAST: 3 bits remain.
    }

    /// Returns the ID with bits 13-15 set to `seq & 7`.
    pub const fn with_seq(self, seq: u8) -> Self {
        Id((self.0 & 0x1FFF) | (((seq & 7) as u16) << 13))
    }

    /// Class from bits 10-11.
    pub const fn class(self) -> Class {
        match self.0 & CLASS_VENDOR {
            0 => Class::Request,
            CLASS_CONFIRM => Class::Confirm,
            CLASS_INDICATION => Class::Indication,
            _ => Class::Vendor,
        }
    }

    /// `id & 0x0C00 == 0x0C00`: a vendor/MCU message, which goes alone in a TX write (§1.7).
    pub const fn is_vendor_class(self) -> bool {
        self.0 & CLASS_VENDOR == CLASS_VENDOR
    }

    /// The sequence space: MCU when `(id & 0xF00) == 0xC00`, LMAC otherwise (spec §3.2).
    pub const fn seq_space(self) -> SeqSpace {
        if self.0 & 0x0F00 == 0x0C00 {
            SeqSpace::Mcu
        } else {
            SeqSpace::Lmac
        }
    }

    /// True for the exception indication 0x0800 with interface bits 0, which is exempt from
    /// the sequence check (spec §3.2, errata "also found").
    pub const fn is_exception(self) -> bool {
        self.0 & 0x0FFF == misc::EXCEPTION_IND
    }
}

/// TX and expected-RX sequence numbers of both spaces (spec §3.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct SeqState {
    tx: [u8; 2],
    rx: [u8; 2],
}

impl SeqState {
    /// Both spaces at 0 (start-up and stop, spec §3.1 item 6).
    pub const fn new() -> Self {
        SeqState {
            tx: [0; 2],
            rx: [0; 2],
        }
    }

    /// Back to 0 in both spaces.
    pub fn reset(&mut self) {
        *self = Self::new();
    }

    /// Returns `id` with the next TX seq of its space and advances that space (mod 8).
    pub fn stamp(&mut self, id: Id) -> Id {
        let s = &mut self.tx[id.seq_space() as usize];
        let out = id.with_seq(*s);
        *s = (*s + 1) & 7;
        out
    }

    /// Stamps the seq into the ID of an emitted message in place (the BH does this at send
    /// time). Returns the stamped ID.
    ///
    /// # Errors
    ///
    /// `Truncated` if `msg` is shorter than a header.
    pub fn stamp_msg(&mut self, msg: &mut [u8]) -> Result<Id> {
        let idb = msg.get_mut(field::ID).ok_or(Error::Truncated)?;
        let id = self.stamp(Id(le16(idb)));
        set_le16(idb, id.0);
        Ok(id)
    }

    /// Checks a received ID against the expected seq of its space and advances it.
    ///
    /// The exception indication is exempt and does not advance anything.
    ///
    /// # Errors
    ///
    /// `Sequence` on a mismatch (the C driver force-closes); the expectation is kept.
    pub fn check_rx(&mut self, id: Id) -> Result<()> {
        if id.is_exception() {
            return Ok(());
        }
        let s = &mut self.rx[id.seq_space() as usize];
        if id.seq() != *s {
            return Err(Error::Sequence);
        }
        *s = (*s + 1) & 7;
        Ok(())
    }

    /// The seq the next message sent in `space` will carry.
    pub fn next_tx(&self, space: SeqSpace) -> u8 {
        self.tx[space as usize]
    }

    /// The seq expected on the next message received in `space`.
    pub fn next_rx(&self, space: SeqSpace) -> u8 {
        self.rx[space as usize]
    }
}

/// A view of one WSM message (header plus body) inside an RX burst or a TX slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Msg<T: AsRef<[u8]>> {
    buf: T,
}

impl<T: AsRef<[u8]>> Msg<T> {
    /// Wraps `buf` without checks; getters may panic until `check_len` succeeds.
    pub const fn new_unchecked(buf: T) -> Self {
        Msg { buf }
    }

    /// Wraps `buf` and checks it.
    pub fn new_checked(buf: T) -> Result<Self> {
        let m = Self::new_unchecked(buf);
        m.check_len()?;
        Ok(m)
    }

    /// Checks that no getter can panic: the header fits and `4 <= len <= buf.len()`.
    /// `set_msg_len` voids the result.
    pub fn check_len(&self) -> Result<()> {
        let have = self.buf.as_ref().len();
        if have < HEADER_LEN {
            return Err(Error::Truncated);
        }
        match usize::from(self.msg_len()) {
            n if n < HEADER_LEN || n > have => Err(Error::BadLength),
            _ => Ok(()),
        }
    }

    /// The length field. The message may be shorter than the buffer.
    pub fn msg_len(&self) -> u16 {
        le16(&self.buf.as_ref()[field::LEN])
    }

    /// The ID word.
    pub fn id(&self) -> Id {
        Id(le16(&self.buf.as_ref()[field::ID]))
    }

    /// The body: bytes 4..len.
    pub fn body(&self) -> &[u8] {
        &self.buf.as_ref()[HEADER_LEN..usize::from(self.msg_len())]
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Msg<T> {
    /// Sets the length field (voids `check_len`).
    pub fn set_msg_len(&mut self, len: u16) {
        set_le16(&mut self.buf.as_mut()[field::LEN], len)
    }

    /// Sets the ID word.
    pub fn set_id(&mut self, id: Id) {
        set_le16(&mut self.buf.as_mut()[field::ID], id.0)
    }
}

/// A WSM message body with a fixed message ID: a plain `Repr` (STYLE §1.3).
pub trait Message<'a>: Sized {
    /// The message ID (number and class bits, no if_id, no seq).
    const ID: u16;

    /// Parses a body (the bytes after the header). Extra trailing bytes are ignored unless
    /// the message says otherwise.
    ///
    /// # Errors
    ///
    /// `Truncated`, `BadLength`, `BadCount`, `BadValue` or `Reserved` per message.
    fn parse(body: &'a [u8]) -> Result<Self>;

    /// Body length in bytes that [`Message::emit`] writes.
    fn buffer_len(&self) -> usize;

    /// Writes the body into `body`, which is exactly `buffer_len()` bytes long.
    ///
    /// Panics if `body` is shorter; use [`emit`] to get a checked error instead.
    fn emit(&self, body: &mut [u8]);
}

/// Writes a complete message (header with `if_id` and seq 0, then the body) into `buf`.
/// Returns the message length. The BH stamps the seq later ([`SeqState::stamp_msg`]).
///
/// # Errors
///
/// `BufferTooSmall` if `buf` cannot hold it, `BadLength` above 65535 bytes.
pub fn emit<'a, M: Message<'a>>(m: &M, if_id: u8, buf: &mut [u8]) -> Result<usize> {
    let len = HEADER_LEN + m.buffer_len();
    let len16 = u16::try_from(len).map_err(|_| Error::BadLength)?;
    let out = buf.get_mut(..len).ok_or(Error::BufferTooSmall)?;
    let (hdr, body) = out.split_at_mut(HEADER_LEN);
    set_le16(&mut hdr[field::LEN], len16);
    set_le16(&mut hdr[field::ID], Id(M::ID).with_if_id(if_id).0);
    m.emit(body);
    Ok(len)
}

/// Splits a received message into its ID and body after checking the length field.
///
/// # Errors
///
/// `Truncated` / `BadLength` as [`Msg::check_len`].
pub fn split(msg: &[u8]) -> Result<(Id, &[u8])> {
    let m = Msg::new_checked(msg)?;
    let id = m.id();
    let len = usize::from(m.msg_len());
    Ok((id, msg.get(HEADER_LEN..len).ok_or(Error::BadLength)?))
}

/// Helpers shared by the message tests.
#[cfg(test)]
pub(crate) mod testutil {
    use super::Message;
    use core::fmt::Debug;

    /// Checks one golden vector: `parse`, `buffer_len`, `emit` into a 0xa5-filled buffer, and
    /// that every prefix shorter than `min_len` fails to parse.
    pub fn check_golden<'a, M: Message<'a> + PartialEq + Debug>(
        repr: &M,
        golden: &'a [u8],
        min_len: usize,
    ) {
        assert_eq!(M::parse(golden).as_ref(), Ok(repr), "parse");
        assert_eq!(repr.buffer_len(), golden.len(), "buffer_len");
        let mut buf = vec![0xa5u8; golden.len()];
        repr.emit(&mut buf);
        assert_eq!(&buf[..], golden, "emit");
        for n in 0..min_len {
            assert!(
                M::parse(&golden[..n]).is_err(),
                "prefix of {n} bytes parsed"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_word_bits() {
        // 0x0804 | if_id 2 << 6 | seq 5 << 13 = 0xA884
        let id = Id(0xA884);
        assert_eq!(id.msg_id(), 0x0804);
        assert_eq!(id.number(), 4);
        assert_eq!(id.if_id(), 2);
        assert_eq!(id.seq(), 5);
        assert_eq!(id.class(), Class::Indication);
        assert_eq!(id.seq_space(), SeqSpace::Lmac);
        assert_eq!(Id(0x0004).with_if_id(1).with_seq(7), Id(0xE044));
        assert_eq!(Id(0x0C27).class(), Class::Vendor);
        assert_eq!(Id(0x0C27).seq_space(), SeqSpace::Mcu);
        assert!(Id(0x0C27).is_vendor_class());
        assert_eq!(Id(0x0409).class(), Class::Confirm);
        assert_eq!(Id(0x0009).class(), Class::Request);
        assert!(Id(0x6800).is_exception());
        assert!(!Id(0x0840).is_exception());
    }

    #[test]
    fn two_sequence_spaces() {
        let mut s = SeqState::new();
        assert_eq!(s.stamp(Id(0x0009)).seq(), 0);
        assert_eq!(s.stamp(Id(0x0009)).seq(), 1);
        assert_eq!(s.stamp(Id(0x0C27)).seq(), 0);
        for _ in 0..6 {
            s.stamp(Id(0x0004));
        }
        assert_eq!(s.next_tx(SeqSpace::Lmac), 0);
        assert_eq!(s.next_tx(SeqSpace::Mcu), 1);
        assert_eq!(s.check_rx(Id(0x0409).with_seq(0)), Ok(()));
        assert_eq!(s.check_rx(Id(0x0409).with_seq(0)), Err(Error::Sequence));
        assert_eq!(s.check_rx(Id(0x0C27).with_seq(0)), Ok(()));
        // The exception is exempt and does not advance.
        assert_eq!(s.check_rx(Id(0x0800).with_seq(6)), Ok(()));
        assert_eq!(s.next_rx(SeqSpace::Lmac), 1);
        let mut m = [8u8, 0, 0x04, 0x00, 0, 0, 0, 0];
        assert_eq!(s.stamp_msg(&mut m), Ok(Id(0x0004).with_seq(0)));
        assert_eq!(s.stamp_msg(&mut m), Ok(Id(0x2004)));
        assert_eq!(&m[2..4], &[0x04, 0x20]);
        s.reset();
        assert_eq!(s, SeqState::new());
    }

    #[test]
    fn msg_view_checks_length() {
        let b = [6u8, 0, 0x01, 0x08, 0xAA, 0xBB, 0xCC];
        let m = Msg::new_checked(&b[..]).unwrap();
        assert_eq!(m.body(), &[0xAA, 0xBB]);
        assert_eq!(m.id(), Id(0x0801));
        assert_eq!(Msg::new_checked(&b[..3]).err(), Some(Error::Truncated));
        assert_eq!(
            Msg::new_checked(&[3u8, 0, 0, 0][..]).err(),
            Some(Error::BadLength)
        );
        assert_eq!(
            Msg::new_checked(&[9u8, 0, 0, 0][..]).err(),
            Some(Error::BadLength)
        );
        let mut out = [0xa5u8; 4];
        let mut m = Msg::new_unchecked(&mut out[..]);
        m.set_msg_len(4);
        m.set_id(Id(0x0008));
        assert_eq!(out, [4, 0, 8, 0]);
        assert_eq!(split(&b), Ok((Id(0x0801), &b[4..6])));
    }
}
