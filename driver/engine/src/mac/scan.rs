//! The start-scan request (0x0007, spec §3.3) for a mac80211 `hw_scan`.
//!
//! mac80211 calls `hw_scan` once per band (the module does not set
//! `SINGLE_SCAN_ON_ALL_BANDS`), so one request is one band, as the firmware wants it
//! (C:scan.c:578-591 splits at a band change too).

use bes2600_wire::list::List;
use bes2600_wire::wsm::common::{Band, Ssid};
use bes2600_wire::wsm::scan::{self as wscan, ScanChannel, ScanType, StartScan};

use super::channel::{freq_to_channel, Channel};
use super::rates::band_rates;

/// Channels one scan request carries: the most the firmware takes (C:wsm.h:131), enough for
/// every channel of either band in one request.
pub const SCAN_CHANNELS_MAX: usize = wscan::MAX_CHANNELS;
/// Minimum dwell time per 2.4 GHz channel (TU), as cw1200 uses for active scans.
pub const MIN_DWELL_TU: u32 = 10;
/// Maximum dwell time per 2.4 GHz channel (TU).
pub const MAX_DWELL_TU: u32 = 30;
/// Dwell time per 5 GHz channel (TU), minimum and maximum alike: what the vendor's shipped
/// build uses (EPTA coexistence on, C:Makefile:15, C:scan.c:643-646). It covers one beacon
/// interval of 100 TU, which a passive scan needs.
pub const DWELL_5G_TU: u32 = 100;
/// Probe requests sent per channel (an active scan).
pub const PROBES_PER_CHANNEL: u8 = 2;

/// A scan request copied out of mac80211's: the channels of one band and at most one SSID.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScanParams {
    band: Band,
    channels: [u16; SCAN_CHANNELS_MAX],
    n_channels: usize,
    ssid: Option<Ssid>,
    passive: bool,
}

impl ScanParams {
    /// Keeps the channels of `freqs_mhz` that are in the band of the first valid one (the
    /// firmware scans one band per request), at most [`SCAN_CHANNELS_MAX`], and `ssid` if it
    /// is 1-32 bytes (empty: a wildcard scan). Every channel may be probed (see
    /// [`ScanParams::from_channels`] for channels where the regulatory domain forbids it).
    pub fn new(freqs_mhz: impl IntoIterator<Item = u32>, ssid: &[u8]) -> Self {
        Self::from_channels(freqs_mhz.into_iter().map(|f| (f, false)), ssid)
    }

    /// As [`ScanParams::new`], from `(centre frequency in MHz, no_ir)` pairs, where `no_ir`
    /// is mac80211's `IEEE80211_CHAN_NO_IR` (the station may not transmit there before it
    /// heard an AP). As the vendor driver does (C:scan.c:606-609), the first kept channel's
    /// flag decides for the whole request: no probe requests (a passive scan) when it is set.
    pub fn from_channels(chans: impl IntoIterator<Item = (u32, bool)>, ssid: &[u8]) -> Self {
        let mut me = Self {
            band: Band::Band2G4,
            channels: [0; SCAN_CHANNELS_MAX],
            n_channels: 0,
            ssid: None,
            passive: false,
        };
        let mut band = None;
        let known = chans
            .into_iter()
            .filter_map(|(f, no_ir)| freq_to_channel(f).map(|c| (c, no_ir)));
        for (Channel { band: b, number }, no_ir) in known {
            if band.is_none() {
                me.passive = no_ir;
            }
            if *band.get_or_insert(b) != b {
                continue;
            }
            let Some(slot) = me.channels.get_mut(me.n_channels) else {
                break;
            };
            *slot = number;
            me.n_channels += 1;
        }
        me.band = band.unwrap_or(Band::Band2G4);
        if !ssid.is_empty() {
            me.ssid = Ssid::new(ssid).ok();
        }
        me
    }

    /// The channel numbers to scan.
    pub fn channels(&self) -> &[u16] {
        self.channels.get(..self.n_channels).unwrap_or(&[])
    }

    /// The band scanned.
    pub fn band(&self) -> Band {
        self.band
    }

    /// The SSID probed for (`None`: wildcard).
    pub fn ssid(&self) -> Option<&Ssid> {
        self.ssid.as_ref()
    }

    /// Whether the scan only listens (no probe requests).
    pub fn passive(&self) -> bool {
        self.passive
    }

    /// Dwell time per channel (minimum, maximum) in TU for the scanned band.
    pub fn dwell_tu(&self) -> (u32, u32) {
        match self.band {
            Band::Band5G => (DWELL_5G_TU, DWELL_5G_TU),
            _ => (MIN_DWELL_TU, MAX_DWELL_TU),
        }
    }

    /// The highest rate the firmware may send probe requests at, as a hw rate number: the
    /// band's lowest rate (1 Mb/s, hw 0, on 2.4 GHz as the vendor sends; 6 Mb/s, hw 6, on
    /// 5 GHz, which has no DSSS/CCK; C:scan.c:593-596 chooses 6 Mb/s only when mac80211 asks
    /// for no CCK and relies on the firmware on 5 GHz).
    pub fn probe_rate_hw(&self) -> u8 {
        band_rates(self.band).first().map_or(0, |r| r.hw)
    }

    /// Builds the start-scan request and hands it to `f` (it borrows the channel and SSID
    /// lists, which live on this call's stack).
    pub fn with_request<R>(&self, f: impl FnOnce(&StartScan<'_>) -> R) -> R {
        let mut chans = [ScanChannel {
            number: 0,
            min_time: 0,
            max_time: 0,
        }; SCAN_CHANNELS_MAX];
        let (min_time, max_time) = self.dwell_tu();
        for (c, n) in chans.iter_mut().zip(self.channels()) {
            *c = ScanChannel {
                number: *n,
                min_time,
                max_time,
            };
        }
        let ssids = [self.ssid.unwrap_or_default()];
        let n_ssids = usize::from(self.ssid.is_some());
        let req = StartScan {
            band: self.band,
            scan_type: ScanType::Foreground,
            flags: 0,
            max_tx_rate: self.probe_rate_hw(),
            auto_scan_interval: 0,
            num_probe_req: if self.passive { 0 } else { PROBES_PER_CHANNEL },
            probe_delay: 0,
            channels: List::from_items(chans.get(..self.n_channels).unwrap_or(&[])),
            ssids: List::from_items(ssids.get(..n_ssids).unwrap_or(&[])),
        };
        f(&req)
    }
}
