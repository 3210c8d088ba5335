// SPDX-License-Identifier: GPL-2.0-only
//! Splitting one RX burst into its WSM messages (spec §1.5 "Packet check", §1.6, errata 4).

use crate::field::{align4, le16};
use crate::{Error, Result};

/// At most 16 WSM messages per RX read, `BES_SDIO_RX_MULTIPLE_NUM` (spec §1.6).
pub const RX_MULTIPLE_NUM: usize = 16;

/// A padded message after the first may be at most 1632 bytes (spec §1.6).
pub const MAX_RX_MSG_PADDED: usize = 1632;

/// Iterator over the WSM messages of one RX burst (spec §1.5).
///
/// `buf` is exactly the bytes one CMD53 read returned. Messages start with `{u16 len,
/// u16 id}` and are padded to 4 bytes. The walk stops at a zero length or at the end of the
/// buffer; what follows a zero length is block padding. Each item is one message of exactly
/// `len` bytes (padding excluded). Errors, after which the iterator yields nothing more:
///
/// * `BadLength`: a length of 1-3 (shorter than the WSM header), a length that runs past
///   the buffer, or a padded length above 1632 in any message but the first;
/// * `BadCount`: a 17th message (a non-zero length after 16 messages);
/// * `Truncated`: a non-zero stub of fewer than 2 bytes where a length should be.
#[derive(Debug, Clone)]
pub struct Burst<'a> {
    buf: &'a [u8],
    pos: usize,
    count: usize,
    done: bool,
}

impl<'a> Burst<'a> {
    /// Starts splitting the bytes of one RX transfer.
    pub const fn new(buf: &'a [u8]) -> Self {
        Burst {
            buf,
            pos: 0,
            count: 0,
            done: false,
        }
    }

    /// Messages yielded so far.
    pub const fn count(&self) -> usize {
        self.count
    }

    /// Bytes consumed so far (messages and their 4-byte padding).
    pub const fn consumed(&self) -> usize {
        self.pos
    }

    /// Walks the whole burst without yielding anything and returns the message count.
    ///
    /// Use it to refuse a corrupt burst as a whole before delivering any of it.
    pub fn validate(&self) -> Result<usize> {
        let mut b = self.clone();
        for m in &mut b {
            m?;
        }
        Ok(b.count)
    }

    fn step(&mut self) -> Option<Result<&'a [u8]>> {
        let rest = self.buf.get(self.pos..).unwrap_or(&[]);
        if rest.is_empty() {
            return None;
        }
        let Some(len_bytes) = rest.get(..2) else {
            // One stray byte: padding if zero, garbage otherwise.
            return if rest.iter().all(|&b| b == 0) {
                None
            } else {
                Some(Err(Error::Truncated))
            };
        };
        let len = usize::from(le16(len_bytes));
        if len == 0 {
            return None;
        }
        if self.count == RX_MULTIPLE_NUM {
            return Some(Err(Error::BadCount));
        }
        if len < crate::wsm::HEADER_LEN {
            return Some(Err(Error::BadLength));
        }
        let Some(msg) = rest.get(..len) else {
            return Some(Err(Error::BadLength));
        };
        let padded = align4(len);
        if self.count > 0 && padded > MAX_RX_MSG_PADDED {
            return Some(Err(Error::BadLength));
        }
        // The padding of the last message may be cut by the end of the transfer.
        self.pos += padded.min(rest.len());
        self.count += 1;
        Some(Ok(msg))
    }
}

impl<'a> Iterator for Burst<'a> {
    type Item = Result<&'a [u8]>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let r = self.step();
        if !matches!(r, Some(Ok(_))) {
            self.done = true;
        }
        r
    }
}

impl core::iter::FusedIterator for Burst<'_> {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sdio::{round_up_blocks, MAX_RX_BUF};

    /// Writes a message of `len` bytes at `pos` (id 0x0804, body filled with `fill`) and
    /// returns the next 4-byte-aligned position.
    fn put(buf: &mut [u8], pos: usize, len: usize, fill: u8) -> usize {
        buf[pos..pos + 2].copy_from_slice(&(len as u16).to_le_bytes());
        buf[pos + 2..pos + 4].copy_from_slice(&0x0804u16.to_le_bytes());
        for b in &mut buf[pos + 4..pos + len] {
            *b = fill;
        }
        pos + align4(len)
    }

    fn collect(buf: &[u8]) -> (Vec<usize>, Option<Error>) {
        let mut lens = Vec::new();
        for m in Burst::new(buf) {
            match m {
                Ok(m) => lens.push(m.len()),
                Err(e) => return (lens, Some(e)),
            }
        }
        (lens, None)
    }

    #[test]
    fn sixteen_messages_with_padding() {
        let mut buf = vec![0u8; MAX_RX_BUF];
        let mut pos = 0;
        let mut want = Vec::new();
        for i in 0..16 {
            let len = 5 + i * 37; // odd lengths force padding
            pos = put(&mut buf, pos, len, i as u8);
            want.push(len);
        }
        let used = round_up_blocks(pos);
        let (lens, err) = collect(&buf[..used]);
        assert_eq!(err, None);
        assert_eq!(lens, want);
        // Each message's body carries its own fill byte, so the offsets are right.
        for (i, m) in Burst::new(&buf[..used]).enumerate() {
            let m = m.unwrap();
            assert!(m[4..].iter().all(|&b| b == i as u8));
        }
        assert_eq!(Burst::new(&buf[..used]).validate(), Ok(16));
    }

    #[test]
    fn seventeenth_message_is_a_count_error() {
        let mut buf = vec![0u8; 17 * 8];
        let mut pos = 0;
        for _ in 0..17 {
            pos = put(&mut buf, pos, 8, 1);
        }
        let (lens, err) = collect(&buf);
        assert_eq!(lens.len(), 16);
        assert_eq!(err, Some(Error::BadCount));
        assert_eq!(Burst::new(&buf).validate(), Err(Error::BadCount));
    }

    #[test]
    fn max_size_messages() {
        // 16 messages of 1632 bytes fill the maximum buffer exactly.
        let mut buf = vec![0u8; MAX_RX_BUF];
        let mut pos = 0;
        for i in 0..16 {
            pos = put(&mut buf, pos, 1632, i);
        }
        assert_eq!(pos, MAX_RX_BUF);
        let (lens, err) = collect(&buf);
        assert_eq!((lens.len(), err), (16, None));
        // 1629 pads to 1632: still allowed in the second slot.
        let mut buf = vec![0u8; 4096];
        let p = put(&mut buf, 0, 8, 0);
        put(&mut buf, p, 1629, 0);
        assert_eq!(collect(&buf), (vec![8, 1629], None));
        // 1633 in the second slot is too large ...
        let mut buf = vec![0u8; 4096];
        let p = put(&mut buf, 0, 8, 0);
        put(&mut buf, p, 1633, 0);
        assert_eq!(collect(&buf), (vec![8], Some(Error::BadLength)));
        // ... but allowed as the first message.
        let mut buf = vec![0u8; 4096];
        put(&mut buf, 0, 3000, 0);
        assert_eq!(collect(&buf), (vec![3000], None));
    }

    #[test]
    fn zero_length_stops_and_padding_follows() {
        let mut buf = vec![0u8; 512];
        let p = put(&mut buf, 0, 10, 7);
        // A zero length; whatever follows is padding and is never looked at.
        buf[p + 4] = 0xFF;
        assert_eq!(collect(&buf), (vec![10], None));
        // A burst that starts with a zero length is empty.
        assert_eq!(collect(&[0u8; 512]), (vec![], None));
        assert_eq!(collect(&[]), (vec![], None));
    }

    #[test]
    fn ends_exactly_at_transfer_length() {
        // Message ends at the end of the buffer, no zero length needed; the last padding
        // may be cut short.
        let mut buf = vec![0u8; 10];
        put(&mut buf, 0, 10, 1);
        assert_eq!(collect(&buf), (vec![10], None));
    }

    #[test]
    fn truncated_and_beyond_buffer() {
        // Length beyond the buffer.
        let mut buf = vec![0u8; 512];
        put(&mut buf, 0, 100, 0);
        assert_eq!(collect(&buf[..64]), (vec![], Some(Error::BadLength)));
        // Length shorter than the WSM header.
        let mut buf = vec![0u8; 16];
        buf[0] = 3;
        assert_eq!(collect(&buf), (vec![], Some(Error::BadLength)));
        // A single non-zero stray byte where a length should be.
        let mut buf = vec![0u8; 9];
        put(&mut buf, 0, 8, 0);
        buf[8] = 1;
        assert_eq!(collect(&buf), (vec![8], Some(Error::Truncated)));
        // A single zero stray byte is padding.
        buf[8] = 0;
        assert_eq!(collect(&buf), (vec![8], None));
    }

    #[test]
    fn fused_after_error() {
        let buf = [2u8, 0, 0, 0, 8, 0, 4, 8];
        let mut b = Burst::new(&buf);
        assert_eq!(b.next(), Some(Err(Error::BadLength)));
        assert_eq!(b.next(), None);
    }
}
