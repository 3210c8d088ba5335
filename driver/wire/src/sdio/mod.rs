// SPDX-License-Identifier: GPL-2.0-only
//! SDIO framing of the BES2600: registers, the CMD53 address field, the RX length register,
//! RX burst splitting and TX slot packing (spec §1.3-1.7).

mod burst;
pub mod regs;
mod tx;

pub use burst::{Burst, MAX_RX_MSG_PADDED, RX_MULTIPLE_NUM};
pub use tx::{
    bus_len, max_msg_len, Slot, TxBatch, TxConfig, TxPacker, TxSlot, TxSlots, TX_MULTIPLE_NUM,
    TX_TRAILER_LEN,
};

use crate::{Error, Result};

/// SDIO block size; the driver never changes the MMC core default (spec §1.2).
pub const BLOCK_SIZE: usize = 512;

/// Largest RX burst the driver accepts: 16 × 1632 rounded up to 512 (spec §1.5 item 3).
pub const MAX_RX_BUF: usize = round_up_blocks(RX_MULTIPLE_NUM * MAX_RX_MSG_PADDED);

/// Largest TX batch in bytes on the bus: 16 slots of 1632 rounded up to 512 (spec §1.7).
pub const MAX_TX_BUF: usize = round_up_blocks(TX_MULTIPLE_NUM * Slot::S1632.bytes());

/// Hard cap on one CMD53 transfer, `MAX_SDIO_TRANSFER_LEN` (spec §1.2).
pub const MAX_SDIO_TRANSFER_LEN: usize = 32768;

/// A zero RX length is polled again up to 6 times, so 7 reads in all (spec errata 4).
pub const RX_ZERO_LEN_RETRIES: u32 = 6;

/// Rounds `n` up to whole 512-byte blocks.
pub const fn round_up_blocks(n: usize) -> usize {
    n.div_ceil(BLOCK_SIZE) * BLOCK_SIZE
}

/// One toggle bit of the CMD53 address / RX length register (spec §1.3).
///
/// It alternates 0, 1, 0, 1… per successful transfer; TX, RX and the expected RX length
/// toggle are kept separately, and all three start at 0 (after init and WIFI deactivate).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct Toggle(bool);

impl Toggle {
    /// The state after reset: bit 0.
    pub const fn new() -> Self {
        Toggle(false)
    }

    /// The current bit value (0 or 1).
    pub const fn bit(self) -> u32 {
        self.0 as u32
    }

    /// Advances after a successful transfer. A failed transfer does not advance (spec §1.3).
    pub fn flip(&mut self) {
        self.0 = !self.0;
    }

    /// Back to 0 (init, WIFI deactivate).
    pub fn reset(&mut self) {
        self.0 = false;
    }
}

/// The three toggle counters of the SDIO layer (spec §1.3, §1.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct Toggles {
    /// Toggle of the next CMD53 write.
    pub tx: Toggle,
    /// Toggle of the next CMD53 read.
    pub rx: Toggle,
    /// Toggle expected in bit 7 of the next non-zero RX length register value.
    pub rx_expected: Toggle,
}

impl Toggles {
    /// Resets all three to 0 (init and WIFI deactivate, spec §1.3).
    pub fn reset(&mut self) {
        *self = Self::default();
    }
}

/// Bit 16 of the CMD53 address field: the toggle (spec §1.3).
pub const ADDR_TOGGLE: u32 = 1 << 16;
/// Bits 0-15 of the CMD53 address field: the length (spec §1.3).
pub const ADDR_LEN_MASK: u32 = 0xFFFF;

/// Builds the 17-bit CMD53 "address" that carries the transfer length (spec §1.3).
///
/// `toggle` is `None` before the WIFI-active handshake starts (`fw_started` false, e.g.
/// firmware download) and `Some` from then on (spec errata 3). For TX batches `len` already
/// carries the slot code in its low 2 bits (spec §1.7).
pub fn cmd53_addr(len: u16, toggle: Option<Toggle>) -> u32 {
    let t = toggle.map_or(0, |t| t.bit() << 16);
    u32::from(len) | t
}

/// Decodes a CMD53 address field into `(length, toggle bit)`; bits above 16 must be zero.
pub fn parse_cmd53_addr(addr: u32) -> Result<(u16, bool)> {
    if addr >> 17 != 0 {
        return Err(Error::BadValue);
    }
    let len = (addr & ADDR_LEN_MASK) as u16; // CAST: masked to 16 bits.
    Ok((len, addr & ADDR_TOGGLE != 0))
}

/// Byte or block mode of one CMD53 (spec §1.3 with errata 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TransferMode {
    /// Byte mode: one CMD53 of up to 512 bytes.
    Byte,
    /// Block mode: whole 512-byte blocks.
    Block,
}

impl TransferMode {
    /// RX reads and firmware-download messages use block mode only above 512 bytes; a read
    /// of exactly 512 bytes uses byte mode (spec errata 2).
    pub const fn for_rx(len: usize) -> Self {
        if len > BLOCK_SIZE {
            TransferMode::Block
        } else {
            TransferMode::Byte
        }
    }

    /// TX batches always use block mode, even one 512-byte slot (spec errata 2).
    pub const fn for_tx() -> Self {
        TransferMode::Block
    }
}

/// What one read of the RX length register 0x001 means (spec §1.4, §1.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RxLen {
    /// A burst of `len` bytes (a multiple of 512) is ready; the expected toggle has flipped.
    Ready {
        /// Bytes to read with one CMD53.
        len: usize,
    },
    /// Non-zero units but the wrong toggle: a stale value. Length 0, poll again.
    Stale,
    /// Zero units: read RX_STATUS (0x000) to tell "done" from a race.
    Empty,
}

/// Decodes RX_LEN_CTRL (reg 0x001): bits 0-6 length in 512-byte units, bit 7 toggle.
///
/// On a fresh value the expected toggle flips. A length above [`MAX_RX_BUF`] is refused
/// with `BadLength` (the C driver does not check it; spec §1.5 item 3), and the toggle is
/// left alone because the burst is not read.
pub fn decode_rx_len(reg: u8, expected: &mut Toggle) -> Result<RxLen> {
    let units = usize::from(reg & 0x7F);
    if units == 0 {
        return Ok(RxLen::Empty);
    }
    let toggle = u32::from(reg >> 7);
    if toggle != expected.bit() {
        return Ok(RxLen::Stale);
    }
    let len = units * BLOCK_SIZE;
    if len > MAX_RX_BUF {
        return Err(Error::BadLength);
    }
    expected.flip();
    Ok(RxLen::Ready { len })
}

/// RX_STATUS (reg 0x000) bit 0: no more data pending (spec §1.4).
pub const fn rx_status_done(reg: u8) -> bool {
    reg & regs::RX_STATUS_NO_MORE_DATA != 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constants_match_spec() {
        // 16 × 1632 = 26112 = 51 × 512 (spec §1.5 item 3).
        assert_eq!(MAX_RX_BUF, 26112);
        assert_eq!(MAX_TX_BUF, 26112);
        assert_eq!(round_up_blocks(1), 512);
        assert_eq!(round_up_blocks(512), 512);
        assert_eq!(round_up_blocks(513), 1024);
    }

    #[test]
    fn cmd53_address_field() {
        let mut t = Toggle::new();
        assert_eq!(cmd53_addr(0x0200, None), 0x0200);
        assert_eq!(cmd53_addr(0x0200, Some(t)), 0x0200);
        t.flip();
        assert_eq!(cmd53_addr(0x0661, Some(t)), 0x1_0661);
        assert_eq!(parse_cmd53_addr(0x1_0661), Ok((0x0661, true)));
        assert_eq!(parse_cmd53_addr(0x2_0000), Err(Error::BadValue));
        t.reset();
        assert_eq!(t.bit(), 0);
    }

    #[test]
    fn transfer_modes() {
        assert_eq!(TransferMode::for_rx(512), TransferMode::Byte);
        assert_eq!(TransferMode::for_rx(1024), TransferMode::Block);
        assert_eq!(TransferMode::for_tx(), TransferMode::Block);
    }

    #[test]
    fn rx_len_register() {
        let mut exp = Toggle::new();
        // 3 units, toggle 0: ready, 1536 bytes, expectation flips.
        assert_eq!(
            decode_rx_len(0x03, &mut exp),
            Ok(RxLen::Ready { len: 1536 })
        );
        assert_eq!(exp.bit(), 1);
        // Same value again (toggle 0) is stale now.
        assert_eq!(decode_rx_len(0x03, &mut exp), Ok(RxLen::Stale));
        assert_eq!(exp.bit(), 1);
        // Zero units with either toggle: empty.
        assert_eq!(decode_rx_len(0x80, &mut exp), Ok(RxLen::Empty));
        assert_eq!(decode_rx_len(0x00, &mut exp), Ok(RxLen::Empty));
        // 51 units with toggle 1: exactly the maximum.
        assert_eq!(
            decode_rx_len(0x80 | 51, &mut exp),
            Ok(RxLen::Ready { len: 26112 })
        );
        assert_eq!(exp.bit(), 0);
        // 52 units: beyond the RX buffer, refused and the toggle is kept.
        assert_eq!(decode_rx_len(52, &mut exp), Err(Error::BadLength));
        assert_eq!(exp.bit(), 0);
        assert!(rx_status_done(0x01));
        assert!(!rx_status_done(0xFE));
    }
}
