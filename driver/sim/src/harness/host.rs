//! A test [`Host`]: a station that scans for `bes2600-sim`, joins, authenticates,
//! associates, resolves 192.0.2.1 by ARP, sends uplink UDP, validates the downlink stream
//! and records every event. It never calls the engine from its callbacks: commands wait in
//! `cmd_out` until the harness submits them.

use std::collections::VecDeque;

use bes2600_engine::{
    CmdDone, CmdResult, ConnEvent, Host, RecoveryRequest, RxBatch, StartupInfo, TxStatus,
};

use super::stream::StreamStats;
use crate::net::{self, fc};
use crate::wsm::{self, id};

/// The station's MAC (interface 0), passed to the engine's Configuration.
pub const STA_MAC: [u8; 6] = [0x02, 0x00, 0x00, 0xb2, 0x60, 0x02];

/// Where the station is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StaState {
    /// Firmware not ready.
    Down,
    /// Scan submitted.
    Scanning,
    /// Join submitted.
    Joining,
    /// Authentication frame sent.
    Authenticating,
    /// Association request sent.
    Associating,
    /// Associated; the stream flows.
    Associated,
}

/// Something the harness host saw, with the virtual time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostEvent {
    /// Startup indication (engine ready).
    Ready,
    /// The scan found the simulated AP.
    FoundAp,
    /// Associated with the AID.
    Associated(u16),
    /// A connection event.
    Conn(ConnEvent),
    /// A recovery request.
    Recovery(RecoveryRequest),
    /// A command did not complete normally.
    CmdFailed(u16),
    /// ARP reply for 192.0.2.1 received.
    ArpReply,
    /// The AP deauthenticated the station.
    Deauthenticated,
    /// After a reset and reload, the association was restored by joining again (what
    /// `ieee80211_restart_hw` does in the kernel module), without a new association.
    Restored,
}

/// A command waiting for the harness to submit it.
#[derive(Debug, Clone)]
pub struct PendingCmd {
    /// Request id.
    pub req: u16,
    /// Interface id.
    pub if_id: u8,
    /// Tag echoed in `cmd_done`.
    pub tag: u32,
    /// Payload after the WSM header.
    pub payload: Vec<u8>,
}

/// The test station.
#[derive(Debug)]
pub struct TestHost {
    /// Station state.
    pub state: StaState,
    /// Virtual time, set by the harness before each engine call.
    pub now_ns: u64,
    /// Events in order, with their times.
    pub events: Vec<(u64, HostEvent)>,
    /// The downlink stream as received.
    pub stream: StreamStats,
    /// Frames delivered in RX batches (all kinds).
    pub rx_frames: u64,
    /// RX batches delivered.
    pub rx_batches: u64,
    /// Beacons received while associated.
    pub beacons: u64,
    /// Time of the last frame from the AP (beacon, data or association response) while
    /// associated; kept across resets so a recovery's outage counts as a gap.
    pub last_ap_rx_ns: Option<u64>,
    /// Longest silence from the AP since the first association (the link-death measure).
    pub max_ap_gap_ns: u64,
    /// TX statuses received, and how many reported failure.
    pub tx_status_ok: u64,
    /// TX statuses with a non-zero status.
    pub tx_status_failed: u64,
    /// A reset + firmware reload was requested and not yet carried out.
    pub reset_requested: bool,
    /// Commands for the harness to submit.
    pub cmd_out: VecDeque<PendingCmd>,
    /// Complete WSM Transmit messages waiting for a credit.
    pub tx_queue: VecDeque<Vec<u8>>,
    /// Stream datagrams that arrived while the station was not associated, and were
    /// discarded like mac80211 would (a drop the station counts).
    pub stream_discarded: u64,
    /// Uplink UDP datagrams queued so far.
    pub uplink_sent: u64,
    /// Data frames handed to the engine by `next_tx`.
    pub tx_handed: u64,
    /// WSM bytes handed to the engine by `next_tx` (the bytes a TX copy moves).
    pub tx_bytes_handed: u64,
    /// Copies of frame bytes `next_tx` made (one per frame: queue → the engine's buffer),
    /// counted where the copy is made, like the kernel module must count its own.
    pub tx_copies: u64,
    scan_finished: bool,
    /// Associated when a reset and reload was requested: `ready` joins again and resumes.
    restore: bool,
    next_packet_id: u32,
    seq80211: u16,
    next_tag: u32,
}

impl Default for TestHost {
    fn default() -> Self {
        Self::new()
    }
}

impl TestHost {
    /// A station with nothing done yet.
    pub fn new() -> Self {
        Self {
            state: StaState::Down,
            now_ns: 0,
            events: Vec::new(),
            stream: StreamStats::default(),
            rx_frames: 0,
            rx_batches: 0,
            beacons: 0,
            last_ap_rx_ns: None,
            max_ap_gap_ns: 0,
            tx_status_ok: 0,
            tx_status_failed: 0,
            reset_requested: false,
            cmd_out: VecDeque::new(),
            tx_queue: VecDeque::new(),
            stream_discarded: 0,
            uplink_sent: 0,
            tx_handed: 0,
            tx_bytes_handed: 0,
            tx_copies: 0,
            scan_finished: false,
            restore: false,
            next_packet_id: 1,
            seq80211: 0,
            next_tag: 1,
        }
    }

    /// How many events match `f`.
    pub fn count(&self, f: impl Fn(&HostEvent) -> bool) -> usize {
        self.events.iter().filter(|(_, e)| f(e)).count()
    }

    fn log(&mut self, e: HostEvent) {
        self.events.push((self.now_ns, e));
    }

    /// Queues a raw WSM command for the harness to submit.
    pub fn cmd(&mut self, req: u16, payload: Vec<u8>) {
        let tag = self.next_tag;
        self.next_tag += 1;
        self.cmd_out.push_back(PendingCmd {
            req,
            if_id: 0,
            tag,
            payload,
        });
    }

    /// Starts a scan of channels 1, 6 and 11.
    pub fn start_scan(&mut self) {
        self.state = StaState::Scanning;
        let mut p = vec![0u8; 12];
        p[1] = 0; // foreground
        p[3] = 0;
        p[8] = 1; // probes per channel
        p[9] = 3; // channels
        p[10] = 1; // SSIDs
        for ch in [1u16, 6, 11] {
            p.extend_from_slice(&ch.to_le_bytes());
            p.extend_from_slice(&[0, 0]);
            p.extend_from_slice(&10u32.to_le_bytes());
            p.extend_from_slice(&20u32.to_le_bytes());
            p.extend_from_slice(&[0; 4]);
        }
        p.extend_from_slice(&(net::SSID.len() as u32).to_le_bytes());
        let mut ssid = [0u8; 32];
        ssid[..net::SSID.len()].copy_from_slice(net::SSID);
        p.extend_from_slice(&ssid);
        self.cmd(id::START_SCAN, p);
    }

    fn join(&mut self) {
        self.state = StaState::Joining;
        let mut p = vec![0u8; 60];
        p[0] = 1;
        p[2..4].copy_from_slice(&net::CHANNEL.to_le_bytes());
        p[4..10].copy_from_slice(&net::BSSID);
        p[14] = 1;
        p[16..20].copy_from_slice(&(net::SSID.len() as u32).to_le_bytes());
        p[20..20 + net::SSID.len()].copy_from_slice(net::SSID);
        p[52..56].copy_from_slice(&u32::from(net::BEACON_INTERVAL_TU).to_le_bytes());
        p[56..60].copy_from_slice(&0x0Fu32.to_le_bytes());
        self.cmd(id::JOIN, p);
    }

    fn mgmt(&mut self, fc0: u8, body: &[u8]) -> Vec<u8> {
        self.seq80211 = (self.seq80211 + 1) & 0xFFF;
        let mut f = vec![fc0, 0, 0, 0];
        f.extend_from_slice(&net::BSSID);
        f.extend_from_slice(&STA_MAC);
        f.extend_from_slice(&net::BSSID);
        f.extend_from_slice(&(self.seq80211 << 4).to_le_bytes());
        f.extend_from_slice(body);
        f
    }

    fn data(&mut self, da: [u8; 6], ethertype: u16, body: &[u8]) -> Vec<u8> {
        self.seq80211 = (self.seq80211 + 1) & 0xFFF;
        let mut f = vec![fc::DATA, 0x01, 0, 0];
        f.extend_from_slice(&net::BSSID);
        f.extend_from_slice(&STA_MAC);
        f.extend_from_slice(&da);
        f.extend_from_slice(&(self.seq80211 << 4).to_le_bytes());
        f.extend_from_slice(&[0xAA, 0xAA, 0x03, 0, 0, 0]);
        f.extend_from_slice(&ethertype.to_be_bytes());
        f.extend_from_slice(body);
        f
    }

    /// Queues `frame` as a WSM Transmit request (spec §3.5); the engine stamps the seq.
    pub fn queue_tx(&mut self, frame: &[u8]) {
        let len = wsm::TX_HDR_LEN + frame.len();
        let mut m = vec![0u8; wsm::TX_HDR_LEN];
        m[0..2].copy_from_slice(&(len as u16).to_le_bytes());
        m[2..4].copy_from_slice(&id::TX.to_le_bytes());
        m[4..8].copy_from_slice(&self.next_packet_id.to_le_bytes());
        self.next_packet_id = self.next_packet_id.wrapping_add(1);
        m[9] = 0; // queue BE, link 0
        m.extend_from_slice(frame);
        self.tx_queue.push_back(m);
    }

    fn authenticate(&mut self) {
        self.state = StaState::Authenticating;
        let f = self.mgmt(fc::AUTH, &[0, 0, 1, 0, 0, 0]);
        self.queue_tx(&f);
    }

    fn associate(&mut self) {
        self.state = StaState::Associating;
        let mut body = vec![0x01, 0x04, 10, 0, 0, net::SSID.len() as u8];
        body.extend_from_slice(net::SSID);
        body.extend_from_slice(&[1, 4, 0x82, 0x84, 0x8b, 0x96]);
        let f = self.mgmt(fc::ASSOC_REQ, &body);
        self.queue_tx(&f);
    }

    /// Queues an ARP request for 192.0.2.1.
    pub fn queue_arp(&mut self) {
        let mut a = vec![0, 1, 0x08, 0x00, 6, 4, 0, 1];
        a.extend_from_slice(&STA_MAC);
        a.extend_from_slice(&net::STA_IP);
        a.extend_from_slice(&[0; 6]);
        a.extend_from_slice(&net::AP_IP);
        let f = self.data([0xff; 6], 0x0806, &a);
        self.queue_tx(&f);
    }

    /// Queues one uplink UDP datagram to 192.0.2.1 with `payload_len` bytes.
    pub fn queue_uplink(&mut self, payload_len: usize) {
        let udp_len = 8 + payload_len;
        let mut ip = vec![0x45, 0, 0, 0, 0, 0, 0x40, 0, 64, 17, 0, 0];
        ip[2..4].copy_from_slice(&((20 + udp_len) as u16).to_be_bytes());
        ip.extend_from_slice(&net::STA_IP);
        ip.extend_from_slice(&net::AP_IP);
        let c = net::ipv4_checksum(&ip);
        ip[10..12].copy_from_slice(&c.to_be_bytes());
        ip.extend_from_slice(&net::STREAM_PORT.to_be_bytes());
        ip.extend_from_slice(&net::STREAM_PORT.to_be_bytes());
        ip.extend_from_slice(&(udp_len as u16).to_be_bytes());
        ip.extend_from_slice(&[0, 0]);
        ip.resize(20 + udp_len, 0x55);
        let f = self.data(net::BSSID, 0x0800, &ip);
        self.queue_tx(&f);
        self.uplink_sent += 1;
    }

    /// Tops the TX queue up to `depth` uplink datagrams of `payload_len` bytes (a host whose
    /// queues never run dry: TX at saturation). Returns how many were queued.
    pub fn fill_uplink(&mut self, depth: usize, payload_len: usize) -> usize {
        let mut n = 0;
        while self.tx_queue.len() < depth {
            self.queue_uplink(payload_len);
            n += 1;
        }
        n
    }

    /// Work the station does after each engine run (never from inside a callback).
    pub fn poll(&mut self) {
        if self.scan_finished {
            self.scan_finished = false;
            if self.state != StaState::Scanning {
                return;
            }
            if self.count(|e| *e == HostEvent::FoundAp) > 0 {
                self.join();
            } else {
                self.start_scan();
            }
        }
    }

    /// Forgets the link (after a reset the harness restarts the engine; `ready` rescans).
    pub fn link_down(&mut self) {
        self.state = StaState::Down;
        self.scan_finished = false;
        self.tx_queue.clear();
        self.cmd_out.clear();
    }

    fn ap_heard(&mut self) {
        if let Some(t) = self.last_ap_rx_ns {
            self.max_ap_gap_ns = self.max_ap_gap_ns.max(self.now_ns.saturating_sub(t));
        }
        self.last_ap_rx_ns = Some(self.now_ns);
    }

    fn rx_frame(&mut self, scan: bool, status: u32, f: &[u8]) {
        if status != 0 {
            return;
        }
        let Some(&fc0) = f.first() else { return };
        let from_ap = f.get(10..16) == Some(&net::BSSID[..]);
        match fc0 {
            fc::BEACON | fc::PROBE_RESP if scan && from_ap => {
                let ssid_ok = f.get(36..38) == Some(&[0, net::SSID.len() as u8][..])
                    && f.get(38..38 + net::SSID.len()) == Some(net::SSID);
                if ssid_ok && self.state == StaState::Scanning {
                    self.log(HostEvent::FoundAp);
                }
            }
            fc::BEACON if from_ap && self.state == StaState::Associated => {
                self.beacons += 1;
                self.ap_heard();
            }
            fc::AUTH
                if from_ap
                    && self.state == StaState::Authenticating
                    && f.get(24..30) == Some(&[0, 0, 2, 0, 0, 0][..]) =>
            {
                self.associate();
            }
            fc::ASSOC_RESP if from_ap && self.state == StaState::Associating => {
                let status = wsm::le16(f, 26).unwrap_or(1);
                let aid = wsm::le16(f, 28).unwrap_or(0) & 0x3FFF;
                if status == 0 {
                    self.state = StaState::Associated;
                    self.log(HostEvent::Associated(aid));
                    self.ap_heard();
                    self.queue_arp();
                }
            }
            fc::DEAUTH | fc::DISASSOC if from_ap && self.state == StaState::Associated => {
                // Deauthenticated by the AP (spec §3.7): authenticate and associate again.
                self.log(HostEvent::Deauthenticated);
                self.authenticate();
            }
            fc::DATA if self.state != StaState::Associated && net::parse_stream(f).is_some() => {
                self.stream_discarded += 1;
            }
            fc::DATA if self.state == StaState::Associated => {
                self.ap_heard();
                if let Some(d) = net::parse_stream(f) {
                    self.stream.record(d.seq, d.payload_len);
                } else if f.get(30..32) == Some(&[0x08, 0x06][..])
                    && f.get(38..40) == Some(&[0, 2][..])
                {
                    self.log(HostEvent::ArpReply);
                }
            }
            _ => {}
        }
    }
}

impl Host for TestHost {
    fn next_tx(&mut self, buf: &mut [u8]) -> Option<usize> {
        let m = self.tx_queue.front()?;
        let dst = buf.get_mut(..m.len())?;
        dst.copy_from_slice(m);
        self.tx_copies += 1;
        let n = m.len();
        self.tx_queue.pop_front();
        self.tx_handed += 1;
        self.tx_bytes_handed += n as u64;
        Some(n)
    }

    fn tx_pending(&mut self) -> bool {
        !self.tx_queue.is_empty()
    }

    fn rx_batch(&mut self, batch: &RxBatch<'_>) {
        self.rx_batches += 1;
        for (meta, frame) in batch.iter() {
            self.rx_frames += 1;
            self.rx_frame(meta.is_scan_result(), meta.status, frame);
        }
    }

    fn tx_status(&mut self, status: &TxStatus) {
        if status.status == 0 {
            self.tx_status_ok += 1;
        } else {
            self.tx_status_failed += 1;
        }
    }

    fn cmd_done(&mut self, done: &CmdDone<'_>) {
        let ok = matches!(done.result, CmdResult::Confirmed { status: 0, .. });
        if !ok {
            self.log(HostEvent::CmdFailed(done.id));
        }
        if done.id & wsm::MSG_ID_MASK & !wsm::CONFIRM == id::JOIN && self.state == StaState::Joining
        {
            if ok && self.restore {
                self.restore = false;
                self.state = StaState::Associated;
                self.log(HostEvent::Restored);
            } else if ok {
                self.authenticate();
            } else {
                self.start_scan();
            }
        }
    }

    fn scan_complete(&mut self, _if_id: u8, _status: u32) {
        // The engine may report completion before delivering the batch that holds the
        // scan results of the same burst, so decide after the run (`poll`).
        if self.state == StaState::Scanning {
            self.scan_finished = true;
        }
    }

    fn event(&mut self, ev: &ConnEvent) {
        self.log(HostEvent::Conn(*ev));
    }

    fn recovery(&mut self, req: &RecoveryRequest) {
        self.log(HostEvent::Recovery(*req));
        match req {
            RecoveryRequest::ResetAndReload { .. } => {
                self.reset_requested = true;
                self.restore = self.state == StaState::Associated;
                self.link_down();
            }
            RecoveryRequest::Reassociate { .. } => {
                // Deauthenticate, then authenticate and associate again.
                let f = self.mgmt(fc::DEAUTH, &[3, 0]);
                self.queue_tx(&f);
                self.authenticate();
            }
        }
    }

    fn ready(&mut self, _info: &StartupInfo) {
        self.log(HostEvent::Ready);
        // Like mac80211 after ieee80211_restart_hw: the AP still holds the association, so
        // the station only has to put the firmware back on the BSS.
        if self.restore {
            self.join();
        } else {
            self.start_scan();
        }
    }
}
