// SPDX-License-Identifier: GPL-2.0-only
//! Read MIB 0x0005 (+ confirm 0x0405), write MIB 0x0006 and typed payloads for the MIBs a
//! station driver uses (spec §3.3, §3.10). Payload layouts not tabled in the spec follow
//! the MIB helpers of `C:wsm.h`; every other MIB is carried as raw id + bytes.

use super::rate::{RatePolicy, MAX_POLICIES};
use super::{Message, Status};
use crate::field::{check_zero, le16, le32, set_le16, set_le32, take};
use crate::list::{List, Record};
use crate::{Error, Result};

/// ID of the read-MIB request.
pub const READ_MIB_REQ: u16 = 0x0005;
/// ID of the read-MIB confirm.
pub const READ_MIB_CNF: u16 = 0x0405;
/// ID of the write-MIB request.
pub const WRITE_MIB_REQ: u16 = 0x0006;

/// MIB ids (spec §3.10).
pub mod id {
    /// dot11 station id.
    pub const DOT11_STATION_ID: u16 = 0x0000;
    /// Slot time.
    pub const SLOT_TIME: u16 = 0x0003;
    /// Group address table.
    pub const GROUP_ADDRESSES_TABLE: u16 = 0x0004;
    /// WEP default key id.
    pub const WEP_DEFAULT_KEY_ID: u16 = 0x0005;
    /// Current TX power level.
    pub const CURRENT_TX_POWER_LEVEL: u16 = 0x0006;
    /// RTS threshold.
    pub const RTS_THRESHOLD: u16 = 0x0007;
    /// Non-ERP protection.
    pub const NON_ERP_PROTECTION: u16 = 0x1000;
    /// ARP IPv4 table.
    pub const ARP_IP_ADDRESSES_TABLE: u16 = 0x1001;
    /// Template frame.
    pub const TEMPLATE_FRAME: u16 = 0x1002;
    /// RX filter.
    pub const RX_FILTER: u16 = 0x1003;
    /// Beacon filter table.
    pub const BEACON_FILTER_TABLE: u16 = 0x1004;
    /// Beacon filter enable.
    pub const BEACON_FILTER_ENABLE: u16 = 0x1005;
    /// Operational power mode.
    pub const OPERATIONAL_POWER_MODE: u16 = 0x1006;
    /// Beacon wake-up period.
    pub const BEACON_WAKEUP_PERIOD: u16 = 0x1007;
    /// RCPI/RSSI threshold.
    pub const RCPI_RSSI_THRESHOLD: u16 = 0x1009;
    /// Counters table.
    pub const COUNTERS_TABLE: u16 = 0x100C;
    /// Block-ack policy.
    pub const BLOCK_ACK_POLICY: u16 = 0x100E;
    /// Override internal TX rate.
    pub const OVERRIDE_INTERNAL_TX_RATE: u16 = 0x100F;
    /// Association mode.
    pub const SET_ASSOCIATION_MODE: u16 = 0x1010;
    /// U-APSD information.
    pub const SET_UAPSD_INFORMATION: u16 = 0x1013;
    /// Auto calibration mode.
    pub const SET_AUTO_CALIBRATION_MODE: u16 = 0x1015;
    /// TX rate retry policy.
    pub const SET_TX_RATE_RETRY_POLICY: u16 = 0x1016;
    /// P2P PS mode info.
    pub const P2P_PS_MODE_INFO: u16 = 0x1019;
    /// Ether-type data-frame filter.
    pub const SET_ETHERTYPE_DATAFRAME_FILTER: u16 = 0x101A;
    /// UDP-port data-frame filter.
    pub const SET_UDPPORT_DATAFRAME_FILTER: u16 = 0x101B;
    /// Protected management frame policy.
    pub const PROTECTED_MGMT_POLICY: u16 = 0x1020;
    /// HT protection.
    pub const SET_HT_PROTECTION: u16 = 0x1021;
    /// Use multi-TX confirm.
    pub const USE_MULTI_TX_CONF: u16 = 0x1024;
    /// Keep-alive period.
    pub const KEEP_ALIVE_PERIOD: u16 = 0x1025;
    /// Disable BSSID filter.
    pub const DISABLE_BSSID_FILTER: u16 = 0x1026;
    /// MAC address filter (BES).
    pub const MAC_ADDR_FILTER: u16 = 0x1030;
    /// IPv4 address filtering (BES).
    pub const IPV4_ADDR_FILTER: u16 = 0x1031;
    /// IPv6 address filter (BES).
    pub const IPV6_ADDR_FILTER: u16 = 0x1032;
    /// Forwarding offload.
    pub const FORWARDING_OFFLOAD: u16 = 0x1033;
    /// NS IPv6 address table.
    pub const NS_IP_ADDRESSES_TABLE: u16 = 0x1034;
    /// Set inactivity.
    pub const SET_INACTIVITY: u16 = 0x1035;
    /// EXT: TCP keep-alive frame.
    pub const EXT_TCP_KEEP_ALIVE_FRAME: u16 = 0x1041;
    /// EXT: TCP keep-alive period.
    pub const EXT_TCP_KEEP_ALIVE_PERIOD: u16 = 0x1042;
}

enum_with_unknown! {
    /// Power mode in MIB 0x1006 bits 0-3 (spec §3.10).
    pub enum PowerModeKind(u8) {
        /// Active.
        Active = 0,
        /// Doze.
        Doze = 1,
        /// Quiescent.
        Quiescent = 2,
    }
}

/// MIB 0x1006 operational power mode (spec §3.10).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PowerMode {
    /// Mode.
    pub mode: PowerModeKind,
    /// Bit 4: do not use the "more" flag.
    pub disable_more_flag: bool,
    /// Bit 5: antenna diversity.
    pub ant_diversity: bool,
}

/// MIB 0x1003 RX filter bits (`C:wsm.h` RX filter helper).
pub mod rx_filter {
    /// Promiscuous.
    pub const PROMISCUOUS: u32 = 1 << 0;
    /// BSSID filtering.
    pub const BSSID: u32 = 1 << 1;
    /// Pass frames with FCS errors.
    pub const FCS: u32 = 1 << 2;
    /// Probe responder.
    pub const PROBE_RESPONDER: u32 = 1 << 3;
    /// Keep-alive filtering.
    pub const KEEPALIVE: u32 = 1 << 4;
    /// All defined bits.
    pub const ALL: u32 = 0x1F;
}

/// MIB 0x1005 beacon filter control bits (`C:wsm.h`).
pub mod beacon_filter {
    /// Enable.
    pub const ENABLE: u32 = 1 << 0;
    /// Automatic ERP.
    pub const AUTO_ERP: u32 = 1 << 1;
    /// Automatic HT.
    pub const AUTO_HT: u32 = 1 << 2;
    /// Entry action: IE has changed.
    pub const IE_HAS_CHANGED: u8 = 1 << 0;
    /// Entry action: IE no longer present.
    pub const IE_NO_LONGER_PRESENT: u8 = 1 << 1;
    /// Entry action: IE has appeared.
    pub const IE_HAS_APPEARED: u8 = 1 << 2;
    /// At most 10 entries in the table.
    pub const MAX_ENTRIES: usize = 10;
}

/// MIB 0x1020 protected-management policy bits (`C:wsm.h`).
pub mod pmf {
    /// Protected management frames enabled.
    pub const ENABLE: u32 = 1 << 0;
    /// Unprotected management frames allowed.
    pub const ALLOW_UNPROTECTED: u32 = 1 << 1;
    /// Encryption for auth frames.
    pub const ENCRYPT_AUTH: u32 = 1 << 2;
    /// All defined bits.
    pub const ALL: u32 = 0x7;
}

/// One 8-byte beacon filter entry: `ieId, actionFlags, oui[3], matchData[3]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct BeaconFilterEntry {
    /// IE id.
    pub ie_id: u8,
    /// Action flags (`beacon_filter::IE_*`).
    pub action_flags: u8,
    /// OUI (vendor IEs).
    pub oui: [u8; 3],
    /// Match data.
    pub match_data: [u8; 3],
}

impl Record for BeaconFilterEntry {
    const LEN: usize = 8;

    fn parse(b: &[u8]) -> Result<Self> {
        let b = take(b, Self::LEN)?;
        Ok(BeaconFilterEntry {
            ie_id: b[0],
            action_flags: b[1],
            oui: [b[2], b[3], b[4]],
            match_data: [b[5], b[6], b[7]],
        })
    }

    fn emit(&self, b: &mut [u8]) {
        b[0] = self.ie_id;
        b[1] = self.action_flags;
        b[2..5].copy_from_slice(&self.oui);
        b[5..8].copy_from_slice(&self.match_data);
    }
}

/// A MIB value, typed for the MIBs a station driver writes, raw otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mib<'a> {
    /// 0x1003: RX filter (`rx_filter::*` bits).
    RxFilter(u32),
    /// 0x1004: beacon filter table (≤ 10 entries).
    BeaconFilterTable(List<'a, BeaconFilterEntry>),
    /// 0x1005: beacon filter control.
    BeaconFilterControl {
        /// `beacon_filter::{ENABLE, AUTO_ERP, AUTO_HT}`.
        flags: u32,
        /// Beacon count.
        bcn_count: u32,
    },
    /// 0x1006: operational power mode.
    OperationalPowerMode(PowerMode),
    /// 0x1007: beacon wake-up period.
    BeaconWakeUpPeriod {
        /// Number of beacon periods.
        num_beacon_periods: u8,
        /// Listen interval.
        listen_interval: u16,
    },
    /// 0x100E: block-ack policy.
    BlockAckPolicy {
        /// TX TID mask.
        tx_tid_mask: u8,
        /// RX TID mask.
        rx_tid_mask: u8,
    },
    /// 0x1016: TX rate retry policies (≤ 8).
    TxRatePolicy(List<'a, RatePolicy>),
    /// 0x1020: protected management frame policy (`pmf::*` bits).
    ProtectedMgmtPolicy(u32),
    /// 0x1024: use multi-TX confirm.
    UseMultiTxConf(bool),
    /// 0x1025: keep-alive period in seconds.
    KeepAlivePeriod(u16),
    /// 0x1026: disable BSSID filtering.
    DisableBssidFilter(bool),
    /// Any other MIB.
    Raw {
        /// MIB id.
        id: u16,
        /// Payload.
        data: &'a [u8],
    },
}

fn exact(data: &[u8], n: usize) -> Result<&[u8]> {
    if data.len() != n {
        return Err(Error::BadLength);
    }
    Ok(data)
}

fn flag_u32(data: &[u8]) -> Result<bool> {
    match le32(exact(data, 4)?) {
        0 => Ok(false),
        1 => Ok(true),
        _ => Err(Error::BadValue),
    }
}

impl<'a> Mib<'a> {
    /// The MIB id.
    pub fn id(&self) -> u16 {
        match self {
            Mib::RxFilter(_) => id::RX_FILTER,
            Mib::BeaconFilterTable(_) => id::BEACON_FILTER_TABLE,
            Mib::BeaconFilterControl { .. } => id::BEACON_FILTER_ENABLE,
            Mib::OperationalPowerMode(_) => id::OPERATIONAL_POWER_MODE,
            Mib::BeaconWakeUpPeriod { .. } => id::BEACON_WAKEUP_PERIOD,
            Mib::BlockAckPolicy { .. } => id::BLOCK_ACK_POLICY,
            Mib::TxRatePolicy(_) => id::SET_TX_RATE_RETRY_POLICY,
            Mib::ProtectedMgmtPolicy(_) => id::PROTECTED_MGMT_POLICY,
            Mib::UseMultiTxConf(_) => id::USE_MULTI_TX_CONF,
            Mib::KeepAlivePeriod(_) => id::KEEP_ALIVE_PERIOD,
            Mib::DisableBssidFilter(_) => id::DISABLE_BSSID_FILTER,
            Mib::Raw { id, .. } => *id,
        }
    }

    /// Parses the payload of MIB `mib_id`. Typed payloads must have their exact length.
    ///
    /// # Errors
    ///
    /// `BadLength`, `BadCount`, `BadValue` or `Reserved` for a malformed typed payload.
    pub fn parse(mib_id: u16, data: &'a [u8]) -> Result<Self> {
        Ok(match mib_id {
            id::RX_FILTER => {
                let v = le32(exact(data, 4)?);
                if v & !rx_filter::ALL != 0 {
                    return Err(Error::Reserved);
                }
                Mib::RxFilter(v)
            }
            id::BEACON_FILTER_TABLE => {
                let n = usize::try_from(le32(take(data, 4)?)).map_err(|_| Error::BadCount)?;
                if n > beacon_filter::MAX_ENTRIES {
                    return Err(Error::BadCount);
                }
                exact(data, 4 + n * BeaconFilterEntry::LEN)?;
                Mib::BeaconFilterTable(List::parse(&data[4..], n)?)
            }
            id::BEACON_FILTER_ENABLE => {
                let d = exact(data, 8)?;
                Mib::BeaconFilterControl {
                    flags: le32(d),
                    bcn_count: le32(&d[4..]),
                }
            }
            id::OPERATIONAL_POWER_MODE => {
                let v = le32(exact(data, 4)?);
                if v & !0x3F != 0 {
                    return Err(Error::Reserved);
                }
                Mib::OperationalPowerMode(PowerMode {
                    mode: PowerModeKind::from((v & 0xF) as u8), // CAST: 4 bits.
                    disable_more_flag: v & (1 << 4) != 0,
                    ant_diversity: v & (1 << 5) != 0,
                })
            }
            id::BEACON_WAKEUP_PERIOD => {
                let d = exact(data, 4)?;
                check_zero(&d[1..2])?;
                Mib::BeaconWakeUpPeriod {
                    num_beacon_periods: d[0],
                    listen_interval: le16(&d[2..]),
                }
            }
            id::BLOCK_ACK_POLICY => {
                let d = exact(data, 4)?;
                check_zero(&[d[1], d[3]])?;
                Mib::BlockAckPolicy {
                    tx_tid_mask: d[0],
                    rx_tid_mask: d[2],
                }
            }
            id::SET_TX_RATE_RETRY_POLICY => {
                let d = take(data, 4)?;
                let n = usize::from(d[0]);
                check_zero(&d[1..4])?;
                if n > MAX_POLICIES {
                    return Err(Error::BadCount);
                }
                exact(data, 4 + n * RatePolicy::LEN)?;
                Mib::TxRatePolicy(List::parse(&data[4..], n)?)
            }
            id::PROTECTED_MGMT_POLICY => {
                let v = le32(exact(data, 4)?);
                if v & !pmf::ALL != 0 {
                    return Err(Error::Reserved);
                }
                Mib::ProtectedMgmtPolicy(v)
            }
            id::USE_MULTI_TX_CONF => Mib::UseMultiTxConf(flag_u32(data)?),
            id::KEEP_ALIVE_PERIOD => {
                let d = exact(data, 4)?;
                check_zero(&d[2..4])?;
                Mib::KeepAlivePeriod(le16(d))
            }
            id::DISABLE_BSSID_FILTER => {
                let d = exact(data, 4)?;
                check_zero(&d[1..4])?;
                match d[0] {
                    0 => Mib::DisableBssidFilter(false),
                    1 => Mib::DisableBssidFilter(true),
                    _ => return Err(Error::BadValue),
                }
            }
            id => Mib::Raw { id, data },
        })
    }

    /// Payload length in bytes.
    pub fn buffer_len(&self) -> usize {
        match self {
            Mib::BeaconFilterTable(l) => 4 + l.buffer_len(),
            Mib::BeaconFilterControl { .. } => 8,
            Mib::TxRatePolicy(l) => 4 + l.buffer_len(),
            Mib::Raw { data, .. } => data.len(),
            _ => 4,
        }
    }

    /// Writes the payload into `out` (exactly `buffer_len()` bytes).
    pub fn emit(&self, out: &mut [u8]) {
        match self {
            Mib::RxFilter(v) | Mib::ProtectedMgmtPolicy(v) => set_le32(out, *v),
            Mib::BeaconFilterTable(l) => {
                // CAST: list lengths are far below 2^32.
                set_le32(out, l.len() as u32);
                l.emit(&mut out[4..]);
            }
            Mib::BeaconFilterControl { flags, bcn_count } => {
                set_le32(out, *flags);
                set_le32(&mut out[4..], *bcn_count);
            }
            Mib::OperationalPowerMode(p) => {
                let v = u32::from(u8::from(p.mode) & 0xF)
                    | u32::from(p.disable_more_flag) << 4
                    | u32::from(p.ant_diversity) << 5;
                set_le32(out, v);
            }
            Mib::BeaconWakeUpPeriod {
                num_beacon_periods,
                listen_interval,
            } => {
                out[0] = *num_beacon_periods;
                out[1] = 0;
                set_le16(&mut out[2..], *listen_interval);
            }
            Mib::BlockAckPolicy {
                tx_tid_mask,
                rx_tid_mask,
            } => {
                out[..4].copy_from_slice(&[*tx_tid_mask, 0, *rx_tid_mask, 0]);
            }
            Mib::TxRatePolicy(l) => {
                // CAST: at most 8 policies by the spec; larger lists are the caller's bug.
                out[..4].copy_from_slice(&[l.len() as u8, 0, 0, 0]);
                l.emit(&mut out[4..]);
            }
            Mib::UseMultiTxConf(b) => set_le32(out, u32::from(*b)),
            Mib::KeepAlivePeriod(p) => {
                set_le16(out, *p);
                out[2..4].fill(0);
            }
            Mib::DisableBssidFilter(b) => out[..4].copy_from_slice(&[u8::from(*b), 0, 0, 0]),
            Mib::Raw { data, .. } => out[..data.len()].copy_from_slice(data),
        }
    }
}

/// Write MIB 0x0006: `u16 mib_id, u16 len, data` (spec §3.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WriteMib<'a> {
    /// The MIB and its value.
    pub mib: Mib<'a>,
}

/// Splits `u16 id, u16 len, data[len]` at the start of `b`.
fn id_len_data(b: &[u8]) -> Result<(u16, &[u8])> {
    let h = take(b, 4)?;
    let len = usize::from(le16(&h[2..]));
    let data = b.get(4..4 + len).ok_or(Error::BadLength)?;
    Ok((le16(h), data))
}

impl<'a> Message<'a> for WriteMib<'a> {
    const ID: u16 = WRITE_MIB_REQ;

    fn parse(body: &'a [u8]) -> Result<Self> {
        let (mib_id, data) = id_len_data(body)?;
        Ok(WriteMib {
            mib: Mib::parse(mib_id, data)?,
        })
    }

    fn buffer_len(&self) -> usize {
        4 + self.mib.buffer_len()
    }

    fn emit(&self, body: &mut [u8]) {
        set_le16(body, self.mib.id());
        // CAST: a message is at most 65535 bytes, so its payload fits.
        set_le16(&mut body[2..], self.mib.buffer_len() as u16);
        self.mib.emit(&mut body[4..]);
    }
}

/// Read MIB 0x0005: `u16 mib_id, u16 0` (spec §3.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ReadMib {
    /// MIB id.
    pub mib_id: u16,
}

impl<'a> Message<'a> for ReadMib {
    const ID: u16 = READ_MIB_REQ;

    fn parse(body: &'a [u8]) -> Result<Self> {
        let b = take(body, 4)?;
        check_zero(&b[2..4])?;
        Ok(ReadMib { mib_id: le16(b) })
    }

    fn buffer_len(&self) -> usize {
        4
    }

    fn emit(&self, body: &mut [u8]) {
        set_le16(body, self.mib_id);
        body[2..4].fill(0);
    }
}

/// Read-MIB confirm 0x0405: `u32 status, u16 mib_id, u16 len, data` (spec §3.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ReadMibCnf<'a> {
    /// Status.
    pub status: Status,
    /// MIB id.
    pub mib_id: u16,
    /// Payload.
    pub data: &'a [u8],
}

impl<'a> ReadMibCnf<'a> {
    /// The payload, typed.
    ///
    /// # Errors
    ///
    /// As [`Mib::parse`].
    pub fn mib(&self) -> Result<Mib<'a>> {
        Mib::parse(self.mib_id, self.data)
    }
}

impl<'a> Message<'a> for ReadMibCnf<'a> {
    const ID: u16 = READ_MIB_CNF;

    fn parse(body: &'a [u8]) -> Result<Self> {
        let status = le32(take(body, 4)?).into();
        let (mib_id, data) = id_len_data(&body[4..])?;
        Ok(ReadMibCnf {
            status,
            mib_id,
            data,
        })
    }

    fn buffer_len(&self) -> usize {
        8 + self.data.len()
    }

    fn emit(&self, body: &mut [u8]) {
        set_le32(body, self.status.into());
        set_le16(&mut body[4..], self.mib_id);
        // CAST: a message is at most 65535 bytes, so its payload fits.
        set_le16(&mut body[6..], self.data.len() as u16);
        body[8..8 + self.data.len()].copy_from_slice(self.data);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wsm::rate::RateTries;
    use crate::wsm::testutil::check_golden;

    fn wm(mib: Mib<'_>, g: &[u8]) {
        check_golden(&WriteMib { mib }, g, 4);
    }

    #[test]
    fn write_mib_typed_golden() {
        wm(Mib::UseMultiTxConf(true), &[0x24, 0x10, 4, 0, 1, 0, 0, 0]);
        wm(
            Mib::OperationalPowerMode(PowerMode {
                mode: PowerModeKind::Quiescent,
                disable_more_flag: true,
                ant_diversity: false,
            }),
            &[0x06, 0x10, 4, 0, 0x12, 0, 0, 0],
        );
        wm(
            Mib::BeaconWakeUpPeriod {
                num_beacon_periods: 1,
                listen_interval: 3,
            },
            &[0x07, 0x10, 4, 0, 1, 0, 3, 0],
        );
        wm(
            Mib::RxFilter(rx_filter::BSSID | rx_filter::PROBE_RESPONDER),
            &[0x03, 0x10, 4, 0, 0x0A, 0, 0, 0],
        );
        wm(
            Mib::BeaconFilterControl {
                flags: beacon_filter::ENABLE,
                bcn_count: 1,
            },
            &[0x05, 0x10, 8, 0, 1, 0, 0, 0, 1, 0, 0, 0],
        );
        // ba_tid_mask 0xB1 for TX and RX (spec §4.4).
        wm(
            Mib::BlockAckPolicy {
                tx_tid_mask: 0xB1,
                rx_tid_mask: 0xB1,
            },
            &[0x0E, 0x10, 4, 0, 0xB1, 0, 0xB1, 0],
        );
        wm(
            Mib::ProtectedMgmtPolicy(pmf::ENABLE | pmf::ALLOW_UNPROTECTED),
            &[0x20, 0x10, 4, 0, 3, 0, 0, 0],
        );
        wm(Mib::KeepAlivePeriod(15), &[0x25, 0x10, 4, 0, 15, 0, 0, 0]);
        wm(
            Mib::DisableBssidFilter(true),
            &[0x26, 0x10, 4, 0, 1, 0, 0, 0],
        );
        wm(
            Mib::Raw {
                id: 0x0007,
                data: &[0xFF, 0x07, 0, 0],
            },
            &[0x07, 0x00, 4, 0, 0xFF, 0x07, 0, 0],
        );
    }

    #[test]
    fn beacon_filter_table_golden() {
        let e = [BeaconFilterEntry {
            ie_id: 0xDD,
            action_flags: 1,
            oui: [0x00, 0x50, 0xF2],
            match_data: [2, 1, 1],
        }];
        wm(
            Mib::BeaconFilterTable(List::from_items(&e)),
            &[
                0x04, 0x10, 12, 0, 1, 0, 0, 0, 0xDD, 1, 0x00, 0x50, 0xF2, 2, 1, 1,
            ],
        );
        let mut g = vec![0x04, 0x10, 4, 0, 11, 0, 0, 0];
        assert_eq!(WriteMib::parse(&g), Err(Error::BadCount));
        g[4] = 1; // count 1 but no entry
        assert_eq!(WriteMib::parse(&g), Err(Error::BadLength));
    }

    #[test]
    fn rate_policy_mib_golden() {
        let p = [RatePolicy {
            index: 0,
            short_retry: 31,
            long_retry: 31,
            flags: 0x0C,
            rate_recovery_count: 0,
            tries: RateTries([0x3, 0, 0]),
        }];
        let mut g = vec![0x16, 0x10, 24, 0, 1, 0, 0, 0];
        g.extend_from_slice(&[
            0, 31, 31, 0x0C, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        ]);
        wm(Mib::TxRatePolicy(List::from_items(&p)), &g);
        g[4] = 9;
        assert_eq!(WriteMib::parse(&g), Err(Error::BadCount));
    }

    #[test]
    fn bad_typed_payloads() {
        assert_eq!(
            WriteMib::parse(&[0x24, 0x10, 4, 0, 2, 0, 0, 0]),
            Err(Error::BadValue)
        );
        assert_eq!(
            WriteMib::parse(&[0x24, 0x10, 2, 0, 1, 0]),
            Err(Error::BadLength)
        );
        assert_eq!(
            WriteMib::parse(&[0x06, 0x10, 4, 0, 0x40, 0, 0, 0]),
            Err(Error::Reserved)
        );
        assert_eq!(
            WriteMib::parse(&[0x03, 0x10, 4, 0, 0x20, 0, 0, 0]),
            Err(Error::Reserved)
        );
        // Length field beyond the body.
        assert_eq!(
            WriteMib::parse(&[0x03, 0x10, 8, 0, 0, 0, 0, 0]),
            Err(Error::BadLength)
        );
    }

    #[test]
    fn read_mib_and_confirm() {
        check_golden(
            &ReadMib {
                mib_id: id::COUNTERS_TABLE,
            },
            &[0x0C, 0x10, 0, 0],
            4,
        );
        let g = [0, 0, 0, 0, 0x24, 0x10, 4, 0, 1, 0, 0, 0];
        let r = ReadMibCnf {
            status: Status::Success,
            mib_id: id::USE_MULTI_TX_CONF,
            data: &g[8..],
        };
        check_golden(&r, &g, 8);
        assert_eq!(r.mib(), Ok(Mib::UseMultiTxConf(true)));
    }
}
