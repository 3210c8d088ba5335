//! What the firmware is told when mac80211's BSS state changes (`bss_info_changed`), in the
//! order the vendor driver tells it (`C:ap.c:390-1132`, station paths only).
//!
//! [`AssocState::plan`] maps one `bss_info_changed` call ([`BssConf`] + [`changed`] bits)
//! to a [`Plan`]: the exact sequence of WSM requests, allocation-free. The kernel module
//! submits the plan's commands in order; host tests compare it with C's sequence.
//!
//! C's order for a station (each step only when its flags changed):
//! 1. `BSSID`: RCPI/RSSI reporting, RCPI mode, no thresholds, average of 16
//!    (`bes2600_setup_mac_pvif`, `C:sta.c:2719-2750`).
//! 2. `ARP_FILTER`: C keeps the filter and writes MIB 0x1001 when the chip goes to sleep
//!    (`C:ap.c:425-489`, `C:bes_pwr.c:494`); we have no such sleep path, so the MIB goes
//!    out at once (one address; more than one, or none, disables it as in C).
//! 3. `ASSOC|BASIC_RATES|ERP_PREAMBLE|HT|ERP_SLOT` while associated (`C:ap.c:620-831`):
//!    HT protection 0x1021 (when the AP's station entry exists), association mode 0x1010,
//!    keep-alive period 0x1025 (15 s), set-BSS-params 0x0011 (AID, beacon-lost count,
//!    operational rates), beacon wake-up period 0x1007, block-ack policy 0x100E (HT only),
//!    the QoS-null template 0x1002. On disassociation C only forgets its copies.
//! 4. `ASSOC|ERP_SLOT`: slot time 0x0003, 9 or 20 µs (`C:ap.c:893-899`).
//! 5. `ASSOC|CQM`: RCPI/RSSI threshold 0x1009 (`C:ap.c:901-946`).
//!
//! Scans ([`scan_request`], [`probe_template_mib`]): while joined, a background scan with the
//! force-background flag and every SSID of the request, after the probe-request template
//! (mac80211's IEs) is uploaded (`C:scan.c:175-267, 612-623`).
//!
//! Not mapped: the channel-type switch 0x0016 C sends on association (`C:ap.c:667-676`,
//! HT40 is the band owner's), the P2P and AP-only paths, the ARP-reply template.

use bes2600_wire::list::List;
use bes2600_wire::wsm::assoc::{
    assoc_flags, frame_type, rcpi_mode, AssocMib, AssociationMode, RcpiRssiThreshold,
    ARP_FILTER_STATION,
};
use bes2600_wire::wsm::common::{Band, Ssid};
use bes2600_wire::wsm::join::{BssParams, Preamble};
use bes2600_wire::wsm::mib::{pmf, Mib};
use bes2600_wire::wsm::scan::{ScanType, StartScan, SCAN_FLAG_FORCE_BACKGROUND};

use super::rates::band_basic_rates_to_hw;

/// `bss_info_changed` flags the mapping acts on (the shim translates `BSS_CHANGED_*`).
pub mod changed {
    /// `BSS_CHANGED_BSSID`.
    pub const BSSID: u32 = 1 << 0;
    /// `BSS_CHANGED_ASSOC`.
    pub const ASSOC: u32 = 1 << 1;
    /// `BSS_CHANGED_ERP_CTS_PROT`.
    pub const ERP_CTS_PROT: u32 = 1 << 2;
    /// `BSS_CHANGED_ERP_PREAMBLE`.
    pub const ERP_PREAMBLE: u32 = 1 << 3;
    /// `BSS_CHANGED_ERP_SLOT`.
    pub const ERP_SLOT: u32 = 1 << 4;
    /// `BSS_CHANGED_HT`.
    pub const HT: u32 = 1 << 5;
    /// `BSS_CHANGED_BASIC_RATES`.
    pub const BASIC_RATES: u32 = 1 << 6;
    /// `BSS_CHANGED_BEACON_INT`.
    pub const BEACON_INT: u32 = 1 << 7;
    /// `BSS_CHANGED_CQM`.
    pub const CQM: u32 = 1 << 8;
    /// `BSS_CHANGED_ARP_FILTER`.
    pub const ARP_FILTER: u32 = 1 << 9;
    /// `BSS_CHANGED_DTIM` (mac80211 reports the DTIM period with the beacon info).
    pub const DTIM: u32 = 1 << 10;
}

/// Beacon-lost count C gives the firmware outside P2P (`C:sta.c:2706-2707`,
/// `C:ap.c:613-614`): the beacon-loss count of 50 wins over the link-loss count of 100.
pub const BEACON_LOST_COUNT: u8 = 50;
/// Keep-alive period in seconds (`C:ap.c:31`, spec §3.10).
pub const KEEP_ALIVE_S: u16 = 15;
/// Block-ack TID mask with `AP_AGGREGATE_FW_FIX` (on in the shipped build,
/// `C:Makefile:13`, `C:main.c:362`).
pub const BA_TID_MASK: u8 = 0xB1;
/// Beyond this many ms between DTIM beacons the station wakes for every beacon
/// (`MAX_BEACON_SKIP_TIME_MS`, `C:wsm.h:706`).
pub const MAX_BEACON_SKIP_TIME_MS: u32 = 1000;
/// The firmware's operational rate set when the AP has no station entry: all rates
/// (`C:ap.c:700`).
pub const ALL_RATES: u32 = u32::MAX;
/// `IEEE80211_HT_OP_MODE_NON_GF_STA_PRSNT`.
pub const HT_OP_NON_GF_STA_PRSNT: u16 = 0x0004;

/// The AP's HT capabilities and the BSS's HT operation, when the link is HT.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct HtInfo {
    /// The AP advertises greenfield (`IEEE80211_HT_CAP_GRN_FLD`).
    pub greenfield_cap: bool,
    /// A-MPDU density code of the AP's HT capabilities.
    pub ampdu_density: u8,
    /// The HT operation mode field of the BSS.
    pub operation_mode: u16,
    /// RX MCS mask byte 0 of the AP's HT capabilities (MCS 0-7).
    pub rx_mcs0: u8,
}

/// The slice of `ieee80211_bss_conf`/`ieee80211_vif_cfg` the mapping reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BssConf {
    /// Associated (`vif->cfg.assoc`).
    pub assoc: bool,
    /// Association id (`vif->cfg.aid`).
    pub aid: u16,
    /// The BSSID.
    pub bssid: [u8; 6],
    /// The interface's own address.
    pub addr: [u8; 6],
    /// Band of the operating channel.
    pub band: Band,
    /// Beacon interval in TU.
    pub beacon_int: u16,
    /// DTIM period (0 when not known yet).
    pub dtim_period: u8,
    /// Short preamble in use.
    pub use_short_preamble: bool,
    /// Short slot time in use.
    pub use_short_slot: bool,
    /// Basic rates over the band's registered rate table.
    pub basic_rates: u32,
    /// The AP's supported rates over the band's rate table, `None` when mac80211 has no
    /// station entry for the AP.
    pub ap_rates: Option<u32>,
    /// HT of the link (`None`: legacy).
    pub ht: Option<HtInfo>,
    /// CQM RSSI threshold in dBm (0: none).
    pub cqm_rssi_thold: i32,
    /// CQM RSSI hysteresis in dB.
    pub cqm_rssi_hyst: u32,
    /// ARP filter addresses mac80211 gave (network order), count in `arp_count`.
    pub arp_addr: [u8; 4],
    /// How many addresses the interface has (only one fits the firmware's table).
    pub arp_count: u8,
}

impl Default for BssConf {
    fn default() -> Self {
        Self {
            assoc: false,
            aid: 0,
            bssid: [0; 6],
            addr: [0; 6],
            band: Band::Band2G4,
            beacon_int: 100,
            dtim_period: 0,
            use_short_preamble: false,
            use_short_slot: false,
            basic_rates: 0,
            ap_rates: None,
            ht: None,
            cqm_rssi_thold: 0,
            cqm_rssi_hyst: 0,
            arp_addr: [0; 4],
            arp_count: 0,
        }
    }
}

/// One request of a plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmd {
    /// Set BSS params 0x0011.
    BssParams(BssParams),
    /// Write MIB of the association family (`wsm::assoc`).
    Mib(AssocMib<'static>),
    /// Write MIB of the generic family (`wsm::mib`).
    StdMib(Mib<'static>),
    /// The QoS-null template (MIB 0x1002) for the station: its bytes are built from the
    /// addresses by [`null_frame`] when the command is emitted.
    NullTemplate {
        /// The BSSID.
        bssid: [u8; 6],
        /// The station's address.
        addr: [u8; 6],
    },
}

impl Cmd {
    /// The write-MIB id, or the message id 0x0011 for set-BSS-params: what a test or a
    /// log names the command by.
    pub fn label(&self) -> u16 {
        match self {
            Cmd::BssParams(_) => bes2600_wire::wsm::join::SET_BSS_PARAMS_REQ,
            Cmd::Mib(m) => m.id(),
            Cmd::StdMib(m) => m.id(),
            Cmd::NullTemplate { .. } => bes2600_wire::wsm::mib::id::TEMPLATE_FRAME,
        }
    }
}

/// Longest plan: BSSID (1) + ARP (1) + association (7) + slot (1) + CQM (1).
pub const PLAN_MAX: usize = 12;

/// A fixed-capacity command sequence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Plan {
    cmds: [Option<Cmd>; PLAN_MAX],
    len: usize,
}

impl Plan {
    /// An empty plan.
    pub const fn new() -> Self {
        Self {
            cmds: [None; PLAN_MAX],
            len: 0,
        }
    }

    fn push(&mut self, c: Cmd) {
        // PLAN_MAX covers the longest sequence `plan` builds; a push beyond it is dropped
        // rather than panicking (a host test checks the longest one fits).
        if let Some(slot) = self.cmds.get_mut(self.len) {
            *slot = Some(c);
            self.len += 1;
        }
    }

    /// The commands in order.
    pub fn iter(&self) -> impl Iterator<Item = &Cmd> + '_ {
        self.cmds.iter().take(self.len).flatten()
    }

    /// Number of commands.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the plan is empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// What the driver remembers between `bss_info_changed` calls (C's `bes2600_vif` fields
/// `join_dtim_period`, `beacon_int`, `bss_params`, `setbssparams_done`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AssocState {
    /// DTIM period last seen while associated (at least 1 once set).
    pub dtim_period: u8,
    /// Beacon interval last seen while associated.
    pub beacon_int: u16,
    /// The set-BSS-params last sent (AID 0: none since the last disassociation).
    pub bss_params: Option<BssParams>,
}

/// RCPI of an RSSI in dBm, as C converts CQM thresholds: `(rssi + 110) * 2`, clamped to a
/// byte (`C:ap.c:929-934`).
pub fn rssi_to_rcpi(rssi_dbm: i32) -> u8 {
    let v = rssi_dbm.saturating_add(110).saturating_mul(2);
    u8::try_from(v.clamp(0, 255)).unwrap_or(u8::MAX)
}

/// The RCPI reporting set up when the interface gets its BSSID (`C:sta.c:2728-2733`).
pub fn rcpi_reporting() -> AssocMib<'static> {
    AssocMib::RcpiRssiThreshold(RcpiRssiThreshold {
        mode: rcpi_mode::ENABLE | rcpi_mode::DONT_USE_UPPER | rcpi_mode::DONT_USE_LOWER,
        lower: 0,
        upper: 0,
        rolling_average_count: 16,
    })
}

/// The PMF policy C sets before every join: unprotected management frames allowed,
/// authentication frames encrypted (`C:sta.c:2276-2281`).
pub fn pmf_at_join() -> Mib<'static> {
    Mib::ProtectedMgmtPolicy(pmf::ALLOW_UNPROTECTED | pmf::ENCRYPT_AUTH)
}

/// The PMF policy once the link protects management frames (C sets it when the IGTK is
/// installed, `C:sta.c:1009-1015`): protection on, nothing else.
pub fn pmf_protected() -> Mib<'static> {
    Mib::ProtectedMgmtPolicy(pmf::ENABLE)
}

/// Length of the null-data template [`null_frame`] writes.
pub const NULL_FRAME_LEN: usize = 24;

/// The null-data frame mac80211's `ieee80211_nullfunc_get(hw, vif, 0, false)` returns for
/// a station (`C:ap.c:1459`): data/null-function, to-DS, duration 0, A1 = A3 = BSSID,
/// A2 = own address, sequence 0.
pub fn null_frame(bssid: &[u8; 6], addr: &[u8; 6]) -> [u8; NULL_FRAME_LEN] {
    let mut f = [0u8; NULL_FRAME_LEN];
    f[0] = 0x48; // type data (0b10 << 2), subtype null function (0b0100 << 4)
    f[1] = 0x01; // to-DS
    f[4..10].copy_from_slice(bssid);
    f[10..16].copy_from_slice(addr);
    f[16..22].copy_from_slice(bssid);
    f
}

impl AssocState {
    /// A fresh interface.
    pub const fn new() -> Self {
        Self {
            dtim_period: 0,
            beacon_int: 0,
            bss_params: None,
        }
    }

    /// The commands for one `bss_info_changed(conf, changed)`, in C's order.
    pub fn plan(&mut self, conf: &BssConf, changed: u32) -> Plan {
        let mut p = Plan::new();
        if changed & changed::BSSID != 0 {
            p.push(Cmd::Mib(rcpi_reporting()));
        }
        if changed & changed::ARP_FILTER != 0 {
            // One address fits the firmware's table (`C:wsm.h:447`); otherwise off.
            let on = conf.arp_count == 1;
            p.push(Cmd::Mib(AssocMib::ArpIpv4Filter {
                enable: if on { ARP_FILTER_STATION } else { 0 },
                addr: if on { conf.arp_addr } else { [0; 4] },
            }));
        }
        let assoc_group = changed::ASSOC
            | changed::BASIC_RATES
            | changed::ERP_PREAMBLE
            | changed::HT
            | changed::ERP_SLOT;
        if changed & assoc_group != 0 {
            if conf.assoc {
                self.plan_assoc(conf, &mut p);
            } else {
                *self = Self::new();
            }
        }
        if changed & (changed::ASSOC | changed::ERP_SLOT) != 0 {
            let us = if conf.use_short_slot { 9 } else { 20 };
            p.push(Cmd::Mib(AssocMib::SlotTime(us)));
        }
        if changed & (changed::ASSOC | changed::CQM) != 0 {
            p.push(Cmd::Mib(AssocMib::RcpiRssiThreshold(cqm_threshold(conf))));
        }
        p
    }

    fn plan_assoc(&mut self, conf: &BssConf, p: &mut Plan) {
        if conf.dtim_period != 0 {
            self.dtim_period = conf.dtim_period;
        }
        self.beacon_int = conf.beacon_int;
        let ht = conf.ht.filter(|_| conf.ap_rates.is_some());
        if conf.ap_rates.is_some() {
            let non_gf = ht.is_some_and(|h| h.operation_mode & HT_OP_NON_GF_STA_PRSNT != 0);
            p.push(Cmd::Mib(AssocMib::HtProtection(if non_gf {
                1 << 1
            } else {
                0
            })));
        }
        let greenfield =
            ht.is_some_and(|h| h.greenfield_cap && h.operation_mode & HT_OP_NON_GF_STA_PRSNT == 0);
        p.push(Cmd::Mib(AssocMib::AssociationMode(AssociationMode {
            flags: assoc_flags::SNOOP_ASSOC_FRAMES
                | assoc_flags::USE_PREAMBLE_TYPE
                | assoc_flags::USE_HT_MODE
                | assoc_flags::USE_BASIC_RATE_SET
                | assoc_flags::USE_MPDU_START_SPACING,
            preamble: u8::from(if conf.use_short_preamble {
                Preamble::Short
            } else {
                Preamble::Long
            }),
            greenfield: u8::from(greenfield),
            mpdu_start_spacing: ht.map_or(0, |h| h.ampdu_density),
            basic_rate_set: band_basic_rates_to_hw(conf.basic_rates, conf.band),
        })));
        p.push(Cmd::StdMib(Mib::KeepAlivePeriod(KEEP_ALIVE_S)));
        let bss = BssParams {
            beacon_lost_count: BEACON_LOST_COUNT,
            aid: conf.aid,
            operational_rate_set: conf
                .ap_rates
                .map_or(ALL_RATES, |r| band_basic_rates_to_hw(r, conf.band)),
            ht_rx_mcs_mask: ht.map_or(0, |h| h.rx_mcs0),
        };
        self.bss_params = Some(bss);
        p.push(Cmd::BssParams(bss));
        let dtim = self.dtim_period.max(1);
        let skip_ms = u32::from(self.beacon_int) * u32::from(dtim);
        p.push(Cmd::StdMib(Mib::BeaconWakeUpPeriod {
            num_beacon_periods: if skip_ms > MAX_BEACON_SKIP_TIME_MS {
                1
            } else {
                dtim
            },
            listen_interval: 0,
        }));
        if ht.is_some() {
            p.push(Cmd::StdMib(Mib::BlockAckPolicy {
                tx_tid_mask: BA_TID_MASK,
                rx_tid_mask: BA_TID_MASK,
            }));
        }
        p.push(Cmd::NullTemplate {
            bssid: conf.bssid,
            addr: conf.addr,
        });
    }
}

/// The CQM threshold MIB (`C:ap.c:901-946`): with a subscription, RCPI thresholds at
/// `thold` and `thold + hyst`; without, reporting on and both thresholds off.
pub fn cqm_threshold(conf: &BssConf) -> RcpiRssiThreshold {
    if conf.cqm_rssi_thold != 0 || conf.cqm_rssi_hyst != 0 {
        let hyst = i32::try_from(conf.cqm_rssi_hyst).unwrap_or(i32::MAX);
        RcpiRssiThreshold {
            mode: rcpi_mode::ENABLE,
            lower: rssi_to_rcpi(conf.cqm_rssi_thold),
            upper: rssi_to_rcpi(conf.cqm_rssi_thold.saturating_add(hyst)),
            rolling_average_count: 8,
        }
    } else {
        RcpiRssiThreshold {
            mode: rcpi_mode::ENABLE | rcpi_mode::DONT_USE_UPPER | rcpi_mode::DONT_USE_LOWER,
            lower: 0,
            upper: 0,
            rolling_average_count: 8,
        }
    }
}

/// The template-frame MIB for a QoS-null command, written over `buf`.
pub fn null_template<'b>(
    buf: &'b mut [u8; NULL_FRAME_LEN],
    bssid: &[u8; 6],
    addr: &[u8; 6],
) -> AssocMib<'b> {
    *buf = null_frame(bssid, addr);
    AssocMib::TemplateFrame {
        frame_type: frame_type::QOS_NULL,
        // 0xFF: the firmware picks the rate (`C:ap.c:1455`).
        rate: 0xFF,
        frame: &buf[..],
    }
}

/// Longest probe-request template the module keeps: mac80211's probe request
/// (`ieee80211_probereq_get`) with the scan request's IEs, built by the shim.
pub const PROBE_TEMPLATE_MAX: usize = 512;

/// The probe-request template MIB over a template `frame`.
pub fn probe_template_mib(frame: &[u8]) -> AssocMib<'_> {
    AssocMib::TemplateFrame {
        frame_type: frame_type::PROBE_REQUEST,
        rate: 0,
        frame,
    }
}

/// The start-scan request for the link's state: while joined, C scans in the background
/// with the force-background flag, as the firmware team requires (`C:scan.c:617-623`), and
/// probes for every SSID of the request (up to two, spec §3.3; `C:scan.c:259-267, 612`).
pub fn scan_request<'a>(base: &StartScan<'a>, joined: bool, ssids: &'a [Ssid]) -> StartScan<'a> {
    let mut r = *base;
    if joined {
        r.scan_type = ScanType::Background;
        r.flags |= SCAN_FLAG_FORCE_BACKGROUND;
    }
    let n = ssids.len().min(bes2600_wire::wsm::scan::MAX_SSIDS);
    r.ssids = List::from_items(ssids.get(..n).unwrap_or(&[]));
    r
}
