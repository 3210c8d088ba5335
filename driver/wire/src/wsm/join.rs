// SPDX-License-Identifier: GPL-2.0-only
//! Join 0x000B (+ confirm 0x040B) and set-BSS-params 0x0011 (spec §3.3).

use super::common::{Band, MacAddr, Ssid};
use super::{Message, Status};
use crate::field::check_zero;
use crate::{Error, Result};

/// ID of the join request.
pub const JOIN_REQ: u16 = 0x000B;
/// ID of the join confirm.
pub const JOIN_CNF: u16 = 0x040B;
/// ID of the set-BSS-params request.
pub const SET_BSS_PARAMS_REQ: u16 = 0x0011;

enum_with_unknown! {
    /// Join mode (spec §3.3).
    pub enum JoinMode(u8) {
        /// IBSS.
        Ibss = 0,
        /// Infrastructure BSS.
        Bss = 1,
    }
}

enum_with_unknown! {
    /// Preamble type (spec §3.3).
    pub enum Preamble(u8) {
        /// Long preamble.
        Long = 0,
        /// Short preamble.
        Short = 1,
        /// Short preamble, variant 2.
        Short2 = 2,
    }
}

/// Join flag bit 0: unsynchronized (spec §3.3).
pub const JOIN_FLAG_UNSYNC: u8 = 1 << 0;
/// Join flag bit 1: P2P GO.
pub const JOIN_FLAG_P2P_GO: u8 = 1 << 1;
/// Join flag bit 2: force.
pub const JOIN_FLAG_FORCE: u8 = 1 << 2;
/// Join flag bit 3: priority.
pub const JOIN_FLAG_PRIO: u8 = 1 << 3;

view! {
    /// View of a join request body (60 bytes, spec §3.3).
    pub struct JoinReqView;
    min_len = 60;
    /// Mode (0 IBSS, 1 BSS).
    mode / set_mode: u8 = 0;
    /// Band.
    band / set_band: u8 = 1;
    /// Channel number.
    channel / set_channel: u16 = 2;
    /// BSSID.
    bssid / set_bssid: [u8; 6] = 4;
    /// ATIM window.
    atim_window / set_atim_window: u16 = 10;
    /// Preamble type.
    preamble / set_preamble: u8 = 12;
    /// Probe for join.
    probe_for_join / set_probe_for_join: u8 = 13;
    /// DTIM period.
    dtim_period / set_dtim_period: u8 = 14;
    /// Flags (`JOIN_FLAG_*`).
    flags / set_flags: u8 = 15;
    /// SSID length.
    ssid_len / set_ssid_len: u32 = 16;
    /// SSID bytes.
    ssid / set_ssid: [u8; 32] = 20;
    /// Beacon interval.
    beacon_interval / set_beacon_interval: u32 = 52;
    /// Basic rate set (bit n = hw rate n).
    basic_rate_set / set_basic_rate_set: u32 = 56;
}

/// Join request 0x000B (spec §3.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct JoinReq {
    /// Mode.
    pub mode: JoinMode,
    /// Band.
    pub band: Band,
    /// Channel number.
    pub channel: u16,
    /// BSSID.
    pub bssid: MacAddr,
    /// ATIM window.
    pub atim_window: u16,
    /// Preamble type.
    pub preamble: Preamble,
    /// Probe for join.
    pub probe_for_join: u8,
    /// DTIM period.
    pub dtim_period: u8,
    /// Flags (`JOIN_FLAG_*`).
    pub flags: u8,
    /// SSID.
    pub ssid: Ssid,
    /// Beacon interval in TU.
    pub beacon_interval: u32,
    /// Basic rate set.
    pub basic_rate_set: u32,
}

impl<'a> Message<'a> for JoinReq {
    const ID: u16 = JOIN_REQ;

    fn parse(body: &'a [u8]) -> Result<Self> {
        let v = JoinReqView::new_checked(body)?;
        Ok(JoinReq {
            mode: v.mode().into(),
            band: v.band().into(),
            channel: v.channel(),
            bssid: v.bssid(),
            atim_window: v.atim_window(),
            preamble: v.preamble().into(),
            probe_for_join: v.probe_for_join(),
            dtim_period: v.dtim_period(),
            flags: v.flags(),
            ssid: Ssid::parse_parts(v.ssid_len(), &v.ssid())?,
            beacon_interval: v.beacon_interval(),
            basic_rate_set: v.basic_rate_set(),
        })
    }

    fn buffer_len(&self) -> usize {
        JoinReqView::<&[u8]>::FIXED_LEN
    }

    fn emit(&self, body: &mut [u8]) {
        let mut v = JoinReqView::new_unchecked(body);
        v.set_mode(self.mode.into());
        v.set_band(self.band.into());
        v.set_channel(self.channel);
        v.set_bssid(self.bssid);
        v.set_atim_window(self.atim_window);
        v.set_preamble(self.preamble.into());
        v.set_probe_for_join(self.probe_for_join);
        v.set_dtim_period(self.dtim_period);
        v.set_flags(self.flags);
        v.set_ssid_len(self.ssid.len_u32());
        v.set_ssid(self.ssid.field());
        v.set_beacon_interval(self.beacon_interval);
        v.set_basic_rate_set(self.basic_rate_set);
    }
}

view! {
    /// View of a join confirm body (spec §3.3).
    pub struct JoinCnfView;
    min_len = 12;
    /// Status.
    status / set_status: u32 = 0;
    /// Minimum TX power.
    min_power / set_min_power: u32 = 4;
    /// Maximum TX power.
    max_power / set_max_power: u32 = 8;
}

/// Join confirm 0x040B (spec §3.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct JoinCnf {
    /// Status.
    pub status: Status,
    /// Minimum TX power.
    pub min_power: u32,
    /// Maximum TX power.
    pub max_power: u32,
}

impl<'a> Message<'a> for JoinCnf {
    const ID: u16 = JOIN_CNF;

    fn parse(body: &'a [u8]) -> Result<Self> {
        let v = JoinCnfView::new_checked(body)?;
        Ok(JoinCnf {
            status: v.status().into(),
            min_power: v.min_power(),
            max_power: v.max_power(),
        })
    }

    fn buffer_len(&self) -> usize {
        JoinCnfView::<&[u8]>::FIXED_LEN
    }

    fn emit(&self, body: &mut [u8]) {
        let mut v = JoinCnfView::new_unchecked(body);
        v.set_status(self.status.into());
        v.set_min_power(self.min_power);
        v.set_max_power(self.max_power);
    }
}

view! {
    /// View of a set-BSS-params body (12 bytes, BES form, spec §3.3).
    pub struct BssParamsView;
    min_len = 12;
    /// Always 0 (cw1200's reset-beacon-loss flag).
    reserved / set_reserved: u8 = 0;
    /// Beacon lost count.
    beacon_lost_count / set_beacon_lost_count: u8 = 1;
    /// Association id.
    aid / set_aid: u16 = 2;
    /// Operational rate set.
    operational_rate_set / set_operational_rate_set: u32 = 4;
    /// HT RX MCS mask byte 0 shifted left by 14.
    ht_mcs_word / set_ht_mcs_word: u32 = 8;
}

/// Set-BSS-params 0x0011 (spec §3.3): 12 bytes, byte 0 always 0, HT RX MCS mask byte 0 at
/// bit 14 of the last word. `parse` refuses anything else in the reserved bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BssParams {
    /// Beacon lost count.
    pub beacon_lost_count: u8,
    /// Association id.
    pub aid: u16,
    /// Operational rate set.
    pub operational_rate_set: u32,
    /// HT RX MCS mask byte 0 (MCS 0-7).
    pub ht_rx_mcs_mask: u8,
}

impl<'a> Message<'a> for BssParams {
    const ID: u16 = SET_BSS_PARAMS_REQ;

    fn parse(body: &'a [u8]) -> Result<Self> {
        let v = BssParamsView::new_checked(body)?;
        check_zero(&[v.reserved()])?;
        let w = v.ht_mcs_word();
        if w & !(0xFF << 14) != 0 {
            return Err(Error::Reserved);
        }
        Ok(BssParams {
            beacon_lost_count: v.beacon_lost_count(),
            aid: v.aid(),
            operational_rate_set: v.operational_rate_set(),
            ht_rx_mcs_mask: (w >> 14) as u8, // CAST: 8 bits remain after the check.
        })
    }

    fn buffer_len(&self) -> usize {
        BssParamsView::<&[u8]>::FIXED_LEN
    }

    fn emit(&self, body: &mut [u8]) {
        let mut v = BssParamsView::new_unchecked(body);
        v.set_reserved(0);
        v.set_beacon_lost_count(self.beacon_lost_count);
        v.set_aid(self.aid);
        v.set_operational_rate_set(self.operational_rate_set);
        v.set_ht_mcs_word(u32::from(self.ht_rx_mcs_mask) << 14);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wsm::testutil::check_golden;

    #[rustfmt::skip]
    const JOIN: [u8; 60] = [
        0x01, 0x00, 0x06, 0x00,             // BSS, 2.4 GHz, channel 6
        0x02, 0xB5, 0x26, 0x00, 0x00, 0x01, // BSSID
        0x00, 0x00,                         // ATIM window
        0x01, 0x01, 0x01, 0x00,             // short preamble, probe, DTIM 1, flags 0
        0x0B, 0x00, 0x00, 0x00,             // SSID length 11
        b'b', b'e', b's', b'2', b'6', b'0', b'0', b'-', b's', b'i', b'm', 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0x64, 0x00, 0x00, 0x00,             // beacon interval 100
        0x0F, 0x00, 0x00, 0x00,             // basic rates 1/2/5.5/11
    ];

    fn join() -> JoinReq {
        JoinReq {
            mode: JoinMode::Bss,
            band: Band::Band2G4,
            channel: 6,
            bssid: [0x02, 0xB5, 0x26, 0x00, 0x00, 0x01],
            atim_window: 0,
            preamble: Preamble::Short,
            probe_for_join: 1,
            dtim_period: 1,
            flags: 0,
            ssid: Ssid::new(b"bes2600-sim").unwrap(),
            beacon_interval: 100,
            basic_rate_set: 0x0F,
        }
    }

    #[test]
    fn join_deconstruct() {
        let v = JoinReqView::new_checked(&JOIN[..]).unwrap();
        assert_eq!(v.channel(), 6);
        assert_eq!(v.ssid_len(), 11);
        assert_eq!(v.beacon_interval(), 100);
        assert_eq!(v.basic_rate_set(), 0x0F);
    }

    #[test]
    fn join_construct_via_view() {
        let mut b = [0xa5u8; 60];
        join().emit(&mut b);
        let mut v = JoinReqView::new_unchecked(&mut b[..]);
        v.set_channel(11);
        assert_eq!(&b[2..4], &[11, 0]);
    }

    #[test]
    fn join_golden() {
        check_golden(&join(), &JOIN, 60);
        let mut bad = JOIN;
        bad[16] = 33;
        assert_eq!(JoinReq::parse(&bad), Err(Error::BadLength));
        let mut bad = JOIN;
        bad[40] = 1; // a byte past the SSID length
        assert_eq!(JoinReq::parse(&bad), Err(Error::Reserved));
    }

    #[test]
    fn join_cnf_golden() {
        let g = [0, 0, 0, 0, 1, 0, 0, 0, 20, 0, 0, 0];
        check_golden(
            &JoinCnf {
                status: Status::Success,
                min_power: 1,
                max_power: 20,
            },
            &g,
            12,
        );
    }

    #[test]
    fn bss_params_golden() {
        #[rustfmt::skip]
        let g = [
            0x00, 0x14, 0x01, 0x00, // flag 0, beaconLostCount 20, aid 1
            0x0F, 0x00, 0x00, 0x00, // operational rates
            0x00, 0xC0, 0x3F, 0x00, // 0xFF << 14 = 0x003FC000
        ];
        let r = BssParams {
            beacon_lost_count: 20,
            aid: 1,
            operational_rate_set: 0x0F,
            ht_rx_mcs_mask: 0xFF,
        };
        check_golden(&r, &g, 12);
        let mut bad = g;
        bad[0] = 1;
        assert_eq!(BssParams::parse(&bad), Err(Error::Reserved));
        let mut bad = g;
        bad[8] = 1;
        assert_eq!(BssParams::parse(&bad), Err(Error::Reserved));
    }
}
