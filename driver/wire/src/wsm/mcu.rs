// SPDX-License-Identifier: GPL-2.0-only
//! MCU/vendor (0x0Cxx) framing and the driver RF command 0x0C27 (spec §3.2, §3.3, §3.6).
//!
//! Requests carry `u32 cmd_type` then the payload; confirms and indications carry
//! `u32 reserved, u32 handle_label, u32 cmd_type` then the payload.

use super::Message;
use crate::field::{le16, le32, set_le16, set_le32, take};
use crate::{Error, Result};

/// Vendor RF test (testmode only).
pub const VENDOR_RF_TEST: u16 = 0x0C25;
/// Driver RF command.
pub const DRIVER_RF_CMD: u16 = 0x0C27;
/// BT status change indication (coex).
pub const BT_STATUS_IND: u16 = 0x0C30;
/// BT wake of host (logged only).
pub const BT_WAKE_IND: u16 = 0x0C31;

enum_with_unknown! {
    /// `handle_label` of an MCU reply (spec §3.2).
    pub enum HandleLabel(u32) {
        /// Confirm (releases a TX credit).
        Confirm = 0x0F,
        /// Indication.
        Indication = 0xF0,
    }
}

view! {
    /// View of an MCU confirm/indication body (spec §3.2).
    pub struct McuReplyView;
    min_len = 12;
    /// Reserved.
    reserved / set_reserved: u32 = 0;
    /// Handle label (0x0F confirm, 0xF0 indication).
    handle_label / set_handle_label: u32 = 4;
    /// Command type.
    cmd_type / set_cmd_type: u32 = 8;
}

/// An MCU confirm or indication body (any 0x0Cxx ID from the device, spec §3.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct McuReply<'a> {
    /// Confirm or indication.
    pub handle_label: HandleLabel,
    /// Command type.
    pub cmd_type: u32,
    /// Payload.
    pub payload: &'a [u8],
}

impl<'a> McuReply<'a> {
    /// Parses an MCU reply body; the reserved word is ignored.
    ///
    /// # Errors
    ///
    /// `Truncated` below 12 bytes.
    pub fn parse(body: &'a [u8]) -> Result<Self> {
        let v = McuReplyView::new_checked(body)?;
        Ok(McuReply {
            handle_label: v.handle_label().into(),
            cmd_type: v.cmd_type(),
            payload: &body[McuReplyView::<&[u8]>::FIXED_LEN..],
        })
    }

    /// True if this reply is a confirm, which releases one TX credit (spec §3.2).
    pub fn is_confirm(&self) -> bool {
        self.handle_label == HandleLabel::Confirm
    }

    /// Body length.
    pub fn buffer_len(&self) -> usize {
        McuReplyView::<&[u8]>::FIXED_LEN + self.payload.len()
    }

    /// Writes the body (exactly `buffer_len()` bytes); reserved is 0.
    pub fn emit(&self, body: &mut [u8]) {
        let mut v = McuReplyView::new_unchecked(&mut body[..]);
        v.set_reserved(0);
        v.set_handle_label(self.handle_label.into());
        v.set_cmd_type(self.cmd_type);
        v.tail_mut()[..self.payload.len()].copy_from_slice(self.payload);
    }
}

enum_with_unknown! {
    /// Command type of the driver RF command 0x0C27 (spec §3.3).
    pub enum RfCmdType(u32) {
        /// Calibration data to flash.
        CaliToFlash = 0,
        /// Channel info (sent on channel change for coex).
        ChannelInfo = 1,
        /// CPU usage.
        CpuUsage = 2,
        /// Wi-Fi status.
        WifiStatus = 3,
        /// Calibration data to efuse.
        CaliToEfuse = 4,
    }
}

/// Driver RF command 0x0C27 request: `u32 cmd_type` + payload (spec §3.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RfCmd<'a> {
    /// Command type.
    pub cmd: RfCmdType,
    /// Payload.
    pub payload: &'a [u8],
}

impl<'a> Message<'a> for RfCmd<'a> {
    const ID: u16 = DRIVER_RF_CMD;

    fn parse(body: &'a [u8]) -> Result<Self> {
        let t = le32(take(body, 4)?);
        Ok(RfCmd {
            cmd: t.into(),
            payload: &body[4..],
        })
    }

    fn buffer_len(&self) -> usize {
        4 + self.payload.len()
    }

    fn emit(&self, body: &mut [u8]) {
        set_le32(body, self.cmd.into());
        body[4..4 + self.payload.len()].copy_from_slice(self.payload);
    }
}

/// Payload of RF command type 1: `u32 channel, u16 channel_type` (spec §3.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ChannelInfo {
    /// Channel number.
    pub channel: u32,
    /// Channel type.
    pub channel_type: u16,
}

impl ChannelInfo {
    /// Payload length.
    pub const LEN: usize = 6;

    /// Parses the payload.
    ///
    /// # Errors
    ///
    /// `BadLength` unless exactly 6 bytes.
    pub fn parse(p: &[u8]) -> Result<Self> {
        if p.len() != Self::LEN {
            return Err(Error::BadLength);
        }
        Ok(ChannelInfo {
            channel: le32(p),
            channel_type: le16(&p[4..]),
        })
    }

    /// The 6-byte payload.
    pub fn to_bytes(&self) -> [u8; 6] {
        let mut b = [0u8; 6];
        set_le32(&mut b, self.channel);
        set_le16(&mut b[4..], self.channel_type);
        b
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wsm::testutil::check_golden;

    #[test]
    fn rf_cmd_channel_info() {
        let ci = ChannelInfo {
            channel: 6,
            channel_type: 1,
        };
        let p = ci.to_bytes();
        let r = RfCmd {
            cmd: RfCmdType::ChannelInfo,
            payload: &p,
        };
        check_golden(&r, &[1, 0, 0, 0, 6, 0, 0, 0, 1, 0], 4);
        assert_eq!(ChannelInfo::parse(&p), Ok(ci));
        assert_eq!(ChannelInfo::parse(&p[..5]), Err(Error::BadLength));
    }

    #[test]
    fn mcu_reply() {
        let g = [
            0xEE, 0xEE, 0, 0, 0x0F, 0, 0, 0, 0, 0, 0, 0, 0xAB, 0xCD, 0, 0,
        ];
        let r = McuReply::parse(&g).unwrap();
        assert!(r.is_confirm());
        assert_eq!(r.cmd_type, 0);
        assert_eq!(r.payload, &[0xAB, 0xCD, 0, 0]);
        let mut b = [0xa5u8; 16];
        r.emit(&mut b);
        assert_eq!(&b[..4], &[0, 0, 0, 0]);
        assert_eq!(&b[4..], &g[4..]);
        assert_eq!(McuReply::parse(&g[..11]), Err(Error::Truncated));
        let i = McuReply::parse(&[0, 0, 0, 0, 0xF0, 0, 0, 0, 2, 0, 0, 0]).unwrap();
        assert_eq!(i.handle_label, HandleLabel::Indication);
        assert!(!i.is_confirm());
    }
}
