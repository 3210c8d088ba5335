//! Function 0 of the card: the CCCR, function 1's FBR and the two CIS (SDIO spec 6.9,
//! 6.10, 16), with the values the MMC core needs to enumerate a BES2600 (spec §1.1-1.2).

use super::{DEVICE, VENDOR};

/// Where the common CIS starts (CCCR 0x09-0x0B).
const COMMON_CIS: u32 = 0x1000;
/// Where function 1's CIS starts (FBR1 0x109-0x10B).
const FUNC1_CIS: u32 = 0x2000;

/// Tuple codes (SDIO spec 16.7).
const CISTPL_MANFID: u8 = 0x20;
const CISTPL_FUNCID: u8 = 0x21;
const CISTPL_FUNCE: u8 = 0x22;
const CISTPL_END: u8 = 0xFF;

/// Function code of CISTPL_FUNCID for SDIO cards.
const FUNCID_SDIO: u8 = 0x0C;

/// The common CIS: function ID, manufacturer ID (0xBE57/0x2002, little endian), the
/// function-0 extension (512-byte blocks, 25 Mb/s TRAN_SPEED 0x32).
const COMMON_TUPLES: [u8; 18] = [
    CISTPL_FUNCID,
    2,
    FUNCID_SDIO,
    0,
    CISTPL_MANFID,
    4,
    VENDOR.to_le_bytes()[0],
    VENDOR.to_le_bytes()[1],
    DEVICE.to_le_bytes()[0],
    DEVICE.to_le_bytes()[1],
    CISTPL_FUNCE,
    4,
    0x00,
    0x00,
    0x02,
    0x32,
    CISTPL_END,
    0,
];

/// Length of the function-1 FUNCE body for SDIO 1.1+ cards (the MMC core's minimum, 42).
const FUNCE1_LEN: usize = 42;

/// Byte `i` of function 1's CIS: function ID, then a FUNCE of type 1 with a 512-byte
/// maximum block size (TPLFE_MAX_BLK_SIZE, body bytes 12-13) and a 100 ms enable timeout
/// (TPLFE_ENABLE_TIMEOUT_VAL in 10 ms units, body bytes 28-29), then END.
fn func1_tuple(i: usize) -> u8 {
    const HEAD: [u8; 6] = [
        CISTPL_FUNCID,
        2,
        FUNCID_SDIO,
        0,
        CISTPL_FUNCE,
        FUNCE1_LEN as u8,
    ];
    if let Some(b) = HEAD.get(i) {
        return *b;
    }
    match i - HEAD.len() {
        0 => 0x01,  // TPLFE_TYPE: function extension
        12 => 0x00, // max block size 512, little endian
        13 => 0x02,
        28 => 10, // enable timeout, 10 × 10 ms
        n if n < FUNCE1_LEN => 0,
        n if n == FUNCE1_LEN => CISTPL_END,
        _ => 0,
    }
}

/// The writable state of function 0.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Cccr {
    /// I/O enable (0x02); the card is ready at once, so I/O ready (0x03) mirrors it.
    pub(super) ioe: u8,
    /// Interrupt enable (0x04): bit 0 master, bit 1 function 1.
    pub(super) ien: u8,
    /// Bus interface control (0x07): bits 0-1 width (2 = 4 bits).
    pub(super) bus_if: u8,
    /// Function 0 block size (0x10-0x11).
    pub(super) blksz0: u16,
    /// Function 1 block size (FBR1 0x110-0x111).
    pub(super) blksz1: u16,
}

impl Cccr {
    /// CMD52 read of function 0.
    pub(super) fn read(&self, addr: u32) -> u8 {
        let [b0lo, b0hi] = self.blksz0.to_le_bytes();
        let [b1lo, b1hi] = self.blksz1.to_le_bytes();
        let [c0, c1, c2, _] = COMMON_CIS.to_le_bytes();
        let [f0, f1, f2, _] = FUNC1_CIS.to_le_bytes();
        match addr {
            // CCCR 3.00 (low nibble 3), SDIO 3.00 (high nibble 4).
            0x00 => 0x43,
            // SD physical layer 3.01.
            0x01 => 0x03,
            0x02 => self.ioe,
            0x03 => self.ioe,
            0x04 => self.ien,
            // Pending interrupts are reported by the host (irq_asserted); INTx reads 0
            // when polled, as the MMC core only polls with several functions.
            0x05 => 0,
            0x07 => self.bus_if,
            // Card capability: SMB (multi-block), S4MI.
            0x08 => 0x12,
            0x09 => c0,
            0x0A => c1,
            0x0B => c2,
            0x10 => b0lo,
            0x11 => b0hi,
            // Bus speed: high speed supported.
            0x13 => 0x01,
            // FBR1: no standard interface; CIS pointer; block size.
            0x100 => 0x00,
            0x109 => f0,
            0x10A => f1,
            0x10B => f2,
            0x110 => b1lo,
            0x111 => b1hi,
            a if (COMMON_CIS..COMMON_CIS + COMMON_TUPLES.len() as u32).contains(&a) => {
                COMMON_TUPLES
                    .get((a - COMMON_CIS) as usize)
                    .copied()
                    .unwrap_or(CISTPL_END)
            }
            a if (FUNC1_CIS..FUNC1_CIS + 0x100).contains(&a) => {
                func1_tuple((a - FUNC1_CIS) as usize)
            }
            _ => 0,
        }
    }

    /// CMD52 write of function 0.
    pub(super) fn write(&mut self, addr: u32, val: u8) {
        match addr {
            // Only function 1 exists.
            0x02 => self.ioe = val & 0x02,
            0x04 => self.ien = val & 0x03,
            // ABORT: RES (bit 3) resets the I/O part.
            0x06 if val & 0x08 != 0 => *self = Self::default(),
            0x07 => self.bus_if = val,
            0x10 => self.blksz0 = (self.blksz0 & 0xFF00) | u16::from(val),
            0x11 => self.blksz0 = (self.blksz0 & 0x00FF) | u16::from(val) << 8,
            0x110 => self.blksz1 = (self.blksz1 & 0xFF00) | u16::from(val),
            0x111 => self.blksz1 = (self.blksz1 & 0x00FF) | u16::from(val) << 8,
            _ => {}
        }
    }
}
