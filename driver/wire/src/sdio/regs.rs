// SPDX-License-Identifier: GPL-2.0-only
//! CMD52 register map of SDIO function 1 and its bit assignments (spec §1.4, §1.4.1).

/// RX_STATUS: bit 0 = no more data pending. During download, the u16 at 0x000/0x001 is the
/// boot ROM's reply length (spec §1.4, §2.3).
pub const RX_STATUS: u32 = 0x000;
/// RX_LEN_CTRL: bits 0-6 RX length in 512-byte units, bit 7 toggle; read-to-clear of the
/// slave interrupt (spec §1.4).
pub const RX_LEN_CTRL: u32 = 0x001;
/// RX_LEN_LEGACY: older length word, not used by the shipped build (spec §1.4).
pub const RX_LEN_LEGACY: u32 = 0x104;
/// SLAVE_RX_BUF_CNT: free receive buffers in the boot ROM (download phase, spec §1.4).
pub const SLAVE_RX_BUF_CNT: u32 = 0x108;
/// SLAVE_RX_BUF_LEN: u16 LE maximum host→device frame length in the download phase (spec §1.4).
pub const SLAVE_RX_BUF_LEN: u32 = 0x109;
/// SLAVE_STATUS: ready bits, see [`SlaveStatus`] (spec §1.4).
pub const SLAVE_STATUS: u32 = 0x10C;
/// HOST_INT low byte; writing it raises the interrupt, so it is written last (spec §1.4).
pub const HOST_INT_LO: u32 = 0x120;
/// HOST_INT high byte; written first (spec §1.4).
pub const HOST_INT_HI: u32 = 0x121;
/// AP_WAKEUP_CFG: how the device wakes the host; unused on PineTab2 (spec §1.4).
pub const AP_WAKEUP_CFG: u32 = 0x124;

/// RX_STATUS bit 0: no more data pending (spec §1.4).
pub const RX_STATUS_NO_MORE_DATA: u8 = 1 << 0;

/// A HOST_INT doorbell/command word (spec §1.4.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct HostInt(pub u16);

impl HostInt {
    /// Must be set in every command.
    pub const DOORBELL: u16 = 1 << 0;
    /// Apply AP_WAKEUP_CFG (reg 0x124).
    pub const AP_WAKEUP_CFG: u16 = 1 << 1;
    /// Let the MCU sleep; MCU_WAKEUP_READY clears.
    pub const MCU_DEACTIVATE: u16 = 1 << 2;
    /// Wake the MCU; MCU_WAKEUP_READY sets.
    pub const MCU_ACTIVATE: u16 = 1 << 3;
    /// Stop the Wi-Fi subsystem; WIFI_READY clears.
    pub const WIFI_DEACTIVATE: u16 = 1 << 4;
    /// Start the Wi-Fi subsystem; WIFI_READY sets, then the startup indication follows.
    pub const WIFI_ACTIVATE: u16 = 1 << 5;
    /// Ask the firmware to dump debug state.
    pub const WIFI_DEBUG: u16 = 1 << 6;
    /// Stop BT; BT_READY clears.
    pub const BT_DEACTIVATE: u16 = 1 << 7;
    /// Start BT; BT_READY sets.
    pub const BT_ACTIVATE: u16 = 1 << 8;
    /// Power down by message (unused on this board).
    pub const SYSTEM_CLOSE: u16 = 1 << 9;
    /// BT leaves low power; BT_WAKE_READY sets.
    pub const BT_WAKEUP: u16 = 1 << 10;
    /// BT enters low power; BT_WAKE_READY clears.
    pub const BT_SLEEP: u16 = 1 << 11;

    /// A command word: DOORBELL plus `cmd`.
    pub const fn command(cmd: u16) -> Self {
        HostInt(Self::DOORBELL | cmd)
    }

    /// The two CMD52 writes in the required order: high byte (0x121) first, then the low
    /// byte (0x120), which raises the interrupt (spec §1.4).
    pub const fn writes(self) -> [(u32, u8); 2] {
        let [lo, hi] = self.0.to_le_bytes();
        [(HOST_INT_HI, hi), (HOST_INT_LO, lo)]
    }
}

/// SLAVE_STATUS (reg 0x10C) bits (spec §1.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct SlaveStatus(pub u8);

impl SlaveStatus {
    /// MCU ready.
    pub const MCU_READY: u8 = 1 << 0;
    /// DPD calibration data ready (download phase).
    pub const DPD_READY: u8 = 1 << 1;
    /// Wi-Fi subsystem running.
    pub const WIFI_READY: u8 = 1 << 2;
    /// BT subsystem running.
    pub const BT_READY: u8 = 1 << 3;
    /// MCU awake.
    pub const MCU_WAKEUP_READY: u8 = 1 << 4;
    /// BT awake.
    pub const BT_WAKE_READY: u8 = 1 << 5;
    /// DPD log ready.
    pub const DPD_LOG_READY: u8 = 1 << 6;

    /// True if every bit of `mask` is set.
    pub const fn has(self, mask: u8) -> bool {
        self.0 & mask == mask
    }
}

/// One subsystem handshake of spec §1.9: command bit, confirm bit, poll delay in ms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Handshake {
    /// HOST_INT command bit (without DOORBELL).
    pub cmd: u16,
    /// SLAVE_STATUS bit that confirms.
    pub confirm: u8,
    /// Whether the confirm bit must become set (activate) or clear (deactivate).
    pub confirm_set: bool,
    /// Delay between write and status read, in milliseconds.
    pub delay_ms: u32,
}

/// At most 200 command/poll attempts per handshake (spec §1.9).
pub const HANDSHAKE_MAX_TRIES: u32 = 200;

impl Handshake {
    /// MCU activate (spec §1.9).
    pub const MCU_ACTIVATE: Self = Self::new(
        HostInt::MCU_ACTIVATE,
        SlaveStatus::MCU_WAKEUP_READY,
        true,
        2,
    );
    /// MCU deactivate (spec §1.9).
    pub const MCU_DEACTIVATE: Self = Self::new(
        HostInt::MCU_DEACTIVATE,
        SlaveStatus::MCU_WAKEUP_READY,
        false,
        2,
    );
    /// Wi-Fi activate (spec §1.9).
    pub const WIFI_ACTIVATE: Self =
        Self::new(HostInt::WIFI_ACTIVATE, SlaveStatus::WIFI_READY, true, 25);
    /// Wi-Fi deactivate (spec §1.9).
    pub const WIFI_DEACTIVATE: Self =
        Self::new(HostInt::WIFI_DEACTIVATE, SlaveStatus::WIFI_READY, false, 25);
    /// BT activate (spec §1.9).
    pub const BT_ACTIVATE: Self = Self::new(HostInt::BT_ACTIVATE, SlaveStatus::BT_READY, true, 25);
    /// BT deactivate (spec §1.9).
    pub const BT_DEACTIVATE: Self =
        Self::new(HostInt::BT_DEACTIVATE, SlaveStatus::BT_READY, false, 25);

    const fn new(cmd: u16, confirm: u8, confirm_set: bool, delay_ms: u32) -> Self {
        Handshake {
            cmd,
            confirm,
            confirm_set,
            delay_ms,
        }
    }

    /// True if `status` confirms this handshake.
    pub const fn confirmed(self, status: SlaveStatus) -> bool {
        (status.0 & self.confirm != 0) == self.confirm_set
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_int_write_order() {
        let w = HostInt::command(HostInt::BT_ACTIVATE).writes();
        assert_eq!(w, [(0x121, 0x01), (0x120, 0x01)]);
        let w = HostInt::command(HostInt::WIFI_ACTIVATE).writes();
        assert_eq!(w, [(0x121, 0x00), (0x120, 0x21)]);
    }

    #[test]
    fn handshake_confirm() {
        assert!(Handshake::WIFI_ACTIVATE.confirmed(SlaveStatus(0x05)));
        assert!(!Handshake::WIFI_ACTIVATE.confirmed(SlaveStatus(0x01)));
        assert!(Handshake::WIFI_DEACTIVATE.confirmed(SlaveStatus(0x01)));
        assert!(SlaveStatus(0x11).has(SlaveStatus::MCU_READY | SlaveStatus::MCU_WAKEUP_READY));
    }
}
