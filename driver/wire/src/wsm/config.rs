// SPDX-License-Identifier: GPL-2.0-only
//! Configuration request 0x0009 and its confirm 0x0409 (spec §3.3).

use super::common::MacAddr;
use super::{Message, Status};
use crate::field::le32;
use crate::{Error, Result};

/// ID of the configuration request.
pub const CONFIGURATION_REQ: u16 = 0x0009;
/// ID of the configuration confirm.
pub const CONFIGURATION_CNF: u16 = 0x0409;

/// DPD version the driver always sends (spec §3.3).
pub const DPD_VERSION: u16 = 1;
/// DPD flags the driver always sends (spec §3.3).
pub const DPD_FLAGS: u16 = 5;

view! {
    /// View of a configuration request body (spec §3.3); the SDD blob is the tail.
    pub struct ConfigReqView;
    min_len = 24;
    /// Maximum TX MSDU lifetime.
    max_tx_msdu_lifetime / set_max_tx_msdu_lifetime: u32 = 0;
    /// Maximum RX lifetime.
    max_rx_lifetime / set_max_rx_lifetime: u32 = 4;
    /// RTS threshold.
    rts_threshold / set_rts_threshold: u32 = 8;
    /// SDD length + 12.
    dpd_len / set_dpd_len: u16 = 12;
    /// DPD version (1).
    dpd_version / set_dpd_version: u16 = 14;
    /// Station MAC address.
    mac / set_mac: [u8; 6] = 16;
    /// DPD flags (5).
    dpd_flags / set_dpd_flags: u16 = 22;
}

/// Configuration request 0x0009 (spec §3.3): lifetimes, RTS threshold, MAC and the static
/// SDD blob (spec §3.10). `parse` checks that the length field equals SDD length + 12.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ConfigReq<'a> {
    /// Maximum TX MSDU lifetime.
    pub max_tx_msdu_lifetime: u32,
    /// Maximum RX lifetime.
    pub max_rx_lifetime: u32,
    /// RTS threshold.
    pub rts_threshold: u32,
    /// DPD version ([`DPD_VERSION`]).
    pub dpd_version: u16,
    /// Station MAC address.
    pub mac: MacAddr,
    /// DPD flags ([`DPD_FLAGS`]).
    pub dpd_flags: u16,
    /// The SDD blob (TLV elements, spec §3.10).
    pub sdd: &'a [u8],
}

impl<'a> Message<'a> for ConfigReq<'a> {
    const ID: u16 = CONFIGURATION_REQ;

    fn parse(body: &'a [u8]) -> Result<Self> {
        let v = ConfigReqView::new_checked(body)?;
        let sdd = &body[ConfigReqView::<&[u8]>::FIXED_LEN..];
        if usize::from(v.dpd_len()) != sdd.len() + 12 {
            return Err(Error::BadLength);
        }
        Ok(ConfigReq {
            max_tx_msdu_lifetime: v.max_tx_msdu_lifetime(),
            max_rx_lifetime: v.max_rx_lifetime(),
            rts_threshold: v.rts_threshold(),
            dpd_version: v.dpd_version(),
            mac: v.mac(),
            dpd_flags: v.dpd_flags(),
            sdd,
        })
    }

    fn buffer_len(&self) -> usize {
        ConfigReqView::<&[u8]>::FIXED_LEN + self.sdd.len()
    }

    fn emit(&self, body: &mut [u8]) {
        let mut v = ConfigReqView::new_unchecked(&mut body[..]);
        v.set_max_tx_msdu_lifetime(self.max_tx_msdu_lifetime);
        v.set_max_rx_lifetime(self.max_rx_lifetime);
        v.set_rts_threshold(self.rts_threshold);
        // CAST: a message is at most 65535 bytes (`wsm::emit` refuses more), so this fits.
        v.set_dpd_len((self.sdd.len() + 12) as u16);
        v.set_dpd_version(self.dpd_version);
        v.set_mac(self.mac);
        v.set_dpd_flags(self.dpd_flags);
        v.tail_mut()[..self.sdd.len()].copy_from_slice(self.sdd);
    }
}

/// One TX power range of the configuration confirm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct TxPowerRange {
    /// Minimum.
    pub min: u32,
    /// Maximum.
    pub max: u32,
    /// Step.
    pub step: u32,
}

view! {
    /// View of a configuration confirm body (signal mode, spec §3.3).
    pub struct ConfigCnfView;
    min_len = 40;
    /// Status.
    status / set_status: u32 = 0;
    /// MAC address the firmware uses.
    mac / set_mac: [u8; 6] = 4;
    /// Supported bands.
    bands / set_bands: u8 = 10;
    /// Padding.
    pad / set_pad: u8 = 11;
    /// Supported rate mask.
    supported_rate_mask / set_supported_rate_mask: u32 = 12;
    /// TX power ranges: 2 × {min, max, step}.
    tx_power / set_tx_power: [u8; 24] = 16;
}

/// Configuration confirm 0x0409 (signal mode, spec §3.3). In nosignal mode the payload is
/// not parsed; use [`super::status::GenericCnf`] there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ConfigCnf {
    /// Status.
    pub status: Status,
    /// MAC address.
    pub mac: MacAddr,
    /// Supported bands.
    pub bands: u8,
    /// Supported rate mask.
    pub supported_rate_mask: u32,
    /// TX power ranges (two bands).
    pub tx_power: [TxPowerRange; 2],
}

impl<'a> Message<'a> for ConfigCnf {
    const ID: u16 = CONFIGURATION_CNF;

    fn parse(body: &'a [u8]) -> Result<Self> {
        let v = ConfigCnfView::new_checked(body)?;
        let p = v.tx_power();
        let range = |o: usize| TxPowerRange {
            min: le32(&p[o..]),
            max: le32(&p[o + 4..]),
            step: le32(&p[o + 8..]),
        };
        Ok(ConfigCnf {
            status: v.status().into(),
            mac: v.mac(),
            bands: v.bands(),
            supported_rate_mask: v.supported_rate_mask(),
            tx_power: [range(0), range(12)],
        })
    }

    fn buffer_len(&self) -> usize {
        ConfigCnfView::<&[u8]>::FIXED_LEN
    }

    fn emit(&self, body: &mut [u8]) {
        let mut v = ConfigCnfView::new_unchecked(body);
        v.set_status(self.status.into());
        v.set_mac(self.mac);
        v.set_bands(self.bands);
        v.set_pad(0);
        v.set_supported_rate_mask(self.supported_rate_mask);
        let mut p = [0u8; 24];
        for (r, o) in self.tx_power.iter().zip(p.chunks_exact_mut(12)) {
            crate::field::set_le32(&mut o[0..], r.min);
            crate::field::set_le32(&mut o[4..], r.max);
            crate::field::set_le32(&mut o[8..], r.step);
        }
        v.set_tx_power(p);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wsm::testutil::check_golden;

    const SDD: [u8; 4] = [0xC0, 0x02, 0xAB, 0xCD];

    #[rustfmt::skip]
    const REQ: [u8; 28] = [
        0x10, 0x27, 0x00, 0x00, // maxTxMsduLifetime 10000
        0x20, 0x4E, 0x00, 0x00, // maxRxLifetime 20000
        0xFF, 0x07, 0x00, 0x00, // rtsThreshold 2047
        0x10, 0x00,             // SDD length 4 + 12
        0x01, 0x00,             // DPD version 1
        0x02, 0xB5, 0x26, 0x00, 0x00, 0x02, // MAC
        0x05, 0x00,             // DPD flags 5
        0xC0, 0x02, 0xAB, 0xCD, // SDD
    ];

    fn req() -> ConfigReq<'static> {
        ConfigReq {
            max_tx_msdu_lifetime: 10000,
            max_rx_lifetime: 20000,
            rts_threshold: 2047,
            dpd_version: DPD_VERSION,
            mac: [0x02, 0xB5, 0x26, 0x00, 0x00, 0x02],
            dpd_flags: DPD_FLAGS,
            sdd: &SDD,
        }
    }

    #[test]
    fn request_golden() {
        check_golden(&req(), &REQ, 24);
        let v = ConfigReqView::new_checked(&REQ[..]).unwrap();
        assert_eq!(v.tail(), &SDD);
        assert_eq!(v.dpd_len(), 16);
    }

    #[test]
    fn request_length_field_must_match() {
        let mut b = REQ;
        b[12] = 0x11;
        assert_eq!(ConfigReq::parse(&b), Err(Error::BadLength));
        assert_eq!(ConfigReq::parse(&REQ[..27]), Err(Error::BadLength));
    }

    #[test]
    fn confirm_golden() {
        #[rustfmt::skip]
        let g: [u8; 40] = [
            0, 0, 0, 0,                         // status
            0x02, 0xB5, 0x26, 0x00, 0x00, 0x02, // MAC
            0x01, 0x00,                         // bands, pad
            0xFF, 0x3F, 0x00, 0x00,             // rate mask 0x3FFF
            1, 0, 0, 0, 20, 0, 0, 0, 1, 0, 0, 0,
            2, 0, 0, 0, 30, 0, 0, 0, 2, 0, 0, 0,
        ];
        let r = ConfigCnf {
            status: Status::Success,
            mac: [0x02, 0xB5, 0x26, 0x00, 0x00, 0x02],
            bands: 1,
            supported_rate_mask: 0x3FFF,
            tx_power: [
                TxPowerRange {
                    min: 1,
                    max: 20,
                    step: 1,
                },
                TxPowerRange {
                    min: 2,
                    max: 30,
                    step: 2,
                },
            ],
        };
        check_golden(&r, &g, 40);
    }
}
