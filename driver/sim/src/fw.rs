//! The WSM firmware model: start-up, sequence numbers, credits, command confirms, scan, the
//! simulated open AP and the downlink traffic generator (spec §3, contracts.md).

use bes2600_wire::wsm::mib::Mib;
use bes2600_wire::wsm::rate::{RateTries, MAX_POLICIES};
use bes2600_wire::wsm::scan::StartScan;
use bes2600_wire::wsm::sdd;
use bes2600_wire::wsm::tx::TxReq;
use bes2600_wire::wsm::{decode, Decoded, Direction, Id};

use crate::card::contract::Rule;
use crate::chip::{ApState, CnfExtra, Mgmt, Out, SimChip};
use crate::net::{self, StaFrame};
use crate::regs::{self, status};
use crate::wsm::{self, id};

/// Firmware-side state that a reset or WIFI deactivate clears.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FwState {
    pub(crate) hung: bool,
    pub(crate) drop_confirms: u8,
    pub(crate) corrupt_next_len: bool,
    pub(crate) glitch_next_len: bool,
    pub(crate) loss_events_left: u8,
    pub(crate) loss_spacing_ns: u64,
    pub(crate) next_loss_ns: u64,
    pub(crate) pause_until_ns: u64,
    pub(crate) wifi_ready_at: Option<u64>,
    /// Host messages not yet confirmed (firmware input buffers in use, spec §4.3).
    pub(crate) outstanding: u16,
    /// Next expected host→chip seq per space, and next chip→host seq per space (spec §3.2).
    pub(crate) host_seq: [u8; 2],
    pub(crate) chip_seq: [u8; 2],
    pub(crate) multi_tx: bool,
    pub(crate) sta_mac: [u8; 6],
    pub(crate) joined: bool,
    pub(crate) next_beacon_ns: u64,
    pub(crate) scan_done_ns: Option<u64>,
    pub(crate) scan_hit: bool,
    pub(crate) scan_channels: u8,
    pub(crate) ap: ApState,
    pub(crate) streaming: bool,
    pub(crate) next_gen_ns: u64,
    pub(crate) gen_frac: u64,
    pub(crate) stream_seq: u64,
    pub(crate) seq80211: u16,
    /// Firmware key table (spec §3.4): which entries hold a key.
    pub(crate) keys: u16,
    /// Static-WEP AP (`SimConfig::privacy`); survives WIFI deactivate.
    pub(crate) privacy: bool,
    /// What the host told the firmware about the BSS (bss.rs).
    pub(crate) bss: crate::bss::FwBss,
    /// The rate-policy table the host uploaded (MIB 0x1016, spec §3.9); Reset wipes it.
    pub(crate) policies: [Option<RateTries>; MAX_POLICIES],
    /// (packet id, rate) of recent TX requests: the rate their confirm reports.
    pub(crate) tx_rates: [(u32, u8); TX_RATES_KEPT],
    pub(crate) tx_rates_next: usize,
    /// Power save: the station's doze state and the AP's buffer for it (`ps.rs`).
    pub(crate) ps: crate::ps::PsState,
}

/// TX requests whose rate the firmware remembers until their confirm (more than the
/// credits any configuration of the sim gives).
pub(crate) const TX_RATES_KEPT: usize = 64;

/// Key table entries the firmware model accepts: 0..=10, as the WSM API it descends from
/// (mainline `cw1200/wsm.h` `WSM_KEY_MAX_INDEX`); the spec gives no BES figure.
pub(crate) const KEY_ENTRIES: u8 = 11;

impl FwState {
    pub(crate) const fn new() -> Self {
        Self {
            hung: false,
            drop_confirms: 0,
            corrupt_next_len: false,
            glitch_next_len: false,
            loss_events_left: 0,
            loss_spacing_ns: 1,
            next_loss_ns: 0,
            pause_until_ns: 0,
            wifi_ready_at: None,
            outstanding: 0,
            host_seq: [0; 2],
            chip_seq: [0; 2],
            multi_tx: false,
            sta_mac: [0x02, 0x00, 0x00, 0x00, 0x00, 0x02],
            joined: false,
            next_beacon_ns: 0,
            scan_done_ns: None,
            scan_hit: false,
            scan_channels: 0,
            ap: ApState::Idle,
            streaming: false,
            next_gen_ns: 0,
            gen_frac: 0,
            stream_seq: 0,
            seq80211: 0,
            keys: 0,
            privacy: false,
            bss: crate::bss::FwBss::new(),
            policies: [None; MAX_POLICIES],
            tx_rates: [(u32::MAX, 0); TX_RATES_KEPT],
            tx_rates_next: 0,
            ps: crate::ps::PsState::new(),
        }
    }

    /// Remembers the rate frame `packet_id` goes out at, for its confirm.
    pub(crate) fn note_tx_rate(&mut self, packet_id: u32, rate: u8) {
        if let Some(slot) = self.tx_rates.get_mut(self.tx_rates_next % TX_RATES_KEPT) {
            *slot = (packet_id, rate);
        }
        self.tx_rates_next = self.tx_rates_next.wrapping_add(1);
    }

    /// The rate frame `packet_id` went out at (the most recent request with that id; 1 Mb/s
    /// when unknown).
    pub(crate) fn tx_rate_of(&self, packet_id: u32) -> u8 {
        let n = TX_RATES_KEPT;
        (1..=n)
            .filter_map(|k| self.tx_rates.get((self.tx_rates_next.wrapping_sub(k)) % n))
            .find(|(p, _)| *p == packet_id)
            .map_or(0, |(_, r)| *r)
    }

    /// What a chip power cycle forgets. What lives outside the firmware survives: the AP's
    /// stream keeps counting, so a receiver sees the frames lost meanwhile as a gap; the AP
    /// keeps the association it holds, so a host that restores its state (join, keys) gets
    /// the downlink back without associating again; and the privacy setting is the AP's.
    pub(crate) fn power_cycle(&mut self) {
        let (seq, ap, privacy) = (self.stream_seq, self.ap, self.privacy);
        *self = Self::new();
        self.stream_seq = seq;
        self.ap = ap;
        self.privacy = privacy;
    }

    /// What WIFI deactivate forgets: as a power cycle, but the chip keeps its MAC and a hang.
    pub(crate) fn wifi_down(&mut self) {
        let (mac, hung) = (self.sta_mac, self.hung);
        self.power_cycle();
        self.sta_mac = mac;
        self.hung = hung;
    }

    pub(crate) fn next_seq80211(&mut self) -> u16 {
        self.seq80211 = (self.seq80211 + 1) & 0x0FFF;
        self.seq80211
    }
}

/// TX requests of one CMD53 write, confirmed together.
#[derive(Debug, Default)]
pub(crate) struct TxBatch {
    count: u8,
    ids: [u32; 16],
    statuses: [u32; 16],
}

impl TxBatch {
    /// Adds one confirm; `true` when the batch is full and must be flushed.
    pub(crate) fn push(&mut self, packet_id: u32, status: u32) -> bool {
        let i = usize::from(self.count);
        if let (Some(slot_id), Some(slot_st)) = (self.ids.get_mut(i), self.statuses.get_mut(i)) {
            *slot_id = packet_id;
            *slot_st = status;
            self.count += 1;
        }
        usize::from(self.count) == self.ids.len()
    }
}

const BEACON_NS: u64 = net::BEACON_INTERVAL_TU as u64 * net::TU_NS;
/// Longest dwell the sim honours per scanned channel.
const MAX_DWELL_NS: u64 = 120_000_000;

impl SimChip {
    pub(crate) fn fw_tick(&mut self) {
        if self.fw.hung {
            return;
        }
        let now = self.now;
        if let Some(t) = self.fw.wifi_ready_at {
            if now >= t {
                self.fw.wifi_ready_at = None;
                self.slave_status |= status::WIFI_READY;
                self.counters.startups += 1;
                self.push_ctrl(Out::Startup);
            }
        }
        if self.slave_status & status::WIFI_READY == 0 {
            return;
        }
        if self.cfg.air {
            // A real medium: no built-in AP, beacons or stream (radio.rs).
            self.air_tick();
            return;
        }
        if let Some(t) = self.fw.scan_done_ns {
            if now >= t {
                self.finish_scan();
            }
        }
        self.tick_loss();
        let paused = now < self.fw.pause_until_ns;
        if self.fw.joined && !paused {
            if now.saturating_sub(self.fw.next_beacon_ns) > 10 * BEACON_NS {
                self.fw.next_beacon_ns = now;
            }
            while self.fw.next_beacon_ns <= now {
                let tb = self.fw.next_beacon_ns;
                // What reaches the air before the TBTT goes first: power save handles the
                // arrivals, beacons and doze deadlines in time order (ps.rs).
                self.tick_traffic(paused, tb);
                self.ps_advance(tb);
                self.counters.beacons += 1;
                // A dozing station hears only the beacons it wakes for.
                if let Some(kind) = self.ps_tbtt(tb) {
                    self.push_ctrl(Out::Mgmt { kind, if_id: 0 });
                }
                self.fw.next_beacon_ns += BEACON_NS;
            }
        }
        if self.rng.chance_ppm(self.cfg.faults.hostile_ppm) {
            self.counters.hostile_events += 1;
            let len = 4 + self.rng.below(1629) as u16;
            self.push_ctrl(Out::Garbage { len });
        }
        self.tick_traffic(paused, now);
        self.ps_advance(now);
    }

    fn tick_loss(&mut self) {
        while self.fw.loss_events_left > 0 && self.now >= self.fw.next_loss_ns {
            self.fw.loss_events_left -= 1;
            self.counters.bss_lost_sent += 1;
            self.push_ctrl(Out::Event {
                id: wsm::EVENT_BSS_LOST,
                data: 0,
            });
            self.fw.pause_until_ns = self.fw.next_loss_ns + self.fw.loss_spacing_ns;
            self.fw.next_loss_ns += self.fw.loss_spacing_ns;
        }
    }

    /// Generates the stream's frames due up to `until`.
    fn tick_traffic(&mut self, paused: bool, until: u64) {
        let t = self.cfg.traffic;
        let on = t.enabled
            && t.phy_rate_bps > 0
            && matches!(self.fw.ap, ApState::Associated(_))
            // The firmware hears the BSS only while joined to it.
            && self.fw.joined
            && !paused
            && (t.max_frames == 0 || self.fw.stream_seq < t.max_frames);
        if !on {
            self.fw.streaming = false;
            return;
        }
        if !self.fw.streaming {
            self.fw.streaming = true;
            self.fw.next_gen_ns = self.now;
            self.fw.gen_frac = 0;
        }
        let ampdu = u64::from(t.ampdu.max(1));
        let frame_bits = net::stream_frame_len(t.payload_len.min(regs::MAX_MSG)) as u64 * 8;
        // Airtime of one A-MPDU in ns, with the remainder carried (no floats, no u128).
        let num = ampdu
            .saturating_mul(frame_bits)
            .saturating_mul(1_000_000_000);
        let step = num / t.phy_rate_bps;
        let rem = num % t.phy_rate_bps;
        while self.fw.next_gen_ns <= until {
            let tg = self.fw.next_gen_ns;
            self.ps_advance(tg);
            for _ in 0..ampdu {
                if t.max_frames != 0 && self.fw.stream_seq >= t.max_frames {
                    break;
                }
                let seq = self.fw.stream_seq;
                self.fw.stream_seq += 1;
                // To the station, or into the AP's buffer while it dozes (ps.rs).
                self.ps_downlink(seq, tg);
            }
            self.fw.gen_frac += rem;
            let carry = self.fw.gen_frac / t.phy_rate_bps;
            self.fw.gen_frac %= t.phy_rate_bps;
            self.fw.next_gen_ns += step.max(1) + carry;
        }
    }

    fn finish_scan(&mut self) {
        self.fw.scan_done_ns = None;
        self.counters.scans += 1;
        if self.fw.scan_hit {
            let if_id = wsm::SCAN_IF_ID;
            self.push_ctrl(Out::Mgmt {
                kind: Mgmt::ProbeResp,
                if_id,
            });
            self.push_ctrl(Out::Mgmt {
                kind: Mgmt::Beacon,
                if_id,
            });
        }
        self.push_ctrl(Out::ScanComplete {
            channels: self.fw.scan_channels,
        });
    }

    /// Handles one host message from a TX slot (spec §3.2-3.5).
    pub(crate) fn host_message(&mut self, slot: &[u8], batch: &mut TxBatch) {
        let (Some(len), Some(mid)) = (wsm::le16(slot, 0), wsm::le16(slot, 2)) else {
            self.counters.host_malformed += 1;
            return;
        };
        let Some(msg) = slot
            .get(..usize::from(len))
            .filter(|m| m.len() >= wsm::HDR_LEN)
        else {
            self.counters.host_malformed += 1;
            return;
        };
        let space = wsm::seq_space(mid);
        let seq = (mid >> 13) as u8;
        let want = self.fw.host_seq.get(space).copied().unwrap_or(0);
        if seq != want {
            self.counters.host_seq_errors += 1;
        }
        if let Some(s) = self.fw.host_seq.get_mut(space) {
            *s = (seq + 1) & 7;
        }
        if self.fw.outstanding >= self.cfg.num_inp_ch_bufs {
            // The host sent without a credit (spec §4.3): the firmware has no buffer for it.
            self.counters.credit_overruns += 1;
            return;
        }
        self.fw.outstanding += 1;
        self.counters.max_outstanding = self
            .counters
            .max_outstanding
            .max(u64::from(self.fw.outstanding));
        if self.fw.hung {
            return;
        }
        let base = mid & wsm::MSG_ID_MASK;
        let body = msg.get(wsm::HDR_LEN..).unwrap_or(&[]);
        // Host requests are parsed with the wire crate's strict Reprs (spec §3.3-3.5): what
        // it refuses, the chip counts as a host bug and answers with an error status.
        match decode(Id(mid), body, Direction::ToDevice) {
            Ok(Decoded::TxReq(t)) => match self.tx_policy_check(&t) {
                Ok(rate) => {
                    self.fw.note_tx_rate(t.packet_id.0, rate);
                    self.tx_request(t.packet_id.0, Some(t.frame), batch)
                }
                Err(rule) => {
                    // The firmware has no such policy or rate: it fails the frame.
                    self.fw_violation(rule);
                    self.counters.tx_policy_refused += 1;
                    self.counters.tx_requests += 1;
                    if batch.push(t.packet_id.0, wsm::STATUS_FAILURE) {
                        self.flush_tx_batch(batch);
                    }
                }
            },
            Ok(d) => self.command(mid, Some(d)),
            Err(_) => {
                self.counters.host_malformed += 1;
                if base == id::TX {
                    self.tx_request(wsm::le32(msg, 4).unwrap_or(0), None, batch);
                } else {
                    self.command(mid, None);
                }
            }
        }
    }

    /// The rate a TX request goes out at: the policy it names must be in the uploaded table
    /// and its `maxTxRate` one of the policy's rates (spec §3.5, §3.9). The firmware starts
    /// at `maxTxRate` and the simulated link acknowledges the first attempt, so that is the
    /// rate the confirm reports.
    fn tx_policy_check(&self, t: &TxReq<'_>) -> Result<u8, Rule> {
        let p = self
            .fw
            .policies
            .get(usize::from(t.flags.rate_policy()))
            .copied()
            .flatten()
            .ok_or(Rule::TxPolicyUploaded)?;
        if p.tries(t.max_tx_rate) == 0 {
            return Err(Rule::TxRateInPolicy);
        }
        Ok(t.max_tx_rate)
    }

    fn tx_request(&mut self, packet_id: u32, frame: Option<&[u8]>, batch: &mut TxBatch) {
        self.counters.tx_requests += 1;
        let status = match frame {
            Some(f) if self.cfg.air => match self.air_transmit(f, packet_id) {
                Some(s) => s,
                // On its way to the medium: confirmed when it is on air (radio.rs).
                None => return,
            },
            Some(f) => {
                // The radio wakes to send it (ps.rs).
                self.ps_uplink();
                self.ap_receive(f)
            }
            None => wsm::STATUS_INVALID,
        };
        if batch.push(packet_id, status) {
            self.flush_tx_batch(batch);
        }
    }

    /// Confirms the TX requests of one write: one 0x041E in multi-confirm mode, else one
    /// 0x0404 each (spec §3.6).
    pub(crate) fn flush_tx_batch(&mut self, batch: &mut TxBatch) {
        let n = batch.count;
        if n == 0 {
            return;
        }
        batch.count = 0;
        self.counters.tx_confirmed += u64::from(n);
        self.fw.outstanding = self.fw.outstanding.saturating_sub(u16::from(n));
        // Statuses are small codes (spec §3.8.1); a byte each keeps `Out` compact.
        let statuses = batch.statuses.map(|v| u8::try_from(v).unwrap_or(u8::MAX));
        // The rate each frame went out at: what the confirm's txedRate reports (spec §3.6).
        let rates = batch.ids.map(|id| self.fw.tx_rate_of(id));
        for r in rates.iter().take(usize::from(n)) {
            self.counters.txed_rates_seen |= 1u64 << (r & 63);
            self.counters.txed_rate_last = u64::from(*r);
        }
        if self.fw.multi_tx {
            self.push_ctrl(Out::TxConfirm {
                count: n,
                ids: batch.ids,
                statuses,
                rates,
                multi: true,
            });
        } else {
            for i in 0..usize::from(n) {
                let mut ids = [0u32; 16];
                let mut st = [0u8; 16];
                let mut rt = [0u8; 16];
                ids[0] = batch.ids.get(i).copied().unwrap_or(0);
                st[0] = statuses.get(i).copied().unwrap_or(0);
                rt[0] = rates.get(i).copied().unwrap_or(0);
                self.push_ctrl(Out::TxConfirm {
                    count: 1,
                    ids,
                    statuses: st,
                    rates: rt,
                    multi: false,
                });
            }
        }
    }

    /// The AP's view of a frame the station sent; returns the TX status.
    fn ap_receive(&mut self, frame: &[u8]) -> u32 {
        if !self.fw.joined {
            return wsm::STATUS_RETRY_LIMIT;
        }
        if self.fw.privacy && net::is_data(frame) {
            // The firmware encrypts with the installed key: with none it cannot send.
            if self.fw.keys == 0 {
                self.counters.ap_refused += 1;
                return wsm::STATUS_FAILURE;
            }
            // Sent (acked), but the AP discards unprotected data.
            if !net::is_protected(frame) {
                self.counters.ap_refused += 1;
                return 0;
            }
        }
        match net::classify(frame) {
            StaFrame::Auth { sta } => {
                self.fw.sta_mac = sta;
                self.fw.ap = ApState::Authenticated;
                self.push_ctrl(Out::Mgmt {
                    kind: Mgmt::AuthResp,
                    if_id: 0,
                });
            }
            StaFrame::Assoc { sta } if self.fw.ap != ApState::Idle => {
                self.fw.sta_mac = sta;
                self.fw.ap = ApState::Associated(1);
                self.counters.assocs += 1;
                self.push_ctrl(Out::Mgmt {
                    kind: Mgmt::AssocResp(1),
                    if_id: 0,
                });
            }
            StaFrame::Probe { .. } => self.push_ctrl(Out::Mgmt {
                kind: Mgmt::ProbeResp,
                if_id: 0,
            }),
            StaFrame::Leave => self.fw.ap = ApState::Idle,
            StaFrame::ArpRequest { mac, ip } => {
                self.counters.ap_arp_replies += 1;
                self.push_ctrl(Out::Mgmt {
                    kind: Mgmt::ArpReply { mac, ip },
                    if_id: 0,
                });
            }
            StaFrame::Udp => self.counters.ap_udp_rx += 1,
            StaFrame::Null => {}
            StaFrame::Assoc { .. } | StaFrame::Other => self.counters.ap_other_rx += 1,
        }
        0
    }

    fn command(&mut self, mid: u16, d: Option<Decoded<'_>>) {
        self.counters.commands += 1;
        let base = mid & wsm::MSG_ID_MASK;
        let if_id = (mid >> 6) & 0xF;
        let mut status = 0;
        let mut extra = CnfExtra::None;
        let mut follow = None;
        match d {
            None => status = wsm::STATUS_INVALID,
            Some(Decoded::ReadMib(r)) => extra = CnfExtra::ReadMib(r.mib_id),
            Some(Decoded::WriteMib(w)) => match w.mib {
                Mib::UseMultiTxConf(on) => self.fw.multi_tx = on,
                Mib::TxRatePolicy(list) => {
                    // The wire parser refused indices above 7 (spec §3.9).
                    for p in list.iter() {
                        if let Some(slot) = self.fw.policies.get_mut(usize::from(p.index)) {
                            *slot = Some(p.tries);
                            self.counters.policies_uploaded += 1;
                        }
                    }
                }
                _ => {}
            },
            Some(Decoded::StartScan(sc)) if self.cfg.air => status = self.air_start_scan(&sc),
            Some(Decoded::StartScan(sc)) => status = self.start_scan(&sc),
            Some(Decoded::StopScan(_)) if self.cfg.air => self.air_stop_scan(),
            Some(Decoded::StopScan(_)) => {
                if self.fw.scan_done_ns.is_some() {
                    self.fw.scan_done_ns = Some(self.now);
                }
            }
            Some(Decoded::ConfigReq(c)) => {
                extra = CnfExtra::Configuration;
                // The firmware reads the SDD's elements (spec §3.10): an empty or malformed
                // one is refused, as nothing else was ever sent to it (errata 12).
                match sdd::check(c.sdd) {
                    Ok(_) => {
                        self.counters.sdd_accepted += 1;
                        self.counters.sdd_bytes = c.sdd.len() as u64;
                        // One Configuration per interface (spec §3.1); the station is 0.
                        if if_id == 0 {
                            self.fw.sta_mac = c.mac;
                        }
                    }
                    Err(_) => {
                        self.fw_violation(Rule::ConfigurationSdd);
                        self.counters.sdd_refused += 1;
                        status = wsm::STATUS_INVALID;
                    }
                }
            }
            Some(Decoded::Reset(_)) => {
                // T: a reset wipes the firmware's rate-policy table (spec §3.3).
                self.fw.policies = [None; MAX_POLICIES];
                self.fw.joined = false;
                self.fw.ap = ApState::Idle;
                self.air_unjoin();
            }
            Some(Decoded::JoinReq(j)) if self.cfg.air => {
                extra = CnfExtra::Join;
                status = self.air_join(&j);
            }
            Some(Decoded::JoinReq(j)) => {
                extra = CnfExtra::Join;
                if j.bssid == net::BSSID && j.channel == net::CHANNEL {
                    self.fw.joined = true;
                    self.fw.next_beacon_ns = self.now + BEACON_NS;
                } else {
                    status = wsm::STATUS_FAILURE;
                }
            }
            Some(Decoded::AddKey(k)) => {
                status = self.add_key(k.entry_index);
                if status == 0 {
                    // The key material, for the firmware's crypto in air mode (crypto.rs).
                    self.radio.keys.add(k.entry_index, &k.key);
                }
            }
            Some(Decoded::RemoveKey(k)) => {
                status = self.remove_key(k.entry_index);
                if status == 0 {
                    self.radio.keys.remove(k.entry_index);
                }
            }
            Some(Decoded::SetPm(pm)) => {
                self.ps_set_mode(pm.mode, pm.fast_psm_idle_period);
                follow = Some(Out::PmComplete {
                    psm: u8::from(pm.mode),
                })
            }
            Some(Decoded::RfCmd(rf)) => extra = CnfExtra::Mcu(u32::from(rf.cmd)),
            Some(Decoded::Unknown { body, .. }) if base & wsm::MCU_CLASS == wsm::MCU_CLASS => {
                extra = CnfExtra::Mcu(wsm::le32(body, 0).unwrap_or(0));
            }
            // BSS/queue/EDCA parameters, link maps and untyped LMAC requests (EPTA…)
            // are accepted as they are.
            Some(_) => {}
        }
        if let Some(d) = d.as_ref() {
            // The association state the host built (bss.rs); the join's status decides.
            self.fw.bss.observe(d, status == 0);
        }
        if d.is_none() && base & wsm::MCU_CLASS == wsm::MCU_CLASS {
            extra = CnfExtra::Mcu(0);
        }
        if self.fw.drop_confirms > 0 || self.rng.chance_ppm(self.cfg.faults.cmd_timeout_ppm) {
            self.fw.drop_confirms = self.fw.drop_confirms.saturating_sub(1);
            self.counters.confirms_dropped += 1;
            return;
        }
        self.fw.outstanding = self.fw.outstanding.saturating_sub(1);
        let cid = if base & wsm::MCU_CLASS == wsm::MCU_CLASS {
            base
        } else {
            base | wsm::CONFIRM | (if_id << 6)
        };
        self.push_ctrl(Out::Confirm {
            id: cid,
            status,
            extra,
        });
        if let Some(f) = follow {
            self.push_ctrl(f);
        }
    }

    /// Add key 0x000C: the wire parser already refused unknown types, bad WEP lengths and
    /// dirty padding (answered with invalid-parameter); the entry must be in range.
    fn add_key(&mut self, entry: u8) -> u32 {
        if entry >= KEY_ENTRIES {
            self.counters.keys_refused += 1;
            return wsm::STATUS_INVALID;
        }
        // Re-adding an entry replaces its key (rekeying).
        self.fw.keys |= 1 << entry;
        self.counters.keys_installed += 1;
        0
    }

    /// Remove key 0x000D: only an entry that holds a key.
    fn remove_key(&mut self, entry: u8) -> u32 {
        if entry >= KEY_ENTRIES || self.fw.keys & (1 << entry) == 0 {
            self.counters.keys_refused += 1;
            return wsm::STATUS_INVALID;
        }
        self.fw.keys &= !(1 << entry);
        self.counters.keys_removed += 1;
        0
    }

    /// Start scan (spec §3.3 0x0007): results after the channels' dwell time.
    fn start_scan(&mut self, sc: &StartScan<'_>) -> u32 {
        if self.fw.scan_done_ns.is_some() {
            return wsm::STATUS_WRONG_STATE;
        }
        let n = u8::try_from(sc.channels.len()).unwrap_or(u8::MAX);
        let mut hit = false;
        let mut dwell: u64 = 0;
        for ch in sc.channels.iter() {
            hit |= ch.number == net::CHANNEL;
            let d = if ch.max_time == 0 {
                self.cfg.scan_dwell_ns
            } else {
                u64::from(ch.max_time) * net::TU_NS
            };
            dwell += d.min(MAX_DWELL_NS);
        }
        self.fw.scan_hit = hit;
        self.fw.scan_channels = n;
        self.fw.scan_done_ns = Some(self.now + dwell.max(1));
        0
    }
}
