//! WSM constants and byte helpers of the chip side (spec §3.2-3.8).
//!
//! Host requests are parsed with `bes2600_wire::wsm::decode` (see `fw.rs`). What the chip
//! sends is rendered from the spec tables in `render.rs` on purpose, not with the wire
//! crate's emitters: the engine parses it with the wire crate, so an independent writer
//! makes the engine+sim tests catch a wire-crate misreading of the spec instead of
//! agreeing with it.

/// Length of the WSM header (spec §3.2).
pub const HDR_LEN: usize = 4;
/// `WSM_MSG_ID_MASK` (spec §3.2): message number plus class bits.
pub const MSG_ID_MASK: u16 = 0x0C3F;
/// Confirm class bit (spec §3.2).
pub const CONFIRM: u16 = 0x0400;
/// MCU/vendor class (spec §3.2).
pub const MCU_CLASS: u16 = 0x0C00;
/// Offset of the 802.11 frame in a receive indication (spec §3.7).
pub const RX_FRAME_OFFSET: usize = 32;
/// Length of the TX request header (spec §3.5).
pub const TX_HDR_LEN: usize = 24;
/// Scan results are reported on this interface id (spec §3.7).
pub const SCAN_IF_ID: u8 = 2;

/// Message ids (spec §3.3, §3.6).
pub mod id {
    /// Transmit request.
    pub const TX: u16 = 0x0004;
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
    /// Set PM.
    pub const SET_PM: u16 = 0x0010;
    /// Single TX confirm.
    pub const TX_CNF: u16 = 0x0404;
    /// Multi TX confirm.
    pub const MULTI_TX_CNF: u16 = 0x041E;
    /// Startup indication.
    pub const STARTUP: u16 = 0x0801;
    /// Receive indication.
    pub const RX: u16 = 0x0804;
    /// Event indication.
    pub const EVENT: u16 = 0x0805;
    /// Scan complete.
    pub const SCAN_COMPLETE: u16 = 0x0806;
    /// Set-PM complete.
    pub const PM_COMPLETE: u16 = 0x0809;
}

/// MIB "use multi-TX confirm" (spec §3.10).
pub const MIB_MULTI_TX_CNF: u16 = 0x1024;
/// Event id BSS lost (spec §3.8.2).
pub const EVENT_BSS_LOST: u32 = 1;
/// RX status decrypt failure (spec §3.8.1).
pub const STATUS_DECRYPT_FAILURE: u32 = 4;
/// Status "access denied / wrong state" (spec §3.8.1).
pub const STATUS_WRONG_STATE: u32 = 3;
/// Status "invalid parameter" (spec §3.8.1).
pub const STATUS_INVALID: u32 = 2;
/// RX status "no key found for encrypted frame" (spec §3.8.1).
pub const STATUS_NO_KEY: u32 = 9;
/// Status "generic failure" (spec §3.8.1).
pub const STATUS_FAILURE: u32 = 1;
/// TX status "retry limit exceeded" (spec §3.8.1).
pub const STATUS_RETRY_LIMIT: u32 = 6;

/// Sequence space of a message id: 1 for MCU messages, 0 for LMAC (spec §3.2).
pub const fn seq_space(id: u16) -> usize {
    if id & 0x0F00 == 0x0C00 {
        1
    } else {
        0
    }
}

/// Reads a little-endian u16 at `off`, if present.
pub fn le16(b: &[u8], off: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(off..off + 2)?.try_into().ok()?))
}

/// Reads a little-endian u32 at `off`, if present.
pub fn le32(b: &[u8], off: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(off..off + 4)?.try_into().ok()?))
}
