// SPDX-License-Identifier: GPL-2.0-only
//! The air record: how 802.11 frames cross between the simulated chip's radio and a medium
//! outside it (issue 16).
//!
//! The virtual SDIO card offers the chip's air as a debugfs file
//! (`/sys/kernel/debug/bes2600_vsdio/air`, loaded with `air=1`); `hwsim-medium bridge` carries
//! the records to and from `mac80211_hwsim` radios. Both directions use the same record:
//!
//! | Offset | Size | Field | Meaning |
//! |---|---|---|---|
//! | 0 | 2 | `len` | u16 LE, frame bytes that follow (no FCS) |
//! | 2 | 2 | `freq_mhz` | u16 LE, channel centre frequency |
//! | 4 | 1 | `signal_dbm` | i8, received (or transmitted) signal |
//! | 5 | 1 | `flags` | bit 0 ack requested, bit 1 acked; others zero on the endpoint |
//! | 6 | 2 | reserved | zero |
//! | 8 | `len` | frame | the 802.11 frame from its frame-control field |
//!
//! `read()` on the endpoint returns one or more whole records the chip transmitted; `write()`
//! takes one or more whole records the chip receives. [`Records`] walks such a buffer. This is
//! the only definition of the format: the card and the medium tool both use this module.
use bes2600_wire::field::{le16, set_le16};
use bes2600_wire::{Error, Result};

mod field {
    use bes2600_wire::field::Field;
    pub const LEN: Field = 0..2;
    pub const FREQ: Field = 2..4;
    pub const SIGNAL: usize = 4;
    pub const FLAGS: usize = 5;
    pub const RESERVED: Field = 6..8;
}

/// Bytes of the record header before the frame.
pub const HEADER_LEN: usize = field::RESERVED.end;

/// The longest frame a record may carry: an 802.11 MPDU holding the largest A-MSDU
/// (3839 bytes) with header, security and mesh overhead fits, and the u16 `len` could say
/// more only by mistake. Both sides reject longer records, so a desynchronised stream is seen
/// at once rather than read as a 64 KiB frame.
pub const MAX_FRAME_LEN: usize = 4096;

/// The shortest frame a record may carry: an ACK/CTS control frame (frame control,
/// duration, one address) without FCS.
pub const MIN_FRAME_LEN: usize = 10;

/// The longest record, header included.
pub const MAX_RECORD_LEN: usize = HEADER_LEN + MAX_FRAME_LEN;

/// `flags` bit 0: the transmitter wants an ACK (unicast data or management frame).
pub const FLAG_ACK_REQUESTED: u8 = 1 << 0;
/// `flags` bit 1: the frame was acknowledged by its receiver (TX status towards the sender).
pub const FLAG_ACKED: u8 = 1 << 1;
/// `flags` bit 2, inside the chip only: the firmware decrypted this frame (a record of the
/// radio's RX FIFO, rendered as encryption type AES). Never valid on the endpoint: the chip
/// refuses a written record that carries it.
pub const FLAG_DECRYPTED: u8 = 1 << 2;
const FLAGS_KNOWN: u8 = FLAG_ACK_REQUESTED | FLAG_ACKED | FLAG_DECRYPTED;

/// A view of one air record at the start of a buffer (the buffer may hold more after it).
#[derive(Debug, Clone)]
pub struct Record<T: AsRef<[u8]>> {
    buf: T,
}

impl<T: AsRef<[u8]>> Record<T> {
    /// Wraps `buf` without checks; getters may panic until [`Record::check_len`] passed.
    pub fn new_unchecked(buf: T) -> Self {
        Record { buf }
    }

    /// Wraps `buf` after [`Record::check_len`]: no getter can panic afterwards.
    pub fn new_checked(buf: T) -> Result<Self> {
        let r = Record::new_unchecked(buf);
        r.check_len()?;
        Ok(r)
    }

    /// Checks the header is present, `len` is within [`MIN_FRAME_LEN`]..=[`MAX_FRAME_LEN`]
    /// and the whole frame is in the buffer. `set_frame_len` voids the result.
    pub fn check_len(&self) -> Result<()> {
        let have = self.buf.as_ref().len();
        if have < HEADER_LEN {
            return Err(Error::Truncated);
        }
        let len = usize::from(self.frame_len());
        if !(MIN_FRAME_LEN..=MAX_FRAME_LEN).contains(&len) {
            return Err(Error::BadLength);
        }
        if have < HEADER_LEN + len {
            return Err(Error::Truncated);
        }
        Ok(())
    }

    /// The `len` field: frame bytes after the header.
    pub fn frame_len(&self) -> u16 {
        le16(&self.buf.as_ref()[field::LEN])
    }

    /// The channel centre frequency in MHz.
    pub fn freq_mhz(&self) -> u16 {
        le16(&self.buf.as_ref()[field::FREQ])
    }

    /// The signal in dBm.
    pub fn signal_dbm(&self) -> i8 {
        i8::from_le_bytes([self.buf.as_ref()[field::SIGNAL]])
    }

    /// The flag byte ([`FLAG_ACK_REQUESTED`], [`FLAG_ACKED`]).
    pub fn flags(&self) -> u8 {
        self.buf.as_ref()[field::FLAGS]
    }

    /// The reserved field (zero in a valid record).
    pub fn reserved(&self) -> u16 {
        le16(&self.buf.as_ref()[field::RESERVED])
    }

    /// Header plus frame: how far the next record starts.
    pub fn total_len(&self) -> usize {
        HEADER_LEN + usize::from(self.frame_len())
    }

    /// The 802.11 frame.
    pub fn frame(&self) -> &[u8] {
        let end = self.total_len();
        &self.buf.as_ref()[HEADER_LEN..end]
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Record<T> {
    /// Sets `len`; voids [`Record::check_len`].
    pub fn set_frame_len(&mut self, v: u16) {
        set_le16(&mut self.buf.as_mut()[field::LEN], v);
    }

    /// Sets the frequency.
    pub fn set_freq_mhz(&mut self, v: u16) {
        set_le16(&mut self.buf.as_mut()[field::FREQ], v);
    }

    /// Sets the signal.
    pub fn set_signal_dbm(&mut self, v: i8) {
        self.buf.as_mut()[field::SIGNAL] = v.to_le_bytes()[0];
    }

    /// Sets the flag byte.
    pub fn set_flags(&mut self, v: u8) {
        self.buf.as_mut()[field::FLAGS] = v;
    }

    /// Zeroes the reserved field.
    pub fn clear_reserved(&mut self) {
        set_le16(&mut self.buf.as_mut()[field::RESERVED], 0);
    }

    /// The frame bytes, for filling in place.
    pub fn frame_mut(&mut self) -> &mut [u8] {
        let end = self.total_len();
        &mut self.buf.as_mut()[HEADER_LEN..end]
    }
}

/// A parsed record header; the frame stays in the buffer ([`Record::frame`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordRepr {
    /// Frame bytes after the header.
    pub frame_len: u16,
    /// Channel centre frequency in MHz.
    pub freq_mhz: u16,
    /// Signal in dBm.
    pub signal_dbm: i8,
    /// [`FLAG_ACK_REQUESTED`] | [`FLAG_ACKED`].
    pub flags: u8,
}

impl RecordRepr {
    /// Parses a checked record: rejects unknown flag bits and a non-zero reserved field.
    pub fn parse<T: AsRef<[u8]>>(r: &Record<T>) -> Result<Self> {
        r.check_len()?;
        if r.flags() & !FLAGS_KNOWN != 0 || r.reserved() != 0 {
            return Err(Error::Reserved);
        }
        Ok(RecordRepr {
            frame_len: r.frame_len(),
            freq_mhz: r.freq_mhz(),
            signal_dbm: r.signal_dbm(),
            flags: r.flags(),
        })
    }

    /// Bytes of the whole record.
    pub fn buffer_len(&self) -> usize {
        HEADER_LEN + usize::from(self.frame_len)
    }

    /// Writes the header into a buffer of at least `buffer_len()` bytes (the frame is
    /// the caller's, via [`Record::frame_mut`]).
    pub fn emit<T: AsRef<[u8]> + AsMut<[u8]>>(&self, r: &mut Record<T>) {
        r.set_frame_len(self.frame_len);
        r.set_freq_mhz(self.freq_mhz);
        r.set_signal_dbm(self.signal_dbm);
        r.set_flags(self.flags);
        r.clear_reserved();
    }
}

/// Writes one record (header and `frame`) at the start of `out`; returns its length.
///
/// Errors: `BadLength` for a frame outside [`MIN_FRAME_LEN`]..=[`MAX_FRAME_LEN`],
/// `BufferTooSmall` when `out` cannot hold it, `Reserved` for unknown flag bits.
pub fn emit_record(
    out: &mut [u8],
    freq_mhz: u16,
    signal_dbm: i8,
    flags: u8,
    frame: &[u8],
) -> Result<usize> {
    if !(MIN_FRAME_LEN..=MAX_FRAME_LEN).contains(&frame.len()) {
        return Err(Error::BadLength);
    }
    if flags & !FLAGS_KNOWN != 0 {
        return Err(Error::Reserved);
    }
    let total = HEADER_LEN + frame.len();
    let Some(dst) = out.get_mut(..total) else {
        return Err(Error::BufferTooSmall);
    };
    let repr = RecordRepr {
        // In range: MAX_FRAME_LEN < u16::MAX, checked above.
        frame_len: frame.len() as u16,
        freq_mhz,
        signal_dbm,
        flags,
    };
    let mut r = Record::new_unchecked(dst);
    repr.emit(&mut r);
    r.frame_mut().copy_from_slice(frame);
    Ok(total)
}

/// Walks a buffer of back-to-back records (one `read()` or `write()` of the endpoint).
///
/// Yields each record's header and frame; a malformed or cut record yields its error once and
/// ends the walk, since the following bytes cannot be framed any more.
#[derive(Debug, Clone)]
pub struct Records<'a> {
    buf: &'a [u8],
    failed: bool,
}

impl<'a> Records<'a> {
    /// Starts at the beginning of `buf`.
    pub fn new(buf: &'a [u8]) -> Self {
        Records { buf, failed: false }
    }

    /// Bytes not yet consumed (after an error: from the bad record on).
    pub fn rest(&self) -> &'a [u8] {
        self.buf
    }
}

impl<'a> Iterator for Records<'a> {
    type Item = Result<(RecordRepr, &'a [u8])>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed || self.buf.is_empty() {
            return None;
        }
        let r = Record::new_unchecked(self.buf);
        match RecordRepr::parse(&r) {
            Ok(repr) => {
                let (rec, rest) = self.buf.split_at(repr.buffer_len());
                self.buf = rest;
                Some(Ok((repr, &rec[HEADER_LEN..])))
            }
            Err(e) => {
                self.failed = true;
                Some(Err(e))
            }
        }
    }
}

/// The 2.4 GHz channel of a centre frequency (1-13 at 2412 + 5n, 14 at 2484).
pub fn channel_of_freq(freq_mhz: u16) -> Option<u8> {
    // A search rather than arithmetic: one table of channels (freq_of_channel), both ways.
    (1..=14).find(|&ch| freq_of_channel(ch) == Some(freq_mhz))
}

/// The centre frequency of a 2.4 GHz channel (1-14).
pub fn freq_of_channel(channel: u8) -> Option<u16> {
    match channel {
        1..=13 => Some(2407 + 5 * u16::from(channel)),
        14 => Some(2484),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // A probe request header (24 bytes) with a 2-byte SSID element, on channel 6.
    static FRAME: [u8; 26] = [
        0x40, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0x00, 0x00, 0x00, 0x00,
        0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x10, 0x00, 0x00, 0x00,
    ];
    static HEADER: [u8; 8] = [26, 0, 0x85, 0x09, 0xd8, 0x01, 0, 0];

    fn record() -> Vec<u8> {
        let mut v = HEADER.to_vec();
        v.extend_from_slice(&FRAME);
        v
    }

    #[test]
    fn deconstruct() {
        let b = record();
        let r = Record::new_checked(&b[..]).unwrap();
        assert_eq!(r.frame_len(), 26);
        assert_eq!(r.freq_mhz(), 2437);
        assert_eq!(r.signal_dbm(), -40);
        assert_eq!(r.flags(), FLAG_ACK_REQUESTED);
        assert_eq!(r.frame(), &FRAME[..]);
        assert_eq!(r.total_len(), 34);
    }

    #[test]
    fn construct_and_emit() {
        let mut b = vec![0xa5u8; 34];
        let n = emit_record(&mut b, 2437, -40, FLAG_ACK_REQUESTED, &FRAME).unwrap();
        assert_eq!(n, 34);
        assert_eq!(b, record());
    }

    #[test]
    fn parse() {
        let b = record();
        let repr = RecordRepr::parse(&Record::new_unchecked(&b[..])).unwrap();
        assert_eq!(
            repr,
            RecordRepr {
                frame_len: 26,
                freq_mhz: 2437,
                signal_dbm: -40,
                flags: 1
            }
        );
        assert_eq!(repr.buffer_len(), 34);
    }

    #[test]
    fn truncation_and_bad_fields() {
        let b = record();
        for cut in 0..b.len() {
            assert_eq!(
                Record::new_checked(&b[..cut]).err(),
                Some(Error::Truncated),
                "{cut}"
            );
        }
        let mut long = b.clone();
        set_le16(&mut long[0..2], (MAX_FRAME_LEN + 1) as u16);
        assert_eq!(Record::new_checked(&long[..]).err(), Some(Error::BadLength));
        let mut short = b.clone();
        set_le16(&mut short[0..2], (MIN_FRAME_LEN - 1) as u16);
        assert_eq!(
            Record::new_checked(&short[..]).err(),
            Some(Error::BadLength)
        );
        let mut res = b.clone();
        res[7] = 1;
        assert_eq!(
            RecordRepr::parse(&Record::new_unchecked(&res[..])),
            Err(Error::Reserved)
        );
        let mut fl = b;
        fl[5] = 0x08;
        assert_eq!(
            RecordRepr::parse(&Record::new_unchecked(&fl[..])),
            Err(Error::Reserved)
        );
        let mut small = [0u8; 33];
        assert_eq!(
            emit_record(&mut small, 2437, 0, 0, &FRAME),
            Err(Error::BufferTooSmall)
        );
        assert_eq!(
            emit_record(&mut small, 2437, 0, 0, &FRAME[..9]),
            Err(Error::BadLength)
        );
    }

    #[test]
    fn records_walk_stops_at_a_cut_record() {
        let mut b = record();
        b.extend_from_slice(&record());
        b.extend_from_slice(&record()[..20]);
        let mut it = Records::new(&b);
        assert_eq!(it.next().unwrap().unwrap().1, &FRAME[..]);
        assert_eq!(it.next().unwrap().unwrap().1, &FRAME[..]);
        assert_eq!(it.next().unwrap().unwrap_err(), Error::Truncated);
        assert_eq!(it.rest().len(), 20);
        assert!(it.next().is_none());
    }

    #[test]
    fn channels() {
        assert_eq!(channel_of_freq(2412), Some(1));
        assert_eq!(channel_of_freq(2472), Some(13));
        assert_eq!(channel_of_freq(2484), Some(14));
        assert_eq!(channel_of_freq(2413), None);
        assert_eq!(channel_of_freq(5180), None);
        for ch in 1..=14 {
            assert_eq!(channel_of_freq(freq_of_channel(ch).unwrap()), Some(ch));
        }
    }

    mod prop {
        use super::super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn emit_then_walk_roundtrips(
                frames in proptest::collection::vec(
                    (any::<u16>(), any::<i8>(), 0u8..8,
                     proptest::collection::vec(any::<u8>(), MIN_FRAME_LEN..300)),
                    0..8)
            ) {
                let mut buf = Vec::new();
                for (freq, sig, flags, f) in &frames {
                    let mut one = vec![0xa5u8; HEADER_LEN + f.len()];
                    let n = emit_record(&mut one, *freq, *sig, *flags, f).unwrap();
                    prop_assert_eq!(n, one.len());
                    buf.extend_from_slice(&one);
                }
                let got: Vec<_> = Records::new(&buf).collect::<Result<Vec<_>>>().unwrap();
                prop_assert_eq!(got.len(), frames.len());
                for ((repr, f), (freq, sig, flags, want)) in got.iter().zip(&frames) {
                    prop_assert_eq!(repr.freq_mhz, *freq);
                    prop_assert_eq!(repr.signal_dbm, *sig);
                    prop_assert_eq!(repr.flags, *flags);
                    prop_assert_eq!(*f, &want[..]);
                }
            }

            #[test]
            fn arbitrary_bytes_never_panic(b in proptest::collection::vec(any::<u8>(), 0..64)) {
                let mut consumed = 0;
                let mut it = Records::new(&b);
                for r in it.by_ref() {
                    match r {
                        Ok((repr, _)) => consumed += repr.buffer_len(),
                        Err(_) => break,
                    }
                }
                prop_assert_eq!(consumed + it.rest().len(), b.len());
            }
        }
    }
}
