// SPDX-License-Identifier: GPL-2.0-only
//! Boot-ROM message framing (spec §2.3): a 4-byte header `{u8 type, u8 seq, u16 len}` and
//! the payloads of INFO, DATA, END, RUN and REPLY.
//!
//! The emitters write into a caller buffer and return the frame length; the bus write is
//! `max(len, 512)` bytes with zero padding ([`padded_len`]).

/// Frame header length.
pub const HEADER_LEN: usize = 4;
/// Length of a complete REPLY frame (header + u32 status).
pub const REPLY_LEN: usize = HEADER_LEN + 4;
/// Every host→device message is at least one 512-byte block (spec §2.3).
pub const MIN_WRITE_LEN: usize = 512;

/// Message type codes (spec §2.3).
pub mod msg {
    /// device→host reply, payload `u32 status`.
    pub const REPLY: u8 = 0xB0;
    /// Starts a session: `u32 total_len, u32 dest_addr`.
    pub const INFO: u8 = 0xB1;
    /// `u32 dest_addr` + data bytes.
    pub const DATA: u8 = 0xB2;
    /// Closes a session: `u32 crc32`.
    pub const END: u8 = 0xB3;
    /// Jumps to the image: `u32 exec_addr`.
    pub const RUN: u8 = 0xB4;
}

/// Why a reply was refused; the vendor's error numbers are kept for logs (spec §2.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplyError {
    /// The type byte is not REPLY (0xB0), or the frame is shorter than a header (-203).
    NotReply(u8),
    /// The sequence byte does not echo the request (-202).
    BadSeq {
        /// The seq of the request.
        expected: u8,
        /// The seq in the reply.
        got: u8,
    },
    /// The payload length is not 4, or the frame is shorter than it says (-201).
    BadLength(u16),
    /// The device reported a non-zero status (-200).
    Status(u32),
}

impl ReplyError {
    /// The vendor driver's error number for this failure (spec §2.3).
    pub const fn vendor_errno(self) -> i32 {
        match self {
            ReplyError::NotReply(_) => -203,
            ReplyError::BadSeq { .. } => -202,
            ReplyError::BadLength(_) => -201,
            ReplyError::Status(_) => -200,
        }
    }
}

/// Checks a reply frame against the request's `seq`, in the vendor's order: type, seq,
/// length, status (spec §2.3).
///
/// # Errors
///
/// See [`ReplyError`].
pub fn check_reply(frame: &[u8], seq: u8) -> Result<(), ReplyError> {
    let (ty, got, len) = match frame {
        [ty, s, l0, l1, ..] => (*ty, *s, u16::from_le_bytes([*l0, *l1])),
        [ty, ..] => return Err(ReplyError::NotReply(*ty)),
        [] => return Err(ReplyError::NotReply(0)),
    };
    if ty != msg::REPLY {
        return Err(ReplyError::NotReply(ty));
    }
    if got != seq {
        return Err(ReplyError::BadSeq { expected: seq, got });
    }
    let status = match frame.get(HEADER_LEN..REPLY_LEN) {
        Some(&[a, b, c, d]) if len == 4 => u32::from_le_bytes([a, b, c, d]),
        _ => return Err(ReplyError::BadLength(len)),
    };
    if status != 0 {
        return Err(ReplyError::Status(status));
    }
    Ok(())
}

/// The bus write length for a frame of `len` bytes: `max(len, 512)` (spec §2.3).
pub const fn padded_len(len: usize) -> usize {
    if len < MIN_WRITE_LEN {
        MIN_WRITE_LEN
    } else {
        len
    }
}

fn put(buf: &mut [u8], at: usize, bytes: &[u8]) -> Option<()> {
    buf.get_mut(at..at + bytes.len())?.copy_from_slice(bytes);
    Some(())
}

/// Writes a header and a list of u32 payload words; returns the frame length, or `None`
/// when `buf` is too small.
fn emit_words(buf: &mut [u8], ty: u8, seq: u8, words: &[u32]) -> Option<usize> {
    let payload = words.len() * 4;
    put(buf, 0, &[ty, seq])?;
    put(buf, 2, &u16::try_from(payload).ok()?.to_le_bytes())?;
    for (i, w) in words.iter().enumerate() {
        put(buf, HEADER_LEN + 4 * i, &w.to_le_bytes())?;
    }
    Some(HEADER_LEN + payload)
}

/// Emits INFO {total_len, dest_addr}.
pub fn emit_info(buf: &mut [u8], seq: u8, total_len: u32, dest_addr: u32) -> Option<usize> {
    emit_words(buf, msg::INFO, seq, &[total_len, dest_addr])
}

/// Emits END {crc32}.
pub fn emit_end(buf: &mut [u8], seq: u8, crc32: u32) -> Option<usize> {
    emit_words(buf, msg::END, seq, &[crc32])
}

/// Emits RUN {exec_addr}.
pub fn emit_run(buf: &mut [u8], seq: u8, exec_addr: u32) -> Option<usize> {
    emit_words(buf, msg::RUN, seq, &[exec_addr])
}

/// Emits REPLY {status} (used by the simulated boot ROM).
pub fn emit_reply(buf: &mut [u8], seq: u8, status: u32) -> Option<usize> {
    emit_words(buf, msg::REPLY, seq, &[status])
}

/// Emits DATA {dest_addr, data}; `payload_len` = 4 + `data.len()` (spec §2.3).
pub fn emit_data(buf: &mut [u8], seq: u8, dest_addr: u32, data: &[u8]) -> Option<usize> {
    let payload = u16::try_from(4 + data.len()).ok()?;
    put(buf, 0, &[msg::DATA, seq])?;
    put(buf, 2, &payload.to_le_bytes())?;
    put(buf, HEADER_LEN, &dest_addr.to_le_bytes())?;
    put(buf, HEADER_LEN + 4, data)?;
    Some(HEADER_LEN + 4 + data.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emits_info_and_data_bytes() {
        let mut b = [0xa5u8; 16];
        assert_eq!(emit_info(&mut b, 3, 0x100, 0x2000_0168), Some(12));
        assert_eq!(b[..12], [0xB1, 3, 8, 0, 0, 1, 0, 0, 0x68, 0x01, 0, 0x20]);
        let mut b = [0xa5u8; 10];
        assert_eq!(emit_data(&mut b, 4, 0x2008_B000, &[1, 2]), Some(10));
        assert_eq!(b, [0xB2, 4, 6, 0, 0x00, 0xB0, 0x08, 0x20, 1, 2]);
        assert_eq!(emit_data(&mut b, 4, 0, &[1, 2, 3]), None);
    }

    #[test]
    fn reply_check_order_matches_the_vendor() {
        let mut r = [0u8; 8];
        emit_reply(&mut r, 7, 0).unwrap();
        assert_eq!(check_reply(&r, 7), Ok(()));
        assert_eq!(
            check_reply(&r, 8),
            Err(ReplyError::BadSeq {
                expected: 8,
                got: 7
            })
        );
        emit_reply(&mut r, 7, 5).unwrap();
        assert_eq!(check_reply(&r, 7), Err(ReplyError::Status(5)));
        assert_eq!(check_reply(&r[..6], 7), Err(ReplyError::BadLength(4)));
        r[0] = 0xB1;
        assert_eq!(check_reply(&r, 7).unwrap_err().vendor_errno(), -203);
        assert_eq!(check_reply(&[], 0), Err(ReplyError::NotReply(0)));
        let bad_len = [0xB0, 1, 5, 0, 0, 0, 0, 0, 0];
        assert_eq!(check_reply(&bad_len, 1), Err(ReplyError::BadLength(5)));
    }

    #[test]
    fn padding_is_at_least_one_block() {
        assert_eq!(padded_len(12), 512);
        assert_eq!(padded_len(512), 512);
        assert_eq!(padded_len(1000), 1000);
    }
}
