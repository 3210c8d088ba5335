// SPDX-License-Identifier: GPL-2.0-only
//! Boot-ROM download messages 0xB0-0xB4 and the reply check (spec §2.3, §2.4).
//!
//! Frame: `u8 type, u8 seq, u16 payload_len` (LE), then the payload. Host→device frames go
//! out as one CMD53 of at least 512 bytes, zero padded; the device answers each with a
//! 0xB0 REPLY that echoes the sequence byte.

use crate::field::{le16, le32, set_le32};
use crate::sdio::round_up_blocks;
use crate::{Error, Result};

/// Length of the frame header.
pub const HEADER_LEN: usize = 4;
/// Length of a REPLY frame (header + u32 status).
pub const REPLY_LEN: usize = HEADER_LEN + 4;
/// Length of an INFO frame; the boot ROM's maximum frame length must exceed it (spec §2.4,
/// errata 5).
pub const INFO_FRAME_LEN: usize = HEADER_LEN + 8;
/// Bytes of a DATA frame that are not data: header + address (spec §2.4).
pub const DATA_OVERHEAD: usize = HEADER_LEN + 4;
/// Minimum size of one host→device write (spec §2.3).
pub const MIN_WRITE_LEN: usize = 512;

enum_with_unknown! {
    /// Boot-ROM frame type (spec §2.3).
    pub enum MsgType(u8) {
        /// Device→host reply: `u32 status`.
        Reply = 0xB0,
        /// Starts a session: `u32 total_len, u32 dest_addr`.
        Info = 0xB1,
        /// `u32 dest_addr` + raw bytes.
        Data = 0xB2,
        /// Closes the session: `u32 crc32`.
        End = 0xB3,
        /// Jumps to the image: `u32 exec_addr`.
        Run = 0xB4,
    }
}

view! {
    /// View of a boot-ROM frame header; the payload follows.
    pub struct FrameView;
    min_len = HEADER_LEN;
    /// Frame type.
    msg_type / set_msg_type: u8 = 0;
    /// Sequence byte.
    seq / set_seq: u8 = 1;
    /// Payload length.
    payload_len / set_payload_len: u16 = 2;
}

/// A boot-ROM frame (spec §2.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Frame<'a> {
    /// 0xB0 REPLY.
    Reply {
        /// Echoed sequence byte.
        seq: u8,
        /// Status, 0 = OK.
        status: u32,
    },
    /// 0xB1 INFO.
    Info {
        /// Sequence byte.
        seq: u8,
        /// Total bytes that will follow.
        total_len: u32,
        /// Destination address.
        dest_addr: u32,
    },
    /// 0xB2 DATA.
    Data {
        /// Sequence byte.
        seq: u8,
        /// Address of the first byte.
        addr: u32,
        /// The bytes.
        data: &'a [u8],
    },
    /// 0xB3 END.
    End {
        /// Sequence byte.
        seq: u8,
        /// CRC-32 of everything sent in the session.
        crc32: u32,
    },
    /// 0xB4 RUN.
    Run {
        /// Sequence byte.
        seq: u8,
        /// Address to jump to.
        exec_addr: u32,
    },
}

impl<'a> Frame<'a> {
    /// The frame type.
    pub const fn msg_type(&self) -> MsgType {
        match self {
            Frame::Reply { .. } => MsgType::Reply,
            Frame::Info { .. } => MsgType::Info,
            Frame::Data { .. } => MsgType::Data,
            Frame::End { .. } => MsgType::End,
            Frame::Run { .. } => MsgType::Run,
        }
    }

    /// The sequence byte.
    pub const fn seq(&self) -> u8 {
        match *self {
            Frame::Reply { seq, .. }
            | Frame::Info { seq, .. }
            | Frame::Data { seq, .. }
            | Frame::End { seq, .. }
            | Frame::Run { seq, .. } => seq,
        }
    }

    /// Parses a frame; bytes after `payload_len` (write padding) are ignored.
    ///
    /// # Errors
    ///
    /// `Truncated` if the payload runs past `b`, `BadLength` for a payload length wrong
    /// for its type, `BadValue` for an unknown type.
    pub fn parse(b: &'a [u8]) -> Result<Self> {
        let v = FrameView::new_checked(b)?;
        let len = usize::from(v.payload_len());
        let p = b
            .get(HEADER_LEN..HEADER_LEN + len)
            .ok_or(Error::Truncated)?;
        let seq = v.seq();
        let fixed = |n: usize| {
            if len == n {
                Ok(())
            } else {
                Err(Error::BadLength)
            }
        };
        Ok(match MsgType::from(v.msg_type()) {
            MsgType::Reply => {
                fixed(4)?;
                Frame::Reply {
                    seq,
                    status: le32(p),
                }
            }
            MsgType::Info => {
                fixed(8)?;
                Frame::Info {
                    seq,
                    total_len: le32(p),
                    dest_addr: le32(&p[4..]),
                }
            }
            MsgType::Data => {
                if len < 4 {
                    return Err(Error::BadLength);
                }
                Frame::Data {
                    seq,
                    addr: le32(p),
                    data: &p[4..],
                }
            }
            MsgType::End => {
                fixed(4)?;
                Frame::End {
                    seq,
                    crc32: le32(p),
                }
            }
            MsgType::Run => {
                fixed(4)?;
                Frame::Run {
                    seq,
                    exec_addr: le32(p),
                }
            }
            MsgType::Unknown(_) => return Err(Error::BadValue),
        })
    }

    /// Frame length (header + payload) without write padding.
    pub fn buffer_len(&self) -> usize {
        HEADER_LEN
            + match self {
                Frame::Info { .. } => 8,
                Frame::Data { data, .. } => 4 + data.len(),
                _ => 4,
            }
    }

    /// Writes the frame into exactly `buffer_len()` bytes.
    ///
    /// Panics if `b` is shorter; [`Frame::emit_padded`] returns an error instead.
    pub fn emit(&self, b: &mut [u8]) {
        let mut v = FrameView::new_unchecked(&mut b[..]);
        v.set_msg_type(self.msg_type().into());
        v.set_seq(self.seq());
        // CAST: `emit_padded` refuses frames above 65535 bytes of payload.
        v.set_payload_len((self.buffer_len() - HEADER_LEN) as u16);
        let p = v.tail_mut();
        match *self {
            Frame::Reply { status: w, .. }
            | Frame::End { crc32: w, .. }
            | Frame::Run { exec_addr: w, .. } => set_le32(p, w),
            Frame::Info {
                total_len,
                dest_addr,
                ..
            } => {
                set_le32(p, total_len);
                set_le32(&mut p[4..], dest_addr);
            }
            Frame::Data { addr, data, .. } => {
                set_le32(p, addr);
                p[4..4 + data.len()].copy_from_slice(data);
            }
        }
    }

    /// Writes the frame for the bus: zero padded to at least 512 bytes, and to whole
    /// 512-byte blocks above that (block mode, spec §2.3). Returns the bytes to write.
    ///
    /// # Errors
    ///
    /// `BadLength` for a payload above 65535 bytes, `BufferTooSmall` if `buf` is short.
    pub fn emit_padded(&self, buf: &mut [u8]) -> Result<usize> {
        let len = self.buffer_len();
        if len - HEADER_LEN > usize::from(u16::MAX) {
            return Err(Error::BadLength);
        }
        let total = round_up_blocks(len.max(MIN_WRITE_LEN));
        let out = buf.get_mut(..total).ok_or(Error::BufferTooSmall)?;
        self.emit(out);
        out[len..].fill(0);
        Ok(total)
    }
}

/// Why a boot-ROM reply was refused, in the order the C driver checks (spec §2.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReplyError {
    /// Type is not 0xB0 (C: -203).
    BadType,
    /// Sequence byte does not echo the request (C: -202).
    BadSeq,
    /// Payload length is not 4, or the reply is too short (C: -201).
    BadLength,
    /// Non-zero status (C: -200).
    Status(u32),
}

impl ReplyError {
    /// The C driver's error number for this failure.
    pub const fn errno(self) -> i32 {
        match self {
            ReplyError::BadType => -203,
            ReplyError::BadSeq => -202,
            ReplyError::BadLength => -201,
            ReplyError::Status(_) => -200,
        }
    }
}

/// Checks a reply against the sequence byte of the request: type, then seq, then length,
/// then status (spec §2.3 `bes_frame_rsp_check`). Bytes after the reply are ignored.
///
/// # Errors
///
/// The first failing check as a [`ReplyError`].
pub fn check_reply(b: &[u8], expected_seq: u8) -> core::result::Result<(), ReplyError> {
    if b.first() != Some(&u8::from(MsgType::Reply)) {
        return Err(ReplyError::BadType);
    }
    if b.get(1) != Some(&expected_seq) {
        return Err(ReplyError::BadSeq);
    }
    match b.get(2..4).map(le16) {
        Some(4) => {}
        _ => return Err(ReplyError::BadLength),
    }
    let status = b.get(4..8).map(le32).ok_or(ReplyError::BadLength)?;
    if status != 0 {
        return Err(ReplyError::Status(status));
    }
    Ok(())
}

/// The sequence byte of one download session: starts at 0, +1 per message, wraps at 256.
/// A retry continues the count (spec errata 5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Seq(pub u8);

impl Seq {
    /// Returns the current value and advances.
    pub fn next_seq(&mut self) -> u8 {
        let s = self.0;
        self.0 = self.0.wrapping_add(1);
        s
    }
}

/// Data bytes in the next DATA frame for the boot ROM's maximum frame length `l` (reg
/// 0x109): `min(remaining, l − 8)` (spec §2.4).
///
/// # Errors
///
/// `BadValue` unless `l` is a multiple of 4 and leaves room for data (`l > 8`); the C
/// driver only checks `l ≥ 4`, which would loop forever at 4 or 8.
pub fn data_chunk_len(l: u16, remaining: usize) -> Result<usize> {
    let l = usize::from(l);
    if l % 4 != 0 || l <= DATA_OVERHEAD {
        return Err(Error::BadValue);
    }
    Ok(remaining.min(l - DATA_OVERHEAD))
}

/// Checks the maximum frame length at INFO time: it must exceed the 12-byte INFO frame (C
/// returns success without downloading otherwise; spec errata 5 says treat it as an error).
///
/// # Errors
///
/// `BadValue` if `l ≤ 12`.
pub fn check_info_room(l: u16) -> Result<()> {
    if usize::from(l) > INFO_FRAME_LEN {
        Ok(())
    } else {
        Err(Error::BadValue)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(f: Frame<'_>, golden: &[u8]) {
        assert_eq!(Frame::parse(golden), Ok(f));
        assert_eq!(f.buffer_len(), golden.len());
        let mut b = vec![0xa5u8; golden.len()];
        f.emit(&mut b);
        assert_eq!(b, golden);
        for n in 0..golden.len() {
            assert!(Frame::parse(&golden[..n]).is_err(), "prefix {n}");
        }
    }

    #[test]
    fn golden_frames() {
        round_trip(
            Frame::Reply { seq: 3, status: 0 },
            &[0xB0, 3, 4, 0, 0, 0, 0, 0],
        );
        round_trip(
            Frame::Info {
                seq: 0,
                total_len: 0x0002_84A0,
                dest_addr: 0x2000_0168,
            },
            &[
                0xB1, 0, 8, 0, 0xA0, 0x84, 0x02, 0x00, 0x68, 0x01, 0x00, 0x20,
            ],
        );
        round_trip(
            Frame::Data {
                seq: 1,
                addr: 0x2000_0168,
                data: &[1, 2, 3],
            },
            &[0xB2, 1, 7, 0, 0x68, 0x01, 0x00, 0x20, 1, 2, 3],
        );
        round_trip(
            Frame::End {
                seq: 2,
                crc32: 0x4973_D932,
            },
            &[0xB3, 2, 4, 0, 0x32, 0xD9, 0x73, 0x49],
        );
        round_trip(
            Frame::Run {
                seq: 3,
                exec_addr: 0x2000_0168,
            },
            &[0xB4, 3, 4, 0, 0x68, 0x01, 0x00, 0x20],
        );
    }

    #[test]
    fn bad_frames() {
        assert_eq!(Frame::parse(&[0xB5, 0, 0, 0]), Err(Error::BadValue));
        assert_eq!(
            Frame::parse(&[0xB1, 0, 4, 0, 0, 0, 0, 0]),
            Err(Error::BadLength)
        );
        assert_eq!(
            Frame::parse(&[0xB2, 0, 3, 0, 0, 0, 0]),
            Err(Error::BadLength)
        );
        // Padding after the payload is ignored.
        assert_eq!(
            Frame::parse(&[0xB3, 0, 4, 0, 1, 0, 0, 0, 9, 9]),
            Ok(Frame::End { seq: 0, crc32: 1 })
        );
    }

    #[test]
    fn padded_writes() {
        let mut buf = [0xa5u8; 2048];
        let f = Frame::Run {
            seq: 7,
            exec_addr: 1,
        };
        assert_eq!(f.emit_padded(&mut buf), Ok(512));
        assert_eq!(&buf[..8], &[0xB4, 7, 4, 0, 1, 0, 0, 0]);
        assert!(buf[8..512].iter().all(|&b| b == 0));
        assert_eq!(buf[512], 0xa5);
        let data = [0x11u8; 600];
        let f = Frame::Data {
            seq: 1,
            addr: 0,
            data: &data,
        };
        assert_eq!(f.emit_padded(&mut buf), Ok(1024));
        assert!(buf[608..1024].iter().all(|&b| b == 0));
        assert_eq!(f.emit_padded(&mut buf[..1000]), Err(Error::BufferTooSmall));
    }

    #[test]
    fn reply_check_order() {
        assert_eq!(check_reply(&[0xB0, 5, 4, 0, 0, 0, 0, 0], 5), Ok(()));
        // Every field wrong: the type is reported first.
        assert_eq!(
            check_reply(&[0xB1, 6, 5, 0, 1, 0, 0, 0], 5),
            Err(ReplyError::BadType)
        );
        assert_eq!(
            check_reply(&[0xB0, 6, 5, 0, 1, 0, 0, 0], 5),
            Err(ReplyError::BadSeq)
        );
        assert_eq!(
            check_reply(&[0xB0, 5, 5, 0, 1, 0, 0, 0], 5),
            Err(ReplyError::BadLength)
        );
        assert_eq!(
            check_reply(&[0xB0, 5, 4, 0, 1, 0, 0, 0], 5),
            Err(ReplyError::Status(1))
        );
        assert_eq!(
            check_reply(&[0xB0, 5, 4, 0, 1], 5),
            Err(ReplyError::BadLength)
        );
        assert_eq!(check_reply(&[], 5), Err(ReplyError::BadType));
        let e: Vec<i32> = [
            ReplyError::BadType,
            ReplyError::BadSeq,
            ReplyError::BadLength,
            ReplyError::Status(9),
        ]
        .iter()
        .map(|e| e.errno())
        .collect();
        assert_eq!(e, [-203, -202, -201, -200]);
    }

    #[test]
    fn chunking_and_seq() {
        assert_eq!(data_chunk_len(512, 10_000), Ok(504));
        assert_eq!(data_chunk_len(512, 100), Ok(100));
        assert_eq!(data_chunk_len(510, 100), Err(Error::BadValue));
        assert_eq!(data_chunk_len(8, 100), Err(Error::BadValue));
        assert_eq!(check_info_room(12), Err(Error::BadValue));
        assert_eq!(check_info_room(16), Ok(()));
        let mut s = Seq(255);
        assert_eq!(s.next_seq(), 255);
        assert_eq!(s.next_seq(), 0);
    }
}
