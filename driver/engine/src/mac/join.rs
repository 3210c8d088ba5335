//! The join request (0x000B, spec §3.3) for the BSS mac80211 gives in `bss_info_changed`.

use bes2600_wire::wsm::common::{Band, Ssid};
use bes2600_wire::wsm::join::{JoinMode, JoinReq, Preamble};

use super::channel::freq_to_channel;
use super::rates::band_basic_rates_to_hw;

/// A join request from `bss_info_changed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JoinParams {
    /// The BSSID.
    pub bssid: [u8; 6],
    /// Band of the operating channel.
    pub band: Band,
    /// Operating channel number (0 when mac80211 gave no valid frequency; the firmware
    /// then joins on its current channel).
    pub channel: u16,
    /// Beacon interval (TU).
    pub beacon_int: u32,
    /// DTIM period (at least 1).
    pub dtim: u8,
    /// Basic rates as the firmware's rate bitmap.
    pub basic_rates: u32,
}

impl JoinParams {
    /// Maps mac80211's BSS parameters: centre frequency in MHz, beacon interval in TU, the
    /// DTIM period and the basic-rate bitmap over the registered rate table of the
    /// frequency's band. The band goes into the request as the vendor driver sets it from
    /// the operating channel (C:sta.c:2223-2227).
    pub fn new(bssid: [u8; 6], freq_mhz: u32, beacon_int: u16, dtim: u8, basic: u32) -> Self {
        let ch = freq_to_channel(freq_mhz);
        let band = ch.map_or(Band::Band2G4, |c| c.band);
        Self {
            bssid,
            band,
            channel: ch.map_or(0, |c| c.number),
            beacon_int: u32::from(beacon_int),
            // A DTIM period of 0 is invalid (802.11 §9.4.2.5.1); the firmware needs >= 1.
            dtim: dtim.max(1),
            basic_rates: band_basic_rates_to_hw(basic, band),
        }
    }

    /// The join request: infrastructure BSS, long preamble, no probe before joining, the
    /// SSID left empty (the firmware joins by BSSID).
    pub fn request(&self) -> JoinReq {
        JoinReq {
            mode: JoinMode::Bss,
            band: self.band,
            channel: self.channel,
            bssid: self.bssid,
            atim_window: 0,
            preamble: Preamble::Long,
            probe_for_join: 0,
            dtim_period: self.dtim,
            flags: 0,
            ssid: Ssid::default(),
            beacon_interval: self.beacon_int,
            basic_rate_set: self.basic_rates,
        }
    }
}
