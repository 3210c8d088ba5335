// SPDX-License-Identifier: GPL-2.0-only
//! Receive indication 0x0804 (spec §3.7): 28-byte radio header, then the 802.11 frame at
//! byte 32 of the message.

use super::{Message, Status};
use crate::Result;

/// ID of the receive indication.
pub const RX_IND: u16 = 0x0804;

/// Offset of the 802.11 frame from the start of the message (spec §3.7).
pub const FRAME_OFFSET: usize = 32;

/// Interface id 2 (`CW12XX_GENERIC_IF_ID`) in the ID word marks scan results (spec §3.7).
pub const GENERIC_IF_ID: u8 = 2;

view! {
    /// View of a receive indication body (spec §3.7, offsets minus the WSM header).
    pub struct RxIndView;
    min_len = FRAME_OFFSET - super::HEADER_LEN;
    /// Status (§3.8.1).
    status / set_status: u32 = 0;
    /// Channel number.
    channel / set_channel: u16 = 4;
    /// Hw rate index.
    rxed_rate / set_rxed_rate: u8 = 6;
    /// RCPI, unsigned Q7.1.
    rcpi / set_rcpi: u8 = 7;
    /// Flags ([`RxFlags`]).
    flags / set_flags: u32 = 8;
    /// BES extension of unknown meaning, skipped.
    ext / set_ext: [u8; 16] = 12;
}

enum_with_unknown! {
    /// Encryption in RX flags bits 0-2 (spec §3.7).
    pub enum Encryption(u8) {
        /// Not encrypted.
        None = 0,
        /// WEP.
        Wep = 1,
        /// TKIP.
        Tkip = 2,
        /// AES (CCMP).
        Aes = 3,
        /// WAPI.
        Wapi = 4,
        /// Decrypted with IV/ICV already stripped (BES).
        Stripped = 7,
    }
}

/// RX indication flags (spec §3.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct RxFlags(pub u32);

impl RxFlags {
    /// Bit 3: part of an A-MPDU.
    pub const AMPDU: u32 = 1 << 3;
    /// Bit 4: first of an A-MPDU.
    pub const AMPDU_FIRST: u32 = 1 << 4;
    /// Bit 5: last of an A-MPDU.
    pub const AMPDU_LAST: u32 = 1 << 5;
    /// Bit 6: defragmented.
    pub const DEFRAGMENTED: u32 = 1 << 6;
    /// Bit 7: beacon.
    pub const BEACON: u32 = 1 << 7;
    /// Bit 8: TIM set.
    pub const TIM: u32 = 1 << 8;
    /// Bit 9: multicast.
    pub const MULTICAST: u32 = 1 << 9;
    /// Bit 10: SSID matched.
    pub const MATCHING_SSID: u32 = 1 << 10;
    /// Bit 11: BSSID matched.
    pub const MATCHING_BSSID: u32 = 1 << 11;
    /// Bit 12: more data.
    pub const MORE_DATA: u32 = 1 << 12;
    /// Bit 13: measurement.
    pub const MEASUREMENT: u32 = 1 << 13;
    /// Bit 14: HT.
    pub const HT: u32 = 1 << 14;
    /// Bit 15: STBC.
    pub const STBC: u32 = 1 << 15;
    /// Bit 16: address 1 matched.
    pub const ADDRESS1: u32 = 1 << 16;
    /// Bit 17: group.
    pub const GROUP: u32 = 1 << 17;
    /// Bit 18: broadcast.
    pub const BROADCAST: u32 = 1 << 18;
    /// Bit 19: group key.
    pub const GROUP_KEY: u32 = 1 << 19;

    /// Bits 0-2: encryption.
    pub fn encryption(self) -> Encryption {
        Encryption::from((self.0 & 7) as u8) // CAST: 3 bits.
    }

    /// Bits 20-23: key index.
    pub const fn key_index(self) -> u8 {
        ((self.0 >> 20) & 0xF) as u8
    }

    /// Bits 25-28: link id (BES form; `(flags >> 25) & 0xF`).
    pub const fn link_id(self) -> u8 {
        ((self.0 >> 25) & 0xF) as u8
    }

    /// True if every bit of `mask` is set.
    pub const fn has(self, mask: u32) -> bool {
        self.0 & mask == mask
    }

    /// Returns the flags with the encryption field set.
    pub fn with_encryption(self, e: Encryption) -> Self {
        RxFlags((self.0 & !7) | u32::from(u8::from(e) & 7))
    }

    /// Returns the flags with the link id field set.
    pub const fn with_link_id(self, link_id: u8) -> Self {
        RxFlags((self.0 & !(0xF << 25)) | (((link_id & 0xF) as u32) << 25))
    }
}

/// RSSI in dBm from RCPI: RCPI/2 − 110 (spec §3.7), rounded towards zero.
pub const fn rssi_dbm(rcpi: u8) -> i16 {
    (rcpi / 2) as i16 - 110
}

/// Receive indication 0x0804 (spec §3.7). The 16-byte extension is not kept; `emit`
/// writes zeros there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RxInd<'a> {
    /// Status: 0 ok, 5 MIC failure (pass up), 9 no key (drop), others drop.
    pub status: Status,
    /// Channel number (> 14 means 5 GHz).
    pub channel: u16,
    /// Hw rate index (spec §3.9).
    pub rxed_rate: u8,
    /// RCPI.
    pub rcpi: u8,
    /// Flags.
    pub flags: RxFlags,
    /// The 802.11 frame.
    pub frame: &'a [u8],
}

impl<'a> Message<'a> for RxInd<'a> {
    const ID: u16 = RX_IND;

    fn parse(body: &'a [u8]) -> Result<Self> {
        let v = RxIndView::new_checked(body)?;
        Ok(RxInd {
            status: v.status().into(),
            channel: v.channel(),
            rxed_rate: v.rxed_rate(),
            rcpi: v.rcpi(),
            flags: RxFlags(v.flags()),
            frame: &body[RxIndView::<&[u8]>::FIXED_LEN..],
        })
    }

    fn buffer_len(&self) -> usize {
        RxIndView::<&[u8]>::FIXED_LEN + self.frame.len()
    }

    fn emit(&self, body: &mut [u8]) {
        let mut v = RxIndView::new_unchecked(&mut body[..]);
        v.set_status(self.status.into());
        v.set_channel(self.channel);
        v.set_rxed_rate(self.rxed_rate);
        v.set_rcpi(self.rcpi);
        v.set_flags(self.flags.0);
        v.set_ext([0; 16]);
        v.tail_mut()[..self.frame.len()].copy_from_slice(self.frame);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wsm::testutil::check_golden;

    #[rustfmt::skip]
    const RX: [u8; 32] = [
        0x00, 0x00, 0x00, 0x00, // status ok
        0x06, 0x00,             // channel 6
        0x0E,                   // MCS0
        0x78,                   // RCPI 120 → -50 dBm
        0x03, 0x08, 0x00, 0x06, // flags: AES, BSSID match, link id 3
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // extension
        0x08, 0x02, 0x00, 0x00, // frame
    ];

    fn rx() -> RxInd<'static> {
        RxInd {
            status: Status::Success,
            channel: 6,
            rxed_rate: 14,
            rcpi: 120,
            flags: RxFlags(RxFlags::MATCHING_BSSID)
                .with_encryption(Encryption::Aes)
                .with_link_id(3),
            frame: &RX[28..],
        }
    }

    #[test]
    fn deconstruct() {
        let v = RxIndView::new_checked(&RX[..]).unwrap();
        let f = RxFlags(v.flags());
        assert_eq!(f.encryption(), Encryption::Aes);
        assert_eq!(f.link_id(), 3);
        assert!(f.has(RxFlags::MATCHING_BSSID));
        assert!(!f.has(RxFlags::BEACON));
        assert_eq!(v.tail(), &[0x08, 0x02, 0x00, 0x00]);
        assert_eq!(rssi_dbm(v.rcpi()), -50);
        // The frame sits at byte 32 of the whole message.
        assert_eq!(
            super::super::HEADER_LEN + RxIndView::<&[u8]>::FIXED_LEN,
            FRAME_OFFSET
        );
    }

    #[test]
    fn golden() {
        check_golden(&rx(), &RX, 28);
        // The extension is skipped on parse.
        let mut g = RX;
        g[20] = 0x55;
        assert_eq!(RxInd::parse(&g), Ok(rx()));
    }

    #[test]
    fn flags_fields() {
        let f = RxFlags(0x1E00_0000 | 0x00F0_0000 | 7);
        assert_eq!(f.link_id(), 15);
        assert_eq!(f.key_index(), 15);
        assert_eq!(f.encryption(), Encryption::Stripped);
        assert_eq!(RxFlags(5).encryption(), Encryption::Unknown(5));
    }
}
