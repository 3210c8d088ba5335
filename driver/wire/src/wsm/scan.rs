// SPDX-License-Identifier: GPL-2.0-only
//! Start scan 0x0007, stop scan 0x0008 and scan complete 0x0806 (spec §3.3, §3.6).

use super::common::{Band, Ssid};
use super::{Message, Status};
use crate::field::{check_zero, le16, le32, set_le16, set_le32};
use crate::list::{List, Record};
use crate::{Error, Result};

/// ID of the start-scan request.
pub const START_SCAN_REQ: u16 = 0x0007;
/// ID of the stop-scan request.
pub const STOP_SCAN_REQ: u16 = 0x0008;
/// ID of the scan-complete indication.
pub const SCAN_COMPLETE_IND: u16 = 0x0806;

/// At most 48 channels per scan request (spec §3.3).
pub const MAX_CHANNELS: usize = 48;
/// At most 2 SSIDs per scan request (spec §3.3).
pub const MAX_SSIDS: usize = 2;

enum_with_unknown! {
    /// Scan type (spec §3.3).
    pub enum ScanType(u8) {
        /// Foreground.
        Foreground = 0,
        /// Background.
        Background = 1,
        /// Auto.
        Auto = 2,
    }
}

/// Scan flag bit 0: force background (use it with a background scan while joined, §7 #11).
pub const SCAN_FLAG_FORCE_BACKGROUND: u8 = 1 << 0;
/// Scan flag bit 1: split.
pub const SCAN_FLAG_SPLIT: u8 = 1 << 1;
/// Scan flag bit 2: short preamble.
pub const SCAN_FLAG_SHORT_PREAMBLE: u8 = 1 << 2;
/// Scan flag bit 3: 11n greenfield.
pub const SCAN_FLAG_11N_GREENFIELD: u8 = 1 << 3;

/// One channel entry: `u16 number, u16 0, u32 minTime, u32 maxTime, u32 0` (spec §3.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ScanChannel {
    /// Channel number.
    pub number: u16,
    /// Minimum dwell time.
    pub min_time: u32,
    /// Maximum dwell time.
    pub max_time: u32,
}

impl Record for ScanChannel {
    const LEN: usize = 16;

    fn parse(b: &[u8]) -> Result<Self> {
        let b = b.get(..Self::LEN).ok_or(Error::Truncated)?;
        check_zero(&b[2..4])?;
        check_zero(&b[12..16])?;
        Ok(ScanChannel {
            number: le16(b),
            min_time: le32(&b[4..]),
            max_time: le32(&b[8..]),
        })
    }

    fn emit(&self, b: &mut [u8]) {
        set_le16(b, self.number);
        b[2..4].fill(0);
        set_le32(&mut b[4..], self.min_time);
        set_le32(&mut b[8..], self.max_time);
        b[12..16].fill(0);
    }
}

view! {
    /// View of the fixed part of a start-scan body (spec §3.3).
    pub struct StartScanView;
    min_len = 12;
    /// Band.
    band / set_band: u8 = 0;
    /// Scan type.
    scan_type / set_scan_type: u8 = 1;
    /// Scan flags (`SCAN_FLAG_*`).
    flags / set_flags: u8 = 2;
    /// Maximum TX rate (hw rate index).
    max_tx_rate / set_max_tx_rate: u8 = 3;
    /// Auto-scan interval.
    auto_scan_interval / set_auto_scan_interval: u32 = 4;
    /// Probe requests per channel.
    num_probe_req / set_num_probe_req: u8 = 8;
    /// Number of channel entries.
    num_channels / set_num_channels: u8 = 9;
    /// Number of SSID entries.
    num_ssids / set_num_ssids: u8 = 10;
    /// Probe delay.
    probe_delay / set_probe_delay: u8 = 11;
}

/// Start scan 0x0007 (spec §3.3): at most 48 channels and 2 SSIDs; `parse` refuses more.
/// `emit` writes the counts as given, so callers keep to the limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StartScan<'a> {
    /// Band.
    pub band: Band,
    /// Scan type.
    pub scan_type: ScanType,
    /// Flags (`SCAN_FLAG_*`).
    pub flags: u8,
    /// Maximum TX rate (hw rate index).
    pub max_tx_rate: u8,
    /// Auto-scan interval.
    pub auto_scan_interval: u32,
    /// Probe requests per channel.
    pub num_probe_req: u8,
    /// Probe delay.
    pub probe_delay: u8,
    /// Channels.
    pub channels: List<'a, ScanChannel>,
    /// SSIDs to probe for.
    pub ssids: List<'a, Ssid>,
}

impl<'a> Message<'a> for StartScan<'a> {
    const ID: u16 = START_SCAN_REQ;

    fn parse(body: &'a [u8]) -> Result<Self> {
        let v = StartScanView::new_checked(body)?;
        let nc = usize::from(v.num_channels());
        let ns = usize::from(v.num_ssids());
        if nc > MAX_CHANNELS || ns > MAX_SSIDS {
            return Err(Error::BadCount);
        }
        let rest = &body[StartScanView::<&[u8]>::FIXED_LEN..];
        let channels = List::parse(rest, nc)?;
        let ssids = List::parse(&rest[channels.buffer_len()..], ns)?;
        Ok(StartScan {
            band: v.band().into(),
            scan_type: v.scan_type().into(),
            flags: v.flags(),
            max_tx_rate: v.max_tx_rate(),
            auto_scan_interval: v.auto_scan_interval(),
            num_probe_req: v.num_probe_req(),
            probe_delay: v.probe_delay(),
            channels,
            ssids,
        })
    }

    fn buffer_len(&self) -> usize {
        StartScanView::<&[u8]>::FIXED_LEN + self.channels.buffer_len() + self.ssids.buffer_len()
    }

    fn emit(&self, body: &mut [u8]) {
        let mut v = StartScanView::new_unchecked(&mut body[..]);
        v.set_band(self.band.into());
        v.set_scan_type(self.scan_type.into());
        v.set_flags(self.flags);
        v.set_max_tx_rate(self.max_tx_rate);
        v.set_auto_scan_interval(self.auto_scan_interval);
        v.set_num_probe_req(self.num_probe_req);
        // CAST: the spec limits are 48 and 2; larger lists are the caller's bug.
        v.set_num_channels(self.channels.len() as u8);
        v.set_num_ssids(self.ssids.len() as u8);
        v.set_probe_delay(self.probe_delay);
        let tail = v.tail_mut();
        let (c, s) = tail.split_at_mut(self.channels.buffer_len());
        self.channels.emit(c);
        self.ssids.emit(s);
    }
}

/// Stop scan 0x0008: empty body (spec §3.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct StopScan;

impl<'a> Message<'a> for StopScan {
    const ID: u16 = STOP_SCAN_REQ;

    fn parse(_body: &'a [u8]) -> Result<Self> {
        Ok(StopScan)
    }

    fn buffer_len(&self) -> usize {
        0
    }

    fn emit(&self, _body: &mut [u8]) {}
}

view! {
    /// View of a scan-complete body (spec §3.6).
    pub struct ScanCompleteView;
    min_len = 6;
    /// Status.
    status / set_status: u32 = 0;
    /// Power-save mode.
    psm / set_psm: u8 = 4;
    /// Channels scanned.
    num_channels / set_num_channels: u8 = 5;
}

/// Scan complete 0x0806 (spec §3.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ScanComplete {
    /// Status.
    pub status: Status,
    /// Power-save mode.
    pub psm: u8,
    /// Channels scanned.
    pub num_channels: u8,
}

impl<'a> Message<'a> for ScanComplete {
    const ID: u16 = SCAN_COMPLETE_IND;

    fn parse(body: &'a [u8]) -> Result<Self> {
        let v = ScanCompleteView::new_checked(body)?;
        Ok(ScanComplete {
            status: v.status().into(),
            psm: v.psm(),
            num_channels: v.num_channels(),
        })
    }

    fn buffer_len(&self) -> usize {
        6
    }

    fn emit(&self, body: &mut [u8]) {
        let mut v = ScanCompleteView::new_unchecked(body);
        v.set_status(self.status.into());
        v.set_psm(self.psm);
        v.set_num_channels(self.num_channels);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wsm::testutil::check_golden;

    #[test]
    fn start_scan_golden() {
        let chans = [
            ScanChannel {
                number: 1,
                min_time: 10,
                max_time: 25,
            },
            ScanChannel {
                number: 6,
                min_time: 10,
                max_time: 25,
            },
        ];
        let ssids = [Ssid::new(b"ab").unwrap()];
        let r = StartScan {
            band: Band::Band2G4,
            scan_type: ScanType::Background,
            flags: SCAN_FLAG_FORCE_BACKGROUND,
            max_tx_rate: 0,
            auto_scan_interval: 0,
            num_probe_req: 2,
            probe_delay: 0,
            channels: List::from_items(&chans),
            ssids: List::from_items(&ssids),
        };
        let mut g = vec![0x00, 0x01, 0x01, 0x00, 0, 0, 0, 0, 0x02, 0x02, 0x01, 0x00];
        g.extend_from_slice(&[1, 0, 0, 0, 10, 0, 0, 0, 25, 0, 0, 0, 0, 0, 0, 0]);
        g.extend_from_slice(&[6, 0, 0, 0, 10, 0, 0, 0, 25, 0, 0, 0, 0, 0, 0, 0]);
        g.extend_from_slice(&[2, 0, 0, 0, b'a', b'b']);
        g.extend_from_slice(&[0; 30]);
        check_golden(&r, &g, g.len());
        let p = StartScan::parse(&g).unwrap();
        assert_eq!(p.channels.get(1), Some(chans[1]));
        assert_eq!(
            p.ssids.get(0).map(|s| s.as_bytes().to_vec()),
            Some(b"ab".to_vec())
        );
    }

    #[test]
    fn start_scan_limits() {
        let mut g = vec![0u8; 12 + 49 * 16];
        g[9] = 49;
        assert_eq!(StartScan::parse(&g), Err(Error::BadCount));
        g[9] = 0;
        g[10] = 3;
        assert_eq!(StartScan::parse(&g), Err(Error::BadCount));
        g[10] = 0;
        g[9] = 48;
        assert!(StartScan::parse(&g).is_ok());
        // Reserved bytes in a channel entry.
        g[12 + 2] = 1;
        assert_eq!(StartScan::parse(&g), Err(Error::Reserved));
    }

    #[test]
    fn stop_and_complete() {
        check_golden(&StopScan, &[], 0);
        let r = ScanComplete {
            status: Status::Success,
            psm: 1,
            num_channels: 14,
        };
        check_golden(&r, &[0, 0, 0, 0, 1, 14], 6);
    }
}
