//! A scripted mock chip (implements `Bus`) and a recording host for the engine tests.
//!
//! The mock follows spec §1.4/§1.5: reg 0x001 announces the next queued burst in 512-byte
//! units with a toggle in bit 7 that alternates per burst, reg 0x000 bit 0 says "no more
//! data", CMD53 reads must carry the announced length and the RX toggle, and WIFI_READY is
//! set by the doorbell write. Device→host messages get the chip's own seq numbers.
#![allow(dead_code)]

use std::collections::VecDeque;

use bes2600_engine::{
    Bus, BusError, CmdDone, CmdResult, ConnEvent, Engine, FwMode, Host, Phase, Policy,
    RecoveryRequest, RxBatch, RxMeta, Shared, StartConfig, StartupInfo, TxStatus,
};
use bes2600_wire::sdio::TxSlots;

pub const MS: u64 = 1_000_000;
pub const SEC: u64 = 1_000_000_000;

/// One TX write seen by the chip: the address field and the messages it carried.
#[derive(Debug, Clone)]
pub struct Write {
    pub addr: u32,
    pub bytes: usize,
    pub msgs: Vec<Vec<u8>>,
}

#[derive(Default)]
pub struct MockChip {
    pub status: u8,
    pub host_int: Vec<(u32, u8)>,
    pub queue: VecDeque<Vec<u8>>,
    current: Option<Vec<u8>>,
    reg_toggle: bool,
    rx_toggle: bool,
    tx_toggle: bool,
    dev_seq: [u8; 2],
    pub writes: Vec<Write>,
    pub crc_fail_reads: u32,
    pub crc_fail_writes: u32,
    pub busy_writes: u32,
    pub ignore_deactivate: bool,
    pub io_fail_reads: bool,
    pub irq_enabled: bool,
    pub resets: u32,
    /// Raw value to return from reg 0x001 instead of the model (one shot per entry).
    pub len_reg_script: VecDeque<u8>,
    /// Value of reg 0x000 while nothing is queued (bit 0 = no more data).
    pub idle_status: u8,
    /// Answer every command with a generic confirm (status 0) and every data write with a
    /// multi-TX confirm, in a new burst.
    pub auto_confirm: bool,
    /// Messages written and not yet confirmed (credits the firmware holds).
    pub in_flight: u32,
    pub max_in_flight: u32,
    pub protocol_errors: Vec<String>,
}

impl MockChip {
    pub fn new() -> Self {
        Self {
            status: 0x01, // MCU_READY
            idle_status: 0x01,
            auto_confirm: true,
            ..Default::default()
        }
    }

    /// Builds a device→host message with the chip's next seq of its space.
    pub fn msg(&mut self, id: u16, body: &[u8]) -> Vec<u8> {
        let space = usize::from(id & 0x0F00 == 0x0C00);
        let seq = if id & 0x0FFF == 0x0800 {
            0
        } else {
            let s = self.dev_seq[space];
            self.dev_seq[space] = (s + 1) & 7;
            s
        };
        let len = (4 + body.len()) as u16;
        let idw = (id & 0x1FFF) | (u16::from(seq) << 13);
        let mut m = Vec::with_capacity(len as usize);
        m.extend_from_slice(&len.to_le_bytes());
        m.extend_from_slice(&idw.to_le_bytes());
        m.extend_from_slice(body);
        m
    }

    /// Queues one burst made of `msgs` (each padded to 4, the whole to 512).
    pub fn push_burst(&mut self, msgs: &[Vec<u8>]) {
        let mut b = Vec::new();
        for m in msgs {
            b.extend_from_slice(m);
            while b.len() % 4 != 0 {
                b.push(0);
            }
        }
        let padded = b.len().div_ceil(512).max(1) * 512;
        b.resize(padded, 0);
        self.queue.push_back(b);
    }

    /// A receive indication 0x0804 with `status`, carrying `frame`.
    pub fn rx_ind(&mut self, if_id: u8, status: u32, frame: &[u8]) -> Vec<u8> {
        let mut body = Vec::new();
        body.extend_from_slice(&status.to_le_bytes());
        body.extend_from_slice(&6u16.to_le_bytes()); // channel
        body.push(14); // MCS0
        body.push(120); // rcpi
        body.extend_from_slice(&0u32.to_le_bytes()); // flags
        body.extend_from_slice(&[0u8; 16]); // BES extension
        body.extend_from_slice(frame);
        self.msg(0x0804 | (u16::from(if_id) << 6), &body)
    }

    /// A startup indication with `bufs` input buffers.
    pub fn startup_ind(&mut self, bufs: u16) -> Vec<u8> {
        let mut body = vec![0u8; 20 + 128];
        body[0..2].copy_from_slice(&bufs.to_le_bytes());
        body[2..4].copy_from_slice(&1632u16.to_le_bytes());
        body[12..14].copy_from_slice(&2u16.to_le_bytes()); // fwType WSM
        body[20..28].copy_from_slice(b"SIM-FW 1");
        self.msg(0x0801, &body)
    }

    /// An event indication.
    pub fn event(&mut self, if_id: u8, ev: u32, data: u32) -> Vec<u8> {
        let mut body = ev.to_le_bytes().to_vec();
        body.extend_from_slice(&data.to_le_bytes());
        self.msg(0x0805 | (u16::from(if_id) << 6), &body)
    }

    /// A generic confirm for request `req` with `status`.
    pub fn confirm(&mut self, req: u16, status: u32) -> Vec<u8> {
        let mut body = status.to_le_bytes().to_vec();
        match req & 0x3F {
            // Join confirm: + min/max TX power (spec §3.3).
            0x0B => body.extend_from_slice(&[0; 8]),
            // Read MIB confirm: + mib id, length 0.
            0x05 => body.extend_from_slice(&[0; 4]),
            _ => {}
        }
        self.msg((req & 0x3F) | 0x0400, &body)
    }

    /// A multi-TX confirm for `ids` (status 0).
    pub fn multi_tx_confirm(&mut self, ids: &[u32]) -> Vec<u8> {
        let mut body = (ids.len() as u32).to_le_bytes().to_vec();
        for id in ids {
            let mut r = [0u8; 20];
            r[0..4].copy_from_slice(&id.to_le_bytes());
            body.extend_from_slice(&r);
        }
        self.msg(0x041E, &body)
    }

    pub fn has_rx(&self) -> bool {
        self.current.is_some() || !self.queue.is_empty()
    }

    /// Data messages written so far (Transmit requests).
    pub fn data_msgs(&self) -> Vec<Vec<u8>> {
        self.writes
            .iter()
            .flat_map(|w| w.msgs.iter())
            .filter(|m| u16::from_le_bytes([m[2], m[3]]) & 0x0C3F == 0x0004)
            .cloned()
            .collect()
    }

    fn on_write(&mut self, addr: u32, buf: &[u8]) {
        let len_field = (addr & 0xFFFF) as u16;
        if (addr >> 16) & 1 != u32::from(self.tx_toggle) {
            self.protocol_errors
                .push(format!("tx toggle wrong in {addr:#x}"));
        }
        self.tx_toggle = !self.tx_toggle;
        let msgs: Vec<Vec<u8>> = match TxSlots::new(len_field, buf) {
            Ok(slots) => slots
                .filter_map(|s| s.ok())
                .map(|s| s.msg.to_vec())
                .collect(),
            Err(e) => {
                self.protocol_errors.push(format!("bad tx batch: {e:?}"));
                Vec::new()
            }
        };
        self.in_flight += msgs.len() as u32;
        self.max_in_flight = self.max_in_flight.max(self.in_flight);
        if self.auto_confirm {
            let mut replies = Vec::new();
            let mut data_ids = Vec::new();
            for m in &msgs {
                let id = u16::from_le_bytes([m[2], m[3]]) & 0x0C3F;
                if id == 0x0004 {
                    data_ids.push(u32::from_le_bytes([m[4], m[5], m[6], m[7]]));
                } else {
                    replies.push(self.confirm(id, 0));
                    self.in_flight -= 1;
                }
            }
            if !data_ids.is_empty() {
                replies.push(self.multi_tx_confirm(&data_ids));
                self.in_flight -= data_ids.len() as u32;
            }
            if !replies.is_empty() {
                self.push_burst(&replies);
            }
        }
        self.writes.push(Write {
            addr,
            bytes: buf.len(),
            msgs,
        });
    }
}

impl Bus for MockChip {
    fn read_reg8(&mut self, reg: u32) -> Result<u8, BusError> {
        match reg {
            0x10C => Ok(self.status),
            0x001 => {
                if let Some(v) = self.len_reg_script.pop_front() {
                    return Ok(v);
                }
                if self.current.is_none() {
                    self.current = self.queue.pop_front();
                }
                Ok(match &self.current {
                    Some(b) => (b.len() / 512) as u8 | (u8::from(self.reg_toggle) << 7),
                    None => 0,
                })
            }
            0x000 => Ok(if self.has_rx() { 0 } else { self.idle_status }),
            _ => Ok(0),
        }
    }

    fn write_reg8(&mut self, reg: u32, val: u8) -> Result<(), BusError> {
        self.host_int.push((reg, val));
        // The low byte raises the interrupt; WIFI_ACTIVATE is bit 5 (spec §1.4.1).
        if reg == 0x120 && val & 0x21 == 0x21 {
            self.status |= 0x04;
        }
        // WIFI_DEACTIVATE is bit 4: WIFI_READY clears (unless the chip is told to ignore it).
        if reg == 0x120 && val & 0x11 == 0x11 && !self.ignore_deactivate {
            self.status &= !0x04;
        }
        Ok(())
    }

    fn read_data(&mut self, addr: u32, buf: &mut [u8]) -> Result<(), BusError> {
        if self.io_fail_reads {
            return Err(BusError::Io);
        }
        if self.crc_fail_reads > 0 {
            self.crc_fail_reads -= 1;
            return Err(BusError::Crc);
        }
        let Some(b) = self.current.take() else {
            self.protocol_errors
                .push("read with nothing announced".into());
            return Err(BusError::Io);
        };
        if (addr & 0xFFFF) as usize != b.len() || buf.len() != b.len() {
            self.protocol_errors
                .push(format!("read len {addr:#x} vs {}", b.len()));
        }
        if (addr >> 16) & 1 != u32::from(self.rx_toggle) {
            self.protocol_errors
                .push(format!("rx toggle wrong in {addr:#x}"));
        }
        let n = buf.len().min(b.len());
        buf[..n].copy_from_slice(&b[..n]);
        self.rx_toggle = !self.rx_toggle;
        self.reg_toggle = !self.reg_toggle;
        Ok(())
    }

    fn write_data(&mut self, addr: u32, buf: &[u8]) -> Result<(), BusError> {
        if self.busy_writes > 0 {
            self.busy_writes -= 1;
            return Err(BusError::Busy);
        }
        if self.crc_fail_writes > 0 {
            self.crc_fail_writes -= 1;
            return Err(BusError::Crc);
        }
        self.on_write(addr, buf);
        Ok(())
    }

    fn set_irq_enabled(&mut self, enabled: bool) {
        self.irq_enabled = enabled;
    }

    fn reset(&mut self) -> Result<(), BusError> {
        self.resets += 1;
        Ok(())
    }
}

/// One host callback, for ordering checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seen {
    /// A batch with this many frames.
    Batch(usize),
    Scan,
    Event,
}

/// Records everything the engine reports; serves queued TX frames.
#[derive(Default)]
pub struct MockHost {
    pub tx_queue: VecDeque<Vec<u8>>,
    pub batches: Vec<Vec<(RxMeta, Vec<u8>)>>,
    pub tx_status: Vec<TxStatus>,
    pub done: Vec<(u32, u16, Result<u32, &'static str>)>,
    pub scans: Vec<(u8, u32)>,
    pub events: Vec<ConnEvent>,
    pub recoveries: Vec<RecoveryRequest>,
    pub ready: Option<StartupInfo>,
    /// Batches, scan completions and events in the order the host saw them.
    pub order: Vec<Seen>,
    /// A clock for the time budget: `Some((now, step))` advances by `step` per read.
    pub clock: Option<(u64, u64)>,
}

impl MockHost {
    pub fn frames(&self) -> usize {
        self.batches.iter().map(Vec::len).sum()
    }

    /// Queues a Transmit request of `len` bytes total with `packet_id`.
    pub fn queue_tx(&mut self, len: usize, packet_id: u32) {
        assert!(len >= 24);
        let mut m = vec![0xEEu8; len];
        m[0..2].copy_from_slice(&(len as u16).to_le_bytes());
        m[2..4].copy_from_slice(&0x0004u16.to_le_bytes());
        m[4..8].copy_from_slice(&packet_id.to_le_bytes());
        self.tx_queue.push_back(m);
    }
}

impl Host for MockHost {
    fn next_tx(&mut self, buf: &mut [u8]) -> Option<usize> {
        let m = self.tx_queue.pop_front()?;
        let n = m.len().min(buf.len());
        buf[..n].copy_from_slice(&m[..n]);
        Some(m.len())
    }

    fn tx_pending(&mut self) -> bool {
        !self.tx_queue.is_empty()
    }

    fn rx_batch(&mut self, batch: &RxBatch<'_>) {
        self.order.push(Seen::Batch(batch.len()));
        self.batches
            .push(batch.iter().map(|(m, f)| (*m, f.to_vec())).collect());
    }

    fn tx_status(&mut self, status: &TxStatus) {
        self.tx_status.push(*status);
    }

    fn cmd_done(&mut self, done: &CmdDone<'_>) {
        let r = match done.result {
            CmdResult::Confirmed { status, .. } => Ok(status),
            CmdResult::Timeout => Err("timeout"),
            CmdResult::Aborted => Err("aborted"),
            CmdResult::Skipped => Err("skipped"),
        };
        self.done.push((done.tag, done.id, r));
    }

    fn scan_complete(&mut self, if_id: u8, status: u32) {
        self.order.push(Seen::Scan);
        self.scans.push((if_id, status));
    }

    fn event(&mut self, ev: &ConnEvent) {
        self.order.push(Seen::Event);
        self.events.push(*ev);
    }

    fn recovery(&mut self, req: &RecoveryRequest) {
        self.recoveries.push(*req);
    }

    fn ready(&mut self, info: &StartupInfo) {
        self.ready = Some(*info);
    }

    fn now_ns(&mut self) -> Option<u64> {
        let (now, step) = self.clock.as_mut()?;
        *now += *step;
        Some(*now)
    }
}

pub type TestEngine = Engine<Shared, 8>;

/// A join request for the simulated AP.
pub fn join_req() -> bes2600_wire::wsm::join::JoinReq {
    use bes2600_wire::wsm::common::{Band, Ssid};
    use bes2600_wire::wsm::join::{JoinMode, JoinReq, Preamble};
    JoinReq {
        mode: JoinMode::Bss,
        band: Band::Band2G4,
        channel: 6,
        bssid: [2, 0xB5, 0x26, 0, 0, 1],
        atim_window: 0,
        preamble: Preamble::Long,
        probe_for_join: 0,
        dtim_period: 1,
        flags: 0,
        ssid: Ssid::new(b"bes2600-sim").unwrap(),
        beacon_interval: 100,
        basic_rate_set: 0xF,
    }
}

/// A set-PM request.
pub fn set_pm(mode: bes2600_wire::wsm::pm::PmMode) -> bes2600_wire::wsm::pm::SetPm {
    bes2600_wire::wsm::pm::SetPm {
        mode,
        fast_psm_idle_period: 16,
        ap_psm_change_period: 0,
        min_auto_ps_poll_period: 0,
    }
}

pub struct Rig {
    pub engine: Box<TestEngine>,
    pub chip: MockChip,
    pub host: MockHost,
    pub now: u64,
}

impl Rig {
    pub fn new(policy: Policy) -> Self {
        Self {
            engine: Box::new(Engine::new(Shared::new(), policy)),
            chip: MockChip::new(),
            host: MockHost::default(),
            now: 0,
        }
    }

    /// One bottom-half pass, with the IRQ raised first if the chip has data.
    pub fn step(&mut self) -> bes2600_engine::RunOutcome {
        if self.chip.has_rx() {
            // What the IRQ handler does: mask the chip interrupt, then mark RX pending.
            self.chip.irq_enabled = false;
            self.engine.on_irq();
        }
        self.engine.run(&mut self.chip, &mut self.host, self.now)
    }

    /// Runs until idle (no IRQ, no more work), at most `max` passes; returns the passes.
    pub fn settle(&mut self, max: usize) -> usize {
        for i in 1..=max {
            let out = self.step();
            if !out.more_work && !self.chip.has_rx() {
                return i;
            }
        }
        max
    }

    /// Brings the engine to `Running` with `bufs` firmware credits.
    pub fn start(&mut self, bufs: u16) {
        let sdd = [0xC0u8, 2, 1, 2];
        let cfg = StartConfig {
            mode: FwMode::Signal,
            macs: [[2, 0, 0, 0, 0, 1], [2, 0, 0, 0, 0, 2]],
            max_tx_msdu_lifetime: 0,
            max_rx_lifetime: 0,
            rts_threshold: 0,
            sdd: &sdd,
        };
        self.engine.start(&cfg, self.now).unwrap();
        for _ in 0..10 {
            let out = self.step();
            if self.engine.phase() == Phase::WaitStartup {
                break;
            }
            self.now = out.next_deadline_ns.unwrap_or(self.now + 25 * MS);
        }
        assert_eq!(self.engine.phase(), Phase::WaitStartup);
        let ind = self.chip.startup_ind(bufs);
        self.chip.push_burst(&[ind]);
        self.settle(50);
        assert_eq!(self.engine.phase(), Phase::Running);
        assert!(self.host.ready.is_some());
        self.chip.writes.clear();
    }

    /// Sends one frame (auto-confirmed) so that the mock host's rate policy is uploaded
    /// (spec §3.9), then forgets the writes and statuses it caused: tests of the data path
    /// start from a firmware that has the policy.
    pub fn upload_policy(&mut self) {
        let auto = self.chip.auto_confirm;
        self.chip.auto_confirm = true;
        self.host.queue_tx(100, 0xFFFF);
        self.engine.shared().on_tx();
        self.settle(50);
        assert!(self.host.tx_queue.is_empty());
        self.chip.auto_confirm = auto;
        self.chip.writes.clear();
        self.host.tx_status.clear();
    }

    pub fn snap(&self) -> bes2600_engine::Snapshot {
        self.engine.shared().snapshot()
    }
}
