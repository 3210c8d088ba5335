//! Function-1 register map and bit assignments of the chip (spec §1.4, §1.4.1).

/// RX_STATUS: bit 0 = "no more data pending" (spec §1.4).
pub const RX_STATUS: u32 = 0x000;
/// RX_LEN_CTRL: bits 0-6 RX length in 512-byte units, bit 7 toggle; read-to-clear (spec §1.4).
pub const RX_LEN_CTRL: u32 = 0x001;
/// SLAVE_RX_BUF_CNT (boot-ROM phase, spec §1.4).
pub const SLAVE_RX_BUF_CNT: u32 = 0x108;
/// SLAVE_STATUS subsystem ready bits (spec §1.4).
pub const SLAVE_STATUS: u32 = 0x10C;
/// HOST_INT low byte; writing it raises the doorbell (spec §1.4).
pub const HOST_INT_LO: u32 = 0x120;
/// HOST_INT high byte; written first (spec §1.4).
pub const HOST_INT_HI: u32 = 0x121;
/// AP_WAKEUP_CFG (spec §1.4).
pub const AP_WAKEUP_CFG: u32 = 0x124;

/// RX length unit in reg 0x001 (spec §1.6).
pub const RX_LEN_UNIT: usize = 512;
/// Toggle bit in reg 0x001 (spec §1.4).
pub const RX_LEN_TOGGLE: u8 = 0x80;
/// Units mask in reg 0x001 (spec §1.4).
pub const RX_LEN_UNITS_MASK: u8 = 0x7F;
/// At most 16 messages per RX burst (spec §1.6).
pub const RX_MULTIPLE_NUM: usize = 16;
/// Largest padded message in a burst and largest TX slot (spec §1.5, §1.7).
pub const MAX_MSG: usize = 1632;
/// Largest RX burst: 16 × 1632 rounded up to whole 512-byte blocks (spec §1.5 item 3).
pub const MAX_BURST: usize = (RX_MULTIPLE_NUM * MAX_MSG).div_ceil(RX_LEN_UNIT) * RX_LEN_UNIT;
/// CMD53 address bit 16 carries the toggle (spec §1.3).
pub const ADDR_TOGGLE: u32 = 1 << 16;
/// CMD53 address bits 0-15 carry the transfer length (spec §1.3).
pub const ADDR_LEN_MASK: u32 = 0xFFFF;

/// SLAVE_STATUS bits (spec §1.4).
pub mod status {
    /// MCU running.
    pub const MCU_READY: u8 = 1 << 0;
    /// DPD calibration done (boot firmware).
    pub const DPD_READY: u8 = 1 << 1;
    /// Wi-Fi subsystem up.
    pub const WIFI_READY: u8 = 1 << 2;
    /// BT subsystem up.
    pub const BT_READY: u8 = 1 << 3;
    /// MCU awake.
    pub const MCU_WAKEUP_READY: u8 = 1 << 4;
    /// BT awake.
    pub const BT_WAKE_READY: u8 = 1 << 5;
}

/// HOST_INT bits (spec §1.4.1).
pub mod host_int {
    /// Must be set in every command.
    pub const DOORBELL: u16 = 1 << 0;
    /// Apply reg 0x124.
    pub const AP_WAKEUP_CFG: u16 = 1 << 1;
    /// Let the MCU sleep.
    pub const MCU_DEACTIVATE: u16 = 1 << 2;
    /// Wake the MCU.
    pub const MCU_ACTIVATE: u16 = 1 << 3;
    /// Stop Wi-Fi.
    pub const WIFI_DEACTIVATE: u16 = 1 << 4;
    /// Start Wi-Fi (the firmware then sends its startup indication).
    pub const WIFI_ACTIVATE: u16 = 1 << 5;
    /// Ask for a debug dump.
    pub const WIFI_DEBUG: u16 = 1 << 6;
    /// Stop BT.
    pub const BT_DEACTIVATE: u16 = 1 << 7;
    /// Start BT.
    pub const BT_ACTIVATE: u16 = 1 << 8;
    /// BT leaves low power.
    pub const BT_WAKEUP: u16 = 1 << 10;
    /// BT enters low power.
    pub const BT_SLEEP: u16 = 1 << 11;
}

/// TX slot size for the slot code in the low two bits of a TX length (spec §1.7).
pub const fn tx_slot_size(code: u32) -> usize {
    match code & 3 {
        0 => 512,
        1 => 1024,
        2 => 1536,
        _ => MAX_MSG,
    }
}
