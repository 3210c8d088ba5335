// SPDX-License-Identifier: GPL-2.0-only
//! Write-MIB payloads a station sends around association (spec §3.10): slot time, RTS
//! threshold, non-ERP protection, the ARP IPv4 filter, the template frame, the RCPI/RSSI
//! threshold, the association mode, U-APSD information and HT protection.
//!
//! [`mib`](super::mib) carries these as `Mib::Raw`; here each has its typed layout, taken from
//! the MIB helpers of the vendor driver (`C:wsm.h`, cited per type). [`WriteAssocMib`] is the
//! write-MIB request 0x0006 with one of them as its value, so the engine emits and the
//! simulated firmware parses them without raw bytes.

use super::mib::{id, WRITE_MIB_REQ};
use super::Message;
use crate::field::{check_zero, le16, le32, set_le16, set_le32, take};
use crate::{Error, Result};

/// Association-mode flag bits (`C:wsm.h:358-362`).
pub mod assoc_flags {
    /// Use the preamble type field.
    pub const USE_PREAMBLE_TYPE: u8 = 1 << 0;
    /// Use the greenfield field (HT mode).
    pub const USE_HT_MODE: u8 = 1 << 1;
    /// Use the basic rate set field.
    pub const USE_BASIC_RATE_SET: u8 = 1 << 2;
    /// Use the MPDU start spacing field.
    pub const USE_MPDU_START_SPACING: u8 = 1 << 3;
    /// Snoop association frames.
    pub const SNOOP_ASSOC_FRAMES: u8 = 1 << 4;
    /// Every defined bit.
    pub const ALL: u8 = 0x1F;
}

/// RCPI/RSSI threshold mode bits (`C:wsm.h:365-368`).
pub mod rcpi_mode {
    /// Threshold reporting enabled.
    pub const ENABLE: u8 = 1 << 0;
    /// Report RSSI instead of RCPI.
    pub const USE_RSSI: u8 = 1 << 1;
    /// Ignore the upper threshold.
    pub const DONT_USE_UPPER: u8 = 1 << 2;
    /// Ignore the lower threshold.
    pub const DONT_USE_LOWER: u8 = 1 << 3;
    /// Every defined bit.
    pub const ALL: u8 = 0x0F;
}

/// Template frame types (`C:wsm.h:588-597`).
pub mod frame_type {
    /// Probe request (the scan template).
    pub const PROBE_REQUEST: u8 = 0;
    /// Beacon.
    pub const BEACON: u8 = 1;
    /// Null data.
    pub const NULL: u8 = 2;
    /// QoS null data.
    pub const QOS_NULL: u8 = 3;
    /// PS-poll.
    pub const PS_POLL: u8 = 4;
    /// Probe response.
    pub const PROBE_RESPONSE: u8 = 5;
    /// ARP reply.
    pub const ARP_REPLY: u8 = 6;
    /// IPv6 neighbour advertisement.
    pub const NA: u8 = 7;
}

/// The ARP filter's `enable` value for a station: filter and offload (`C:ap.c:29, 448`).
pub const ARP_FILTER_STATION: u32 = 3;

/// MIB 0x1010 association mode, 8 bytes (`C:wsm.h:1702-1708`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct AssociationMode {
    /// `assoc_flags::*`.
    pub flags: u8,
    /// Preamble: 0 long, 1 short (the join request's code points, spec §3.3).
    pub preamble: u8,
    /// 1 for greenfield.
    pub greenfield: u8,
    /// MPDU start spacing (the HT A-MPDU density code).
    pub mpdu_start_spacing: u8,
    /// Basic rates as the firmware's rate bitmap (spec §3.9).
    pub basic_rate_set: u32,
}

/// MIB 0x1009 RCPI/RSSI threshold, 4 bytes (`C:wsm.h:1446-1451`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct RcpiRssiThreshold {
    /// `rcpi_mode::*`.
    pub mode: u8,
    /// Lower threshold (RCPI units unless `USE_RSSI`).
    pub lower: u8,
    /// Upper threshold.
    pub upper: u8,
    /// Rolling average count.
    pub rolling_average_count: u8,
}

/// MIB 0x1013 U-APSD information, 8 bytes (`C:wsm.h:2047-2052`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct UapsdInfo {
    /// Bit 3 VO, 2 VI, 1 BE, 0 BK: trigger-enabled access classes (`C:sta.c:2514-2527`).
    pub flags: u16,
    /// Minimum auto-trigger interval.
    pub min_auto_trigger_interval: u16,
    /// Maximum auto-trigger interval.
    pub max_auto_trigger_interval: u16,
    /// Auto-trigger step.
    pub auto_trigger_step: u16,
}

/// A typed write-MIB value of the association family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AssocMib<'a> {
    /// 0x0003: slot time in µs, u32 (9 short, 20 long; `C:ap.c:893-899`).
    SlotTime(u32),
    /// 0x0007: RTS threshold in bytes, u32; 0 disables (`C:sta.c:1160-1165`).
    RtsThreshold(u32),
    /// 0x1000: non-ERP protection, u32 0/1.
    NonErpProtection(bool),
    /// 0x1001: ARP IPv4 filter: u32 enable, one IPv4 address in network order
    /// (`C:wsm.h:1932-1935`, one entry: `C:wsm.h:447`).
    ArpIpv4Filter {
        /// 0 off, [`ARP_FILTER_STATION`] for a station.
        enable: u32,
        /// The address, as on the wire (big-endian).
        addr: [u8; 4],
    },
    /// 0x1002: template frame: u8 type, u8 rate, u16 frame length, the 802.11 frame
    /// (`C:wsm.h:1641-1655`).
    TemplateFrame {
        /// `frame_type::*`.
        frame_type: u8,
        /// Hardware rate index to send it at.
        rate: u8,
        /// The frame (header and IEs).
        frame: &'a [u8],
    },
    /// 0x1009: RCPI/RSSI threshold.
    RcpiRssiThreshold(RcpiRssiThreshold),
    /// 0x1010: association mode.
    AssociationMode(AssociationMode),
    /// 0x1013: U-APSD information.
    UapsdInfo(UapsdInfo),
    /// 0x1021: HT protection, u32 (bit 1: a non-greenfield station is present,
    /// `C:ap.c:689-698`).
    HtProtection(u32),
}

fn exact(data: &[u8], n: usize) -> Result<&[u8]> {
    if data.len() != n {
        return Err(Error::BadLength);
    }
    Ok(data)
}

impl<'a> AssocMib<'a> {
    /// Whether this module types MIB `mib_id`.
    pub fn handles(mib_id: u16) -> bool {
        matches!(
            mib_id,
            id::SLOT_TIME
                | id::RTS_THRESHOLD
                | id::NON_ERP_PROTECTION
                | id::ARP_IP_ADDRESSES_TABLE
                | id::TEMPLATE_FRAME
                | id::RCPI_RSSI_THRESHOLD
                | id::SET_ASSOCIATION_MODE
                | id::SET_UAPSD_INFORMATION
                | id::SET_HT_PROTECTION
        )
    }

    /// The MIB id.
    pub fn id(&self) -> u16 {
        match self {
            AssocMib::SlotTime(_) => id::SLOT_TIME,
            AssocMib::RtsThreshold(_) => id::RTS_THRESHOLD,
            AssocMib::NonErpProtection(_) => id::NON_ERP_PROTECTION,
            AssocMib::ArpIpv4Filter { .. } => id::ARP_IP_ADDRESSES_TABLE,
            AssocMib::TemplateFrame { .. } => id::TEMPLATE_FRAME,
            AssocMib::RcpiRssiThreshold(_) => id::RCPI_RSSI_THRESHOLD,
            AssocMib::AssociationMode(_) => id::SET_ASSOCIATION_MODE,
            AssocMib::UapsdInfo(_) => id::SET_UAPSD_INFORMATION,
            AssocMib::HtProtection(_) => id::SET_HT_PROTECTION,
        }
    }

    /// Parses the payload of MIB `mib_id`; each has its exact length.
    ///
    /// # Errors
    ///
    /// `Unsupported` for a MIB this module does not type; `BadLength` for a wrong length;
    /// `BadValue` or `Reserved` for values outside the layout.
    pub fn parse(mib_id: u16, data: &'a [u8]) -> Result<Self> {
        Ok(match mib_id {
            id::SLOT_TIME => AssocMib::SlotTime(le32(exact(data, 4)?)),
            id::RTS_THRESHOLD => AssocMib::RtsThreshold(le32(exact(data, 4)?)),
            id::NON_ERP_PROTECTION => match le32(exact(data, 4)?) {
                0 => AssocMib::NonErpProtection(false),
                1 => AssocMib::NonErpProtection(true),
                _ => return Err(Error::BadValue),
            },
            id::ARP_IP_ADDRESSES_TABLE => {
                let d = exact(data, 8)?;
                let mut addr = [0u8; 4];
                addr.copy_from_slice(&d[4..8]);
                AssocMib::ArpIpv4Filter {
                    enable: le32(d),
                    addr,
                }
            }
            id::TEMPLATE_FRAME => {
                let h = take(data, 4)?;
                let len = usize::from(le16(&h[2..]));
                let frame = &data[4..];
                // A disabled template has length 0 but may still carry the frame.
                if len != 0 && len != frame.len() {
                    return Err(Error::BadLength);
                }
                AssocMib::TemplateFrame {
                    frame_type: h[0],
                    rate: h[1],
                    frame,
                }
            }
            id::RCPI_RSSI_THRESHOLD => {
                let d = exact(data, 4)?;
                if d[0] & !rcpi_mode::ALL != 0 {
                    return Err(Error::Reserved);
                }
                AssocMib::RcpiRssiThreshold(RcpiRssiThreshold {
                    mode: d[0],
                    lower: d[1],
                    upper: d[2],
                    rolling_average_count: d[3],
                })
            }
            id::SET_ASSOCIATION_MODE => {
                let d = exact(data, 8)?;
                if d[0] & !assoc_flags::ALL != 0 {
                    return Err(Error::Reserved);
                }
                if d[1] > 2 || d[2] > 1 {
                    return Err(Error::BadValue);
                }
                AssocMib::AssociationMode(AssociationMode {
                    flags: d[0],
                    preamble: d[1],
                    greenfield: d[2],
                    mpdu_start_spacing: d[3],
                    basic_rate_set: le32(&d[4..]),
                })
            }
            id::SET_UAPSD_INFORMATION => {
                let d = exact(data, 8)?;
                let flags = le16(d);
                if flags & !0xF != 0 {
                    return Err(Error::Reserved);
                }
                AssocMib::UapsdInfo(UapsdInfo {
                    flags,
                    min_auto_trigger_interval: le16(&d[2..]),
                    max_auto_trigger_interval: le16(&d[4..]),
                    auto_trigger_step: le16(&d[6..]),
                })
            }
            id::SET_HT_PROTECTION => {
                let v = le32(exact(data, 4)?);
                check_zero(&(v & !0x3).to_le_bytes())?;
                AssocMib::HtProtection(v)
            }
            _ => return Err(Error::Unsupported),
        })
    }

    /// Payload length in bytes.
    pub fn buffer_len(&self) -> usize {
        match self {
            AssocMib::ArpIpv4Filter { .. }
            | AssocMib::AssociationMode(_)
            | AssocMib::UapsdInfo(_) => 8,
            AssocMib::TemplateFrame { frame, .. } => 4 + frame.len(),
            _ => 4,
        }
    }

    /// Writes the payload into `out` (exactly `buffer_len()` bytes).
    pub fn emit(&self, out: &mut [u8]) {
        match self {
            AssocMib::SlotTime(v) | AssocMib::RtsThreshold(v) | AssocMib::HtProtection(v) => {
                set_le32(out, *v)
            }
            AssocMib::NonErpProtection(b) => set_le32(out, u32::from(*b)),
            AssocMib::ArpIpv4Filter { enable, addr } => {
                set_le32(out, *enable);
                out[4..8].copy_from_slice(addr);
            }
            AssocMib::TemplateFrame {
                frame_type,
                rate,
                frame,
            } => {
                out[0] = *frame_type;
                out[1] = *rate;
                // CAST: a message is at most 65535 bytes, so its frame fits.
                set_le16(&mut out[2..], frame.len() as u16);
                out[4..4 + frame.len()].copy_from_slice(frame);
            }
            AssocMib::RcpiRssiThreshold(t) => {
                out[..4].copy_from_slice(&[t.mode, t.lower, t.upper, t.rolling_average_count]);
            }
            AssocMib::AssociationMode(m) => {
                out[..4].copy_from_slice(&[
                    m.flags,
                    m.preamble,
                    m.greenfield,
                    m.mpdu_start_spacing,
                ]);
                set_le32(&mut out[4..], m.basic_rate_set);
            }
            AssocMib::UapsdInfo(u) => {
                set_le16(out, u.flags);
                set_le16(&mut out[2..], u.min_auto_trigger_interval);
                set_le16(&mut out[4..], u.max_auto_trigger_interval);
                set_le16(&mut out[6..], u.auto_trigger_step);
            }
        }
    }
}

/// Write MIB 0x0006 with an association-family value: `u16 mib_id, u16 len, data`
/// (spec §3.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct WriteAssocMib<'a>(pub AssocMib<'a>);

impl<'a> Message<'a> for WriteAssocMib<'a> {
    const ID: u16 = WRITE_MIB_REQ;

    fn parse(body: &'a [u8]) -> Result<Self> {
        let h = take(body, 4)?;
        let len = usize::from(le16(&h[2..]));
        let data = body.get(4..4 + len).ok_or(Error::BadLength)?;
        Ok(WriteAssocMib(AssocMib::parse(le16(h), data)?))
    }

    fn buffer_len(&self) -> usize {
        4 + self.0.buffer_len()
    }

    fn emit(&self, body: &mut [u8]) {
        set_le16(body, self.0.id());
        // CAST: a message is at most 65535 bytes, so its payload fits.
        set_le16(&mut body[2..], self.0.buffer_len() as u16);
        self.0.emit(&mut body[4..]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wsm::testutil::check_golden;

    fn wm(m: AssocMib<'_>, g: &[u8]) {
        check_golden(&WriteAssocMib(m), g, 4);
    }

    #[test]
    fn typed_golden() {
        wm(AssocMib::SlotTime(9), &[0x03, 0x00, 4, 0, 9, 0, 0, 0]);
        wm(
            AssocMib::RtsThreshold(2347),
            &[0x07, 0x00, 4, 0, 0x2B, 0x09, 0, 0],
        );
        wm(
            AssocMib::NonErpProtection(true),
            &[0x00, 0x10, 4, 0, 1, 0, 0, 0],
        );
        wm(
            AssocMib::ArpIpv4Filter {
                enable: ARP_FILTER_STATION,
                addr: [192, 168, 1, 7],
            },
            &[0x01, 0x10, 8, 0, 3, 0, 0, 0, 192, 168, 1, 7],
        );
        wm(
            AssocMib::RcpiRssiThreshold(RcpiRssiThreshold {
                mode: rcpi_mode::ENABLE | rcpi_mode::DONT_USE_UPPER | rcpi_mode::DONT_USE_LOWER,
                lower: 0,
                upper: 0,
                rolling_average_count: 16,
            }),
            &[0x09, 0x10, 4, 0, 0x0D, 0, 0, 16],
        );
        wm(
            AssocMib::AssociationMode(AssociationMode {
                flags: assoc_flags::ALL,
                preamble: 1,
                greenfield: 0,
                mpdu_start_spacing: 5,
                basic_rate_set: 0x0F,
            }),
            &[0x10, 0x10, 8, 0, 0x1F, 1, 0, 5, 0x0F, 0, 0, 0],
        );
        wm(
            AssocMib::UapsdInfo(UapsdInfo {
                flags: 0b1010,
                ..UapsdInfo::default()
            }),
            &[0x13, 0x10, 8, 0, 0x0A, 0, 0, 0, 0, 0, 0, 0],
        );
        wm(AssocMib::HtProtection(2), &[0x21, 0x10, 4, 0, 2, 0, 0, 0]);
    }

    #[test]
    fn template_frame_golden() {
        let frame = [0x40, 0x00, 0xAA, 0xBB];
        wm(
            AssocMib::TemplateFrame {
                frame_type: frame_type::PROBE_REQUEST,
                rate: 0,
                frame: &frame,
            },
            &[0x02, 0x10, 8, 0, 0, 0, 4, 0, 0x40, 0x00, 0xAA, 0xBB],
        );
        // The inner length disagrees with the MIB length.
        assert_eq!(
            WriteAssocMib::parse(&[0x02, 0x10, 6, 0, 0, 0, 4, 0, 0x40, 0x00]),
            Err(Error::BadLength)
        );
    }

    #[test]
    fn bad_payloads() {
        assert_eq!(
            WriteAssocMib::parse(&[0x10, 0x10, 8, 0, 0x20, 0, 0, 0, 0, 0, 0, 0]),
            Err(Error::Reserved)
        );
        assert_eq!(
            WriteAssocMib::parse(&[0x10, 0x10, 8, 0, 0, 3, 0, 0, 0, 0, 0, 0]),
            Err(Error::BadValue)
        );
        assert_eq!(
            WriteAssocMib::parse(&[0x03, 0x00, 2, 0, 9, 0]),
            Err(Error::BadLength)
        );
        assert_eq!(
            WriteAssocMib::parse(&[0x09, 0x10, 4, 0, 0x10, 0, 0, 0]),
            Err(Error::Reserved)
        );
        assert_eq!(
            WriteAssocMib::parse(&[0x00, 0x10, 4, 0, 2, 0, 0, 0]),
            Err(Error::BadValue)
        );
        // A MIB of another family.
        assert_eq!(
            WriteAssocMib::parse(&[0x24, 0x10, 4, 0, 1, 0, 0, 0]),
            Err(Error::Unsupported)
        );
        assert!(!AssocMib::handles(0x1024));
        assert!(AssocMib::handles(0x1010));
        // Length field beyond the body.
        assert_eq!(
            WriteAssocMib::parse(&[0x03, 0x00, 8, 0, 9, 0, 0, 0]),
            Err(Error::BadLength)
        );
    }
}
