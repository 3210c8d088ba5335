// SPDX-License-Identifier: GPL-2.0-only
//! Boot-ROM message framing (spec §2.3), from the wire crate: a 4-byte header
//! `{u8 type, u8 seq, u16 len}` and the payloads of INFO, DATA, END, RUN and REPLY.
//!
//! Host→device frames are written with [`Frame::emit_padded`]: zero padded to at least 512
//! bytes, and to whole 512-byte blocks above that (block mode).

pub use bes2600_wire::bootrom::{
    check_info_room, check_reply, data_chunk_len, Frame, MsgType, ReplyError, DATA_OVERHEAD,
    HEADER_LEN, INFO_FRAME_LEN, MIN_WRITE_LEN, REPLY_LEN,
};

/// Message type codes (spec §2.3) as plain bytes, for logs and fault matching.
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

/// The bus write length for a frame of `len` bytes: at least one 512-byte block, whole
/// blocks above that (spec §2.3, as [`Frame::emit_padded`] pads).
pub const fn padded_len(len: usize) -> usize {
    if len <= MIN_WRITE_LEN {
        MIN_WRITE_LEN
    } else {
        len.div_ceil(MIN_WRITE_LEN) * MIN_WRITE_LEN
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padding_is_whole_blocks() {
        assert_eq!(padded_len(12), 512);
        assert_eq!(padded_len(512), 512);
        assert_eq!(padded_len(513), 1024);
        let mut b = [0xa5u8; 1024];
        let f = Frame::Data {
            seq: 4,
            addr: 0x2008_B000,
            data: &[1, 2],
        };
        assert_eq!(f.emit_padded(&mut b), Ok(512));
        assert_eq!(b[..10], [0xB2, 4, 6, 0, 0x00, 0xB0, 0x08, 0x20, 1, 2]);
        assert!(b[10..512].iter().all(|&x| x == 0));
    }

    #[test]
    fn reply_check_errnos() {
        let mut r = [0u8; 8];
        Frame::Reply { seq: 7, status: 5 }.emit(&mut r);
        assert_eq!(check_reply(&r, 7), Err(ReplyError::Status(5)));
        assert_eq!(check_reply(&r, 8).unwrap_err().errno(), -202);
    }
}
