// SPDX-License-Identifier: GPL-2.0-only
//! The simulated firmware's association state (issue 16 §3): what the host told it about the
//! BSS after joining (set-BSS-params 0x0011, the association-family MIBs of
//! `bes2600_wire::wsm::assoc`, EDCA 0x0013, TX queue params 0x0012, keep-alive, block-ack,
//! PMF, beacon wake-up), kept so that tests and the e2e read it back (debugfs `contract`
//! lines `fw_*`), and the order rules the vendor driver's sequence implies:
//!
//! - set-BSS-params, the association mode and the QoS-null template come only after a
//!   successful join: C sends them from `bss_info_changed(ASSOC)` (`C:ap.c:805-831`), which
//!   mac80211 calls after the association that followed `bes2600_join_work` (`C:sta.c:2115`);
//! - set-BSS-params carries a non-zero AID (`C:ap.c:779` copies `vif->cfg.aid`).
//!
//! A request that breaks a rule is still accepted (the real firmware's reaction is not
//! known) and counted in [`FwBss::order_violations`].
//!
//! The probe-request template (MIB 0x1002 type 0) is what the firmware sends while scanning:
//! [`FwBss::probe_req`] builds one probe per SSID from it (the template's header and IEs,
//! the scan's SSID), as `C:scan.c:208-228` expects of the firmware.

use bes2600_wire::wsm::assoc::{frame_type, AssocMib, AssociationMode, RcpiRssiThreshold};
use bes2600_wire::wsm::mib::Mib;
use bes2600_wire::wsm::queue::EdcaQueue;
use bes2600_wire::wsm::scan::{ScanType, SCAN_FLAG_FORCE_BACKGROUND};
use bes2600_wire::wsm::Decoded;

/// Longest probe-request template kept (mac80211's probe IEs for two bands fit in far
/// less; a longer one is counted and not kept).
pub const TEMPLATE_MAX: usize = 512;

/// 802.11 management header length.
const HDR_LEN: usize = 24;

/// What the host told the firmware about the BSS; a reset or power cycle forgets it.
#[derive(Debug, Clone, Copy)]
pub struct FwBss {
    /// Joined (a join confirmed with success); cleared by reset.
    pub joined: bool,
    /// Beacon interval (TU) and DTIM period of the join request.
    pub beacon_int: u32,
    /// DTIM period of the join request.
    pub dtim: u8,
    /// AID of the last set-BSS-params (0: none).
    pub aid: u16,
    /// Beacon-lost count of the last set-BSS-params.
    pub beacon_lost_count: u8,
    /// Operational rate set of the last set-BSS-params.
    pub operational_rates: u32,
    /// Association mode MIB, when set.
    pub assoc_mode: Option<AssociationMode>,
    /// Slot time in µs (0: never set).
    pub slot_us: u32,
    /// RTS threshold (`None`: never set).
    pub rts: Option<u32>,
    /// EDCA table as written (wire order BK, BE, VI, VO is reversed back: index =
    /// mac80211 queue, `C:wsm.c:857-880`).
    pub edca: Option<[EdcaQueue; 4]>,
    /// Bit n: TX queue params received for WMM ACI n.
    pub tx_queues: u8,
    /// U-APSD flags.
    pub uapsd: u16,
    /// ARP filter enable and address.
    pub arp: (u32, [u8; 4]),
    /// RCPI/RSSI threshold.
    pub rcpi: Option<RcpiRssiThreshold>,
    /// PMF policy bits.
    pub pmf: u32,
    /// Block-ack TX and RX TID masks.
    pub block_ack: (u8, u8),
    /// Keep-alive period in s.
    pub keep_alive_s: u16,
    /// Beacon wake-up period (beacons).
    pub wake_beacons: u8,
    /// HT protection.
    pub ht_protection: u32,
    /// The QoS-null template is set.
    pub null_template: bool,
    template: [u8; TEMPLATE_MAX],
    template_len: usize,
    /// Requests that broke an order rule (module doc).
    pub order_violations: u32,
    /// Templates too long to keep.
    pub template_too_long: u32,
    /// Association-family MIBs received.
    pub mibs: u32,
    /// Start-scan requests received, and of the last one: background type, force-background
    /// flag and SSID count (a scan while joined must be background, `C:scan.c:617-623`).
    pub scans: u32,
    /// The last scan was a background scan with the force-background flag.
    pub last_scan_background: bool,
    /// SSIDs of the last scan.
    pub last_scan_ssids: u8,
    /// Scans while joined that were not forced background.
    pub fg_scans_joined: u32,
}

impl Default for FwBss {
    fn default() -> Self {
        Self::new()
    }
}

impl FwBss {
    /// Nothing known.
    pub const fn new() -> Self {
        Self {
            joined: false,
            beacon_int: 0,
            dtim: 0,
            aid: 0,
            beacon_lost_count: 0,
            operational_rates: 0,
            assoc_mode: None,
            slot_us: 0,
            rts: None,
            edca: None,
            tx_queues: 0,
            uapsd: 0,
            arp: (0, [0; 4]),
            rcpi: None,
            pmf: 0,
            block_ack: (0, 0),
            keep_alive_s: 0,
            wake_beacons: 0,
            ht_protection: 0,
            null_template: false,
            template: [0; TEMPLATE_MAX],
            template_len: 0,
            order_violations: 0,
            template_too_long: 0,
            mibs: 0,
            scans: 0,
            last_scan_background: false,
            last_scan_ssids: 0,
            fg_scans_joined: 0,
        }
    }

    /// The probe-request template, if one was uploaded.
    pub fn template(&self) -> Option<&[u8]> {
        self.template
            .get(..self.template_len)
            .filter(|t| !t.is_empty())
    }

    /// Observes one decoded host request (before its confirm). `join_ok` says whether a
    /// join request in `d` succeeded.
    pub fn observe(&mut self, d: &Decoded<'_>, join_ok: bool) {
        match d {
            Decoded::JoinReq(j) if join_ok => {
                self.joined = true;
                self.beacon_int = j.beacon_interval;
                self.dtim = j.dtim_period;
            }
            Decoded::Reset(_) => {
                // The firmware leaves the BSS and forgets its parameters; the template
                // and what is not per-BSS (RTS, EDCA, PMF) stay.
                let keep = *self;
                *self = Self {
                    rts: keep.rts,
                    edca: keep.edca,
                    tx_queues: keep.tx_queues,
                    uapsd: keep.uapsd,
                    pmf: keep.pmf,
                    template: keep.template,
                    template_len: keep.template_len,
                    order_violations: keep.order_violations,
                    template_too_long: keep.template_too_long,
                    mibs: keep.mibs,
                    scans: keep.scans,
                    last_scan_background: keep.last_scan_background,
                    last_scan_ssids: keep.last_scan_ssids,
                    fg_scans_joined: keep.fg_scans_joined,
                    ..Self::new()
                };
            }
            Decoded::BssParams(b) => {
                if !self.joined || b.aid == 0 {
                    self.order_violations += 1;
                }
                self.aid = b.aid;
                self.beacon_lost_count = b.beacon_lost_count;
                self.operational_rates = b.operational_rate_set;
            }
            Decoded::EdcaParams(e) => self.edca = Some(e.params),
            Decoded::TxQueueParams(q) => self.tx_queues |= 1 << (q.queue as u8 & 3),
            Decoded::WriteMib(w) => self.write_mib(&w.mib),
            Decoded::StartScan(sc) => {
                self.scans += 1;
                self.last_scan_background = sc.scan_type == ScanType::Background
                    && sc.flags & SCAN_FLAG_FORCE_BACKGROUND != 0;
                self.last_scan_ssids = u8::try_from(sc.ssids.len()).unwrap_or(u8::MAX);
                if self.joined && !self.last_scan_background {
                    self.fg_scans_joined += 1;
                }
            }
            _ => {}
        }
    }

    fn write_mib(&mut self, m: &Mib<'_>) {
        match *m {
            Mib::ProtectedMgmtPolicy(v) => self.pmf = v,
            Mib::BlockAckPolicy {
                tx_tid_mask,
                rx_tid_mask,
            } => self.block_ack = (tx_tid_mask, rx_tid_mask),
            Mib::KeepAlivePeriod(s) => self.keep_alive_s = s,
            Mib::BeaconWakeUpPeriod {
                num_beacon_periods, ..
            } => self.wake_beacons = num_beacon_periods,
            Mib::Raw { id, data } if AssocMib::handles(id) => {
                // The wire parser types it; a malformed one is the host's bug, counted by
                // the caller's malformed count when the whole request failed to decode.
                if let Ok(a) = AssocMib::parse(id, data) {
                    self.mibs += 1;
                    self.assoc_mib(&a);
                }
            }
            _ => {}
        }
    }

    fn assoc_mib(&mut self, a: &AssocMib<'_>) {
        match *a {
            AssocMib::SlotTime(us) => self.slot_us = us,
            AssocMib::RtsThreshold(v) => self.rts = Some(v),
            AssocMib::NonErpProtection(_) => {}
            AssocMib::ArpIpv4Filter { enable, addr } => self.arp = (enable, addr),
            AssocMib::TemplateFrame {
                frame_type: t,
                frame,
                ..
            } => match t {
                frame_type::PROBE_REQUEST => {
                    if frame.len() > TEMPLATE_MAX {
                        self.template_too_long += 1;
                    } else if let Some(dst) = self.template.get_mut(..frame.len()) {
                        dst.copy_from_slice(frame);
                        self.template_len = frame.len();
                    }
                }
                frame_type::QOS_NULL | frame_type::NULL => {
                    if !self.joined {
                        self.order_violations += 1;
                    }
                    self.null_template = true;
                }
                _ => {}
            },
            AssocMib::RcpiRssiThreshold(t) => self.rcpi = Some(t),
            AssocMib::AssociationMode(m) => {
                if !self.joined {
                    self.order_violations += 1;
                }
                self.assoc_mode = Some(m);
            }
            AssocMib::UapsdInfo(u) => self.uapsd = u.flags,
            AssocMib::HtProtection(v) => self.ht_protection = v,
        }
    }

    /// Writes the probe request the firmware sends for `ssid` while scanning: the
    /// template's header with `sa` as its source and `seq`, an SSID element with `ssid`,
    /// then the template's elements after its own SSID element. Without a template,
    /// `None` (the caller builds its own). Returns the length.
    pub fn probe_req(&self, out: &mut [u8], sa: &[u8; 6], ssid: &[u8], seq: u16) -> Option<usize> {
        let t = self.template()?;
        let hdr = t.get(..HDR_LEN)?;
        // The template's first element is its (empty) SSID element (`C:scan.c:208`).
        let (id, len) = (*t.get(HDR_LEN)?, usize::from(*t.get(HDR_LEN + 1)?));
        let ies = if id == 0 {
            t.get(HDR_LEN + 2 + len..)?
        } else {
            t.get(HDR_LEN..)?
        };
        let n = HDR_LEN + 2 + ssid.len() + ies.len();
        let o = out.get_mut(..n)?;
        o[..HDR_LEN].copy_from_slice(hdr);
        o[10..16].copy_from_slice(sa);
        o[22..24].copy_from_slice(&(seq << 4).to_le_bytes());
        o[HDR_LEN] = 0;
        o[HDR_LEN + 1] = u8::try_from(ssid.len()).ok()?;
        o[HDR_LEN + 2..HDR_LEN + 2 + ssid.len()].copy_from_slice(ssid);
        o[HDR_LEN + 2 + ssid.len()..].copy_from_slice(ies);
        Some(n)
    }

    /// The `fw_*` lines of the card's debugfs `contract` file.
    pub fn render(&self, w: &mut impl core::fmt::Write) -> core::fmt::Result {
        writeln!(w, "fw_joined {}", u8::from(self.joined))?;
        writeln!(w, "fw_aid {}", self.aid)?;
        writeln!(w, "fw_beacon_int {}", self.beacon_int)?;
        writeln!(w, "fw_dtim {}", self.dtim)?;
        writeln!(w, "fw_beacon_lost_count {}", self.beacon_lost_count)?;
        writeln!(w, "fw_operational_rates {:#x}", self.operational_rates)?;
        if let Some(m) = self.assoc_mode {
            writeln!(
                w,
                "fw_assoc_mode flags={:#x} preamble={} greenfield={} spacing={} basic={:#x}",
                m.flags, m.preamble, m.greenfield, m.mpdu_start_spacing, m.basic_rate_set
            )?;
        }
        writeln!(w, "fw_slot_us {}", self.slot_us)?;
        if let Some(r) = self.rts {
            writeln!(w, "fw_rts {r}")?;
        }
        if let Some(e) = self.edca {
            for (name, q) in ["vo", "vi", "be", "bk"].iter().zip(e.iter()) {
                writeln!(
                    w,
                    "fw_edca_{name} aifs={} cwmin={} cwmax={} txop_us={}",
                    q.aifsn, q.cw_min, q.cw_max, q.txop
                )?;
            }
        }
        writeln!(w, "fw_tx_queues {:#x}", self.tx_queues)?;
        writeln!(w, "fw_uapsd {:#x}", self.uapsd)?;
        writeln!(w, "fw_arp_enable {}", self.arp.0)?;
        writeln!(w, "fw_pmf {:#x}", self.pmf)?;
        writeln!(
            w,
            "fw_block_ack {:#x} {:#x}",
            self.block_ack.0, self.block_ack.1
        )?;
        writeln!(w, "fw_keep_alive_s {}", self.keep_alive_s)?;
        writeln!(w, "fw_wake_beacons {}", self.wake_beacons)?;
        writeln!(w, "fw_null_template {}", u8::from(self.null_template))?;
        writeln!(w, "fw_probe_template_len {}", self.template_len)?;
        writeln!(w, "fw_assoc_mibs {}", self.mibs)?;
        writeln!(w, "fw_scans {}", self.scans)?;
        writeln!(
            w,
            "fw_last_scan background={} ssids={}",
            u8::from(self.last_scan_background),
            self.last_scan_ssids
        )?;
        writeln!(w, "fw_fg_scans_joined {}", self.fg_scans_joined)?;
        writeln!(w, "fw_assoc_order_violations {}", self.order_violations)
    }
}

impl crate::chip::SimChip {
    /// The firmware's association state.
    pub fn fw_bss(&self) -> &FwBss {
        &self.fw.bss
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bes2600_wire::wsm::assoc::WriteAssocMib;
    use bes2600_wire::wsm::join::BssParams;
    use bes2600_wire::wsm::{decode, emit, Direction, Id, Message};

    fn feed<'a, M: Message<'a>>(b: &mut FwBss, m: &M, ok: bool) {
        let mut buf = [0u8; 700];
        let n = emit(m, 0, &mut buf).unwrap();
        let (id, body) = bes2600_wire::wsm::split(&buf[..n]).unwrap();
        let d = decode(Id(id.msg_id()), body, Direction::ToDevice).unwrap();
        b.observe(&d, ok);
    }

    fn bss(aid: u16) -> BssParams {
        BssParams {
            beacon_lost_count: 50,
            aid,
            operational_rate_set: 0xFFF,
            ht_rx_mcs_mask: 0,
        }
    }

    #[test]
    fn bss_params_before_join_is_a_violation() {
        let mut b = FwBss::new();
        feed(&mut b, &bss(1), true);
        assert_eq!(b.order_violations, 1);
        assert_eq!(b.aid, 1);
        let mut out = String::new();
        b.render(&mut out).unwrap();
        assert!(out.contains("fw_aid 1\n"));
        assert!(out.contains("fw_assoc_order_violations 1\n"));
    }

    #[test]
    fn probe_from_template_carries_its_ies_and_the_ssid() {
        let mut b = FwBss::new();
        let mut t = vec![0x40u8, 0, 0, 0];
        t.extend_from_slice(&[0xff; 6]);
        t.extend_from_slice(&[2, 0, 0, 0, 0, 9]);
        t.extend_from_slice(&[0xff; 6]);
        t.extend_from_slice(&[0, 0]);
        t.extend_from_slice(&[0, 0]); // empty SSID
        t.extend_from_slice(&[1, 2, 0x82, 0x84, 0xDD, 3, 1, 2, 3]);
        let m = WriteAssocMib(AssocMib::TemplateFrame {
            frame_type: frame_type::PROBE_REQUEST,
            rate: 0,
            frame: &t,
        });
        feed(&mut b, &m, true);
        assert_eq!(b.template(), Some(&t[..]));
        let mut out = [0u8; 128];
        let n = b
            .probe_req(&mut out, &[6, 1, 2, 3, 4, 5], b"net", 7)
            .unwrap();
        let f = &out[..n];
        assert_eq!(&f[10..16], &[6, 1, 2, 3, 4, 5]);
        assert_eq!(&f[24..29], &[0, 3, b'n', b'e', b't']);
        assert_eq!(&f[29..], &t[26..], "the template's IEs follow the SSID");
        assert_eq!(u16::from_le_bytes([f[22], f[23]]), 7 << 4);
        // A foreground scan while joined is counted; a forced background one is not.
        let j = bes2600_wire::wsm::join::JoinReq {
            mode: bes2600_wire::wsm::join::JoinMode::Bss,
            band: bes2600_wire::wsm::common::Band::Band2G4,
            channel: 6,
            bssid: [2; 6],
            atim_window: 0,
            preamble: bes2600_wire::wsm::join::Preamble::Long,
            probe_for_join: 0,
            dtim_period: 3,
            flags: 0,
            ssid: Default::default(),
            beacon_interval: 120,
            basic_rate_set: 0xF,
        };
        feed(&mut b, &j, true);
        assert_eq!((b.beacon_int, b.dtim), (120, 3));
        let ssids = [bes2600_wire::wsm::common::Ssid::new(b"a").unwrap(); 2];
        let mut sc = bes2600_wire::wsm::scan::StartScan {
            band: bes2600_wire::wsm::common::Band::Band2G4,
            scan_type: ScanType::Foreground,
            flags: 0,
            max_tx_rate: 0,
            auto_scan_interval: 0,
            num_probe_req: 2,
            probe_delay: 0,
            channels: bes2600_wire::list::List::empty(),
            ssids: bes2600_wire::list::List::from_items(&ssids),
        };
        feed(&mut b, &sc, true);
        assert_eq!((b.fg_scans_joined, b.last_scan_ssids), (1, 2));
        sc.scan_type = ScanType::Background;
        sc.flags = SCAN_FLAG_FORCE_BACKGROUND;
        feed(&mut b, &sc, true);
        assert_eq!((b.fg_scans_joined, b.last_scan_background), (1, true));
        // Reset keeps the template but forgets the BSS.
        feed(
            &mut b,
            &bes2600_wire::wsm::misc::Reset {
                keep_statistics: false,
            },
            true,
        );
        assert!(b.template().is_some());
        assert_eq!(b.aid, 0);
    }
}
