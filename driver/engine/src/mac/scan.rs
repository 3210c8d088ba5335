//! The start-scan request (0x0007, spec §3.3) for a mac80211 `hw_scan`.

use bes2600_wire::list::List;
use bes2600_wire::wsm::common::{Band, Ssid};
use bes2600_wire::wsm::scan::{ScanChannel, ScanType, StartScan};

use super::channel::{freq_to_channel, Channel};

/// Channels one scan request carries (mac80211 splits longer lists into several `hw_scan`
/// calls only when told a limit; the module copies at most this many).
pub const SCAN_CHANNELS_MAX: usize = 16;
/// Minimum dwell time per channel (TU), as cw1200 uses for active scans.
pub const MIN_DWELL_TU: u32 = 10;
/// Maximum dwell time per channel (TU).
pub const MAX_DWELL_TU: u32 = 30;
/// Probe requests sent per channel.
pub const PROBES_PER_CHANNEL: u8 = 2;

/// A scan request copied out of mac80211's: the channels of one band and at most one SSID.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScanParams {
    band: Band,
    channels: [u16; SCAN_CHANNELS_MAX],
    n_channels: usize,
    ssid: Option<Ssid>,
}

impl ScanParams {
    /// Keeps the channels of `freqs_mhz` that are in the band of the first valid one (the
    /// firmware scans one band per request), at most [`SCAN_CHANNELS_MAX`], and `ssid` if it
    /// is 1-32 bytes (empty: a wildcard scan).
    pub fn new(freqs_mhz: impl IntoIterator<Item = u32>, ssid: &[u8]) -> Self {
        let mut me = Self {
            band: Band::Band2G4,
            channels: [0; SCAN_CHANNELS_MAX],
            n_channels: 0,
            ssid: None,
        };
        let mut band = None;
        for Channel { band: b, number } in freqs_mhz.into_iter().filter_map(freq_to_channel) {
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

    /// Builds the start-scan request and hands it to `f` (it borrows the channel and SSID
    /// lists, which live on this call's stack).
    pub fn with_request<R>(&self, f: impl FnOnce(&StartScan<'_>) -> R) -> R {
        let mut chans = [ScanChannel {
            number: 0,
            min_time: 0,
            max_time: 0,
        }; SCAN_CHANNELS_MAX];
        for (c, n) in chans.iter_mut().zip(self.channels()) {
            *c = ScanChannel {
                number: *n,
                min_time: MIN_DWELL_TU,
                max_time: MAX_DWELL_TU,
            };
        }
        let ssids = [self.ssid.unwrap_or_default()];
        let n_ssids = usize::from(self.ssid.is_some());
        let req = StartScan {
            band: self.band,
            scan_type: ScanType::Foreground,
            flags: 0,
            max_tx_rate: 0,
            auto_scan_interval: 0,
            num_probe_req: PROBES_PER_CHANNEL,
            probe_delay: 0,
            channels: List::from_items(chans.get(..self.n_channels).unwrap_or(&[])),
            ssids: List::from_items(ssids.get(..n_ssids).unwrap_or(&[])),
        };
        f(&req)
    }
}
