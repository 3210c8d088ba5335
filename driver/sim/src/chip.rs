//! `SimChip`: the chip's SDIO function 1 as the engine sees it through [`Bus`] (spec §1.3-1.9).
//!
//! Registers, the RX length register (512-byte units + toggle, read-to-clear interrupt), RX
//! burst packing, TX slot parsing and the HOST_INT handshakes live here; the WSM firmware and
//! the AP are in `fw.rs`, message rendering in `render.rs`.

use bes2600_engine::{Bus, BusError};

use crate::bootrom::BootRom;
use crate::card::contract::{Rule, Violations};
use crate::config::{SimConfig, SimCounters, CTRL_QUEUE_CAP, DATA_QUEUE_CAP};
pub(crate) use crate::msg::{CnfExtra, Latched, Mgmt, Out};
use crate::regs::{self, host_int, status};
use crate::rng::Rng;

/// Which program the chip runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// The boot ROM (after power-up or `reset`), waiting for a firmware download.
    BootRom,
    /// The WSM firmware.
    Firmware,
}

/// Station state at the simulated AP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApState {
    /// Not authenticated.
    Idle,
    /// Authenticated (open system).
    Authenticated,
    /// Associated with the given AID.
    Associated(u16),
}

/// A one-shot fault the test asks for (on top of the random ones in `FaultConfig`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// The firmware stops answering: no confirms, no RX, no interrupts, until `reset`.
    Hang,
    /// The next `n` WSM command confirms are dropped.
    CmdTimeouts(u8),
    /// `events` BSS-lost events (0x0805 id 1), `spacing_ns` apart; beacons and the stream
    /// pause meanwhile.
    ConnectionLoss {
        /// How many events.
        events: u8,
        /// Time between events.
        spacing_ns: u64,
    },
    /// `frames` RX indications with status 4 (decrypt failure), sent at once.
    DecryptStorm {
        /// How many frames.
        frames: u16,
    },
    /// The next announcement in reg 0x001 is corrupted.
    CorruptLength,
    /// The AP deauthenticates the station (reason 7, class-3 frame from a
    /// nonassociated station): the stream stops until the station associates again.
    ApDeauth,
    /// The next read of reg 0x001 returns a plausible one-block length with the expected
    /// toggle although nothing was announced (a bit error on CMD52): a host that trusts it
    /// reads an empty burst and its expected toggle is then one step off the chip's.
    GlitchLength,
}

/// The simulated BES2600: implements [`Bus`] and runs on a virtual clock.
///
/// Allocation-free: about 40 KiB of fixed buffers (box it in the kernel).
pub struct SimChip {
    pub(crate) cfg: SimConfig,
    pub(crate) rng: Rng,
    pub(crate) now: u64,
    pub(crate) phase: Phase,
    pub(crate) slave_status: u8,
    pub(crate) host_int_hi: u8,
    pub(crate) ap_wakeup_cfg: u8,
    pub(crate) irq_enabled: bool,
    pub(crate) irq_line: bool,
    /// Toggles (spec §1.3): next expected CMD53 toggle for reads and writes, and the toggle
    /// the next announced burst carries in reg 0x001.
    pub(crate) rx_toggle: bool,
    pub(crate) tx_toggle: bool,
    pub(crate) announce_toggle: bool,
    pub(crate) burst: [u8; regs::MAX_BURST],
    pub(crate) latched: Option<Latched>,
    pub(crate) ctrl: [Out; CTRL_QUEUE_CAP],
    pub(crate) ctrl_head: usize,
    pub(crate) ctrl_len: usize,
    /// Stream datagrams waiting: (stream seq, generation time).
    pub(crate) data: [(u64, u64); DATA_QUEUE_CAP],
    pub(crate) data_head: usize,
    pub(crate) data_len: usize,
    pub(crate) counters: SimCounters,
    pub(crate) fw: crate::fw::FwState,
    /// The boot ROM, which owns the bus until a stage-2 image runs (spec §2.3-2.5).
    pub(crate) rom: BootRom,
    /// Air mode's radio and its record FIFOs (`radio.rs`).
    pub(crate) radio: crate::radio::Radio,
    /// Contract rules the firmware model saw broken (WSM level: SDD, rate policies), in all.
    pub(crate) fw_violations: Violations,
    /// The same, not yet collected by the card ([`SimChip::take_fw_violations`]).
    pub(crate) fw_violations_new: Violations,
}

impl SimChip {
    /// Creates a powered-up chip (in its boot ROM unless `cfg.start_in_firmware`).
    pub fn new(cfg: SimConfig) -> Self {
        let mut chip = Self {
            cfg,
            rng: Rng::new(cfg.seed),
            now: 0,
            phase: Phase::BootRom,
            slave_status: 0,
            host_int_hi: 0,
            ap_wakeup_cfg: 0,
            irq_enabled: true,
            irq_line: false,
            rx_toggle: false,
            tx_toggle: false,
            announce_toggle: false,
            burst: [0; regs::MAX_BURST],
            latched: None,
            ctrl: [Out::Startup; CTRL_QUEUE_CAP],
            ctrl_head: 0,
            ctrl_len: 0,
            data: [(0, 0); DATA_QUEUE_CAP],
            data_head: 0,
            data_len: 0,
            counters: SimCounters::default(),
            fw: crate::fw::FwState::new(),
            rom: BootRom::new(cfg.rom),
            radio: crate::radio::Radio::new(),
            fw_violations: Violations::default(),
            fw_violations_new: Violations::default(),
        };
        chip.fw.privacy = cfg.privacy;
        chip.power_on();
        chip
    }

    fn power_on(&mut self) {
        self.phase = Phase::BootRom;
        self.slave_status = 0;
        self.rom = BootRom::new(self.cfg.rom);
        if self.cfg.start_in_firmware {
            self.enter_firmware();
        }
    }

    /// Switches to the WSM firmware (what RUN of the stage-2 image does, spec §2.4); the
    /// firmware then waits for WIFI_ACTIVATE (spec §3.1).
    pub fn enter_firmware(&mut self) {
        self.phase = Phase::Firmware;
        self.slave_status = status::MCU_READY | status::MCU_WAKEUP_READY;
        self.wifi_down();
    }

    /// After RUN of a stage-2 image, and once the host has read the ROM's reply to it, the
    /// WSM firmware takes over the bus (spec §2.4 step 5, §3.1).
    fn check_booted(&mut self) {
        if self.phase == Phase::BootRom && self.rom.booted().is_some() && !self.rom.irq_pending() {
            self.enter_firmware();
        }
    }

    /// The configuration this chip runs with.
    pub fn config(&self) -> &SimConfig {
        &self.cfg
    }

    /// Changes the traffic generator (takes effect at the next `advance`).
    pub fn set_traffic(&mut self, t: crate::config::TrafficConfig) {
        self.cfg.traffic = t;
    }

    /// Changes the random fault rates.
    pub fn set_faults(&mut self, f: crate::config::FaultConfig) {
        self.cfg.faults = f;
    }

    /// The current phase.
    pub fn phase(&self) -> Phase {
        self.phase
    }

    /// The last time passed to `advance`.
    pub fn now_ns(&self) -> u64 {
        self.now
    }

    /// A snapshot of the counters (with the live queue depths filled in).
    pub fn counters(&self) -> SimCounters {
        let mut c = self.counters;
        c.queued = self.data_len as u64;
        c.in_burst = self.latched.map_or(0, |l| u64::from(l.data_count));
        c.keys_in_table = u64::from(self.fw.keys.count_ones());
        c.ps_ap_buffered = self.fw.ps.buffered();
        c
    }

    /// Contract rules the firmware model saw broken since power-up of the model (they
    /// survive chip power cycles, as the card's counters do).
    pub fn fw_violations(&self) -> &Violations {
        &self.fw_violations
    }

    /// Takes the firmware-level violations the card has not collected yet.
    pub fn take_fw_violations(&mut self) -> Violations {
        core::mem::take(&mut self.fw_violations_new)
    }

    /// Counts one firmware-level contract violation.
    pub(crate) fn fw_violation(&mut self, rule: Rule) {
        self.fw_violations.record(rule);
        self.fw_violations_new.record(rule);
    }

    /// Whether the chip's SDIO interrupt is asserted and not masked.
    pub fn irq_pending(&self) -> bool {
        match self.phase {
            Phase::BootRom => self.irq_enabled && self.rom.irq_pending(),
            Phase::Firmware => self.irq_enabled && self.irq_line && !self.fw.hung,
        }
    }

    /// The boot-ROM model (for its statistics and fault knobs).
    pub fn bootrom(&mut self) -> &mut BootRom {
        &mut self.rom
    }

    /// SLAVE_STATUS as the host would read it.
    pub fn slave_status(&self) -> u8 {
        self.slave_status
    }

    /// The station's state at the simulated AP.
    pub fn ap_state(&self) -> ApState {
        self.fw.ap
    }

    /// Host messages currently unconfirmed (firmware input buffers in use).
    pub fn outstanding(&self) -> u16 {
        self.fw.outstanding
    }

    /// Whether anything waits to be sent to the host.
    pub(crate) fn has_pending(&self) -> bool {
        self.ctrl_len > 0 || self.data_len > 0
    }

    pub(crate) fn push_ctrl(&mut self, m: Out) {
        if self.ctrl_len >= CTRL_QUEUE_CAP {
            self.counters.ctrl_overflow += 1;
            return;
        }
        let idx = (self.ctrl_head + self.ctrl_len) % CTRL_QUEUE_CAP;
        if let Some(slot) = self.ctrl.get_mut(idx) {
            *slot = m;
            self.ctrl_len += 1;
        }
    }

    pub(crate) fn pop_ctrl(&mut self) -> Option<Out> {
        if self.ctrl_len == 0 {
            return None;
        }
        let m = self.ctrl.get(self.ctrl_head).copied();
        self.ctrl_head = (self.ctrl_head + 1) % CTRL_QUEUE_CAP;
        self.ctrl_len -= 1;
        m
    }

    pub(crate) fn push_data(&mut self, seq: u64, gen_ns: u64) {
        self.counters.generated += 1;
        self.enqueue_data(seq, gen_ns);
    }

    /// Puts a stream frame already counted as generated into the firmware RX queue (the
    /// AP's power-save buffer releases frames this way, `ps.rs`).
    pub(crate) fn enqueue_data(&mut self, seq: u64, gen_ns: u64) {
        let depth = self.cfg.fw_rx_queue_depth.min(DATA_QUEUE_CAP);
        if self.data_len >= depth {
            self.counters.dropped_queue_full += 1;
            return;
        }
        let idx = (self.data_head + self.data_len) % DATA_QUEUE_CAP;
        if let Some(slot) = self.data.get_mut(idx) {
            *slot = (seq, gen_ns);
            self.data_len += 1;
        }
    }

    pub(crate) fn peek_data(&self) -> Option<(u64, u64)> {
        (self.data_len > 0)
            .then(|| self.data.get(self.data_head).copied())
            .flatten()
    }

    pub(crate) fn pop_data(&mut self) {
        if self.data_len > 0 {
            self.data_head = (self.data_head + 1) % DATA_QUEUE_CAP;
            self.data_len -= 1;
        }
    }

    /// Drops everything queued for the host (reset, WIFI deactivate); stream frames count as
    /// `dropped_reset`.
    pub(crate) fn flush_queues(&mut self) {
        self.counters.dropped_reset += self.data_len as u64;
        // The AP's power-save buffer goes with the station's state (`ps.rs`).
        self.counters.dropped_reset += self.fw.ps.take_buffered();
        if let Some(l) = self.latched.take() {
            self.counters.dropped_reset += u64::from(l.data_count);
        }
        self.data_len = 0;
        self.data_head = 0;
        // Air frames waiting for the host go with their queue entries.
        self.radio.rx.clear();
        self.ctrl_len = 0;
        self.ctrl_head = 0;
        self.irq_line = false;
    }

    /// WIFI deactivate (spec §1.9): clears WIFI_READY, empties the queues, resets toggles
    /// and the firmware's WSM state.
    pub(crate) fn wifi_down(&mut self) {
        self.slave_status &= !status::WIFI_READY;
        self.flush_queues();
        self.rx_toggle = false;
        self.tx_toggle = false;
        self.announce_toggle = false;
        self.fw.wifi_down();
        self.radio.reset();
    }

    /// Queues a one-shot fault.
    pub fn inject(&mut self, f: Fault) {
        match f {
            Fault::Hang => self.fw.hung = true,
            Fault::CmdTimeouts(n) => {
                self.fw.drop_confirms = self.fw.drop_confirms.saturating_add(n)
            }
            Fault::ConnectionLoss { events, spacing_ns } => {
                self.fw.loss_events_left = events;
                self.fw.loss_spacing_ns = spacing_ns.max(1);
                self.fw.next_loss_ns = self.now;
            }
            Fault::DecryptStorm { frames } => {
                for _ in 0..frames {
                    self.push_ctrl(Out::DecryptFail);
                }
                self.counters.decrypt_fail_sent += u64::from(frames);
                self.raise_if_pending();
            }
            Fault::CorruptLength => self.fw.corrupt_next_len = true,
            Fault::GlitchLength => self.fw.glitch_next_len = true,
            Fault::ApDeauth => {
                if self.fw.ap != ApState::Idle {
                    self.fw.ap = ApState::Idle;
                    self.counters.ap_deauths += 1;
                    self.push_ctrl(Out::Mgmt {
                        kind: Mgmt::Deauth,
                        if_id: 0,
                    });
                    self.raise_if_pending();
                }
            }
        }
    }

    /// Asserts the interrupt while anything waits for the host, including an announced
    /// burst the host has not fetched (so a host that lost track is reminded, not starved).
    pub(crate) fn raise_if_pending(&mut self) {
        if (self.latched.is_some() || self.has_pending()) && !self.fw.hung {
            self.irq_line = true;
        }
    }

    /// Moves virtual time to `now_ns`: generates traffic, beacons, scan results and timed
    /// faults, and raises the interrupt when something is waiting.
    pub fn advance(&mut self, now_ns: u64) {
        if now_ns > self.now {
            self.now = now_ns;
        }
        if self.phase == Phase::BootRom {
            self.rom.advance(self.now);
            self.check_booted();
        }
        if self.phase == Phase::Firmware {
            self.fw_tick();
        }
        self.raise_if_pending();
    }

    fn rx_len_reg(&mut self) -> u8 {
        self.irq_line = false;
        if self.fw.hung {
            return 0;
        }
        if self.rng.chance_ppm(self.cfg.faults.hostile_ppm) {
            self.counters.hostile_events += 1;
            return self.rng.next_u64() as u8;
        }
        if self.fw.glitch_next_len && self.latched.is_none() {
            self.fw.glitch_next_len = false;
            let toggle = if self.announce_toggle {
                regs::RX_LEN_TOGGLE
            } else {
                0
            };
            return 1 | toggle;
        }
        if self.latched.is_none() && self.has_pending() {
            self.latch_burst();
        }
        let Some(l) = self.latched else { return 0 };
        if self.fw.corrupt_next_len || self.rng.chance_ppm(self.cfg.faults.corrupt_len_ppm) {
            self.fw.corrupt_next_len = false;
            // Announce more blocks than any burst can hold (> 51), keeping the toggle, so a
            // careful host rejects it; a careless one gets the real burst zero-padded.
            let units = 52 + self.rng.below(76) as u8;
            return (l.reg & regs::RX_LEN_TOGGLE) | (units & regs::RX_LEN_UNITS_MASK);
        }
        l.reg
    }

    fn read_burst(&mut self, addr: u32, buf: &mut [u8]) -> Result<(), BusError> {
        self.counters.cmd53_reads += 1;
        if self.rng.chance_ppm(self.cfg.faults.crc_ppm) {
            self.counters.crc_injected += 1;
            return Err(BusError::Crc);
        }
        if (addr & regs::ADDR_TOGGLE != 0) != self.rx_toggle {
            self.counters.toggle_errors += 1;
            return Err(BusError::Io);
        }
        self.rx_toggle = !self.rx_toggle;
        let want = (addr & regs::ADDR_LEN_MASK) as usize;
        let n = want.min(buf.len());
        let Some(l) = self.latched.take() else {
            self.counters.empty_reads += 1;
            buf.fill(0);
            return Ok(());
        };
        let copy = n.min(l.len);
        let (head, tail) = buf.split_at_mut(copy);
        head.copy_from_slice(self.burst.get(..copy).unwrap_or(&[]));
        tail.fill(0);
        let ends = l.data_ends.get(..usize::from(l.data_count)).unwrap_or(&[]);
        let cut = ends.iter().filter(|&&e| usize::from(e) > copy).count() as u64;
        self.counters.dropped_truncated += cut;
        self.counters.sent_to_host += u64::from(l.data_count) - cut;
        self.counters.bursts += 1;
        self.counters.burst_msgs += u64::from(l.msgs);
        self.counters.bytes_to_host += n as u64;
        self.raise_if_pending();
        Ok(())
    }

    fn write_slots(&mut self, addr: u32, buf: &[u8]) -> Result<(), BusError> {
        self.counters.cmd53_writes += 1;
        if self.rng.chance_ppm(self.cfg.faults.crc_ppm) {
            self.counters.crc_injected += 1;
            return Err(BusError::Crc);
        }
        if (addr & regs::ADDR_TOGGLE != 0) != self.tx_toggle {
            self.counters.toggle_errors += 1;
            return Err(BusError::Io);
        }
        self.tx_toggle = !self.tx_toggle;
        let len = addr & regs::ADDR_LEN_MASK;
        let slot = regs::tx_slot_size(len);
        let bytes = (len & !3) as usize;
        // Spec §1.7: the real byte count is len & ~3 in whole 512-byte blocks.
        let ok_layout = bytes != 0
            && bytes.is_multiple_of(slot)
            && bytes / slot <= regs::RX_MULTIPLE_NUM
            && bytes.div_ceil(regs::RX_LEN_UNIT) * regs::RX_LEN_UNIT == buf.len();
        if !ok_layout {
            self.counters.host_malformed += 1;
            return Ok(());
        }
        let mut batch = crate::fw::TxBatch::default();
        for msg in buf.get(..bytes).unwrap_or(&[]).chunks_exact(slot) {
            self.host_message(msg, &mut batch);
        }
        self.flush_tx_batch(&mut batch);
        self.raise_if_pending();
        Ok(())
    }

    fn host_int(&mut self, lo: u8) {
        let cmd = u16::from(self.host_int_hi) << 8 | u16::from(lo);
        self.host_int_hi = 0;
        if cmd & host_int::DOORBELL == 0 || self.phase != Phase::Firmware || self.fw.hung {
            return;
        }
        if cmd & host_int::MCU_ACTIVATE != 0 {
            self.slave_status |= status::MCU_WAKEUP_READY;
        }
        if cmd & host_int::MCU_DEACTIVATE != 0 {
            self.slave_status &= !status::MCU_WAKEUP_READY;
        }
        if cmd & host_int::WIFI_ACTIVATE != 0 && self.slave_status & status::WIFI_READY == 0 {
            self.fw.wifi_ready_at = Some(self.now + self.cfg.wifi_ready_delay_ns);
        }
        if cmd & host_int::WIFI_DEACTIVATE != 0 {
            self.wifi_down();
        }
        if cmd & host_int::BT_ACTIVATE != 0 {
            self.slave_status |= status::BT_READY;
        }
        if cmd & host_int::BT_DEACTIVATE != 0 {
            self.slave_status &= !status::BT_READY;
        }
        if cmd & host_int::BT_WAKEUP != 0 {
            self.slave_status |= status::BT_WAKE_READY;
        }
        if cmd & host_int::BT_SLEEP != 0 {
            self.slave_status &= !status::BT_WAKE_READY;
        }
    }
}

impl Bus for SimChip {
    fn read_reg8(&mut self, reg: u32) -> Result<u8, BusError> {
        self.counters.cmd52 += 1;
        if self.phase == Phase::BootRom {
            return Ok(self.rom.read_reg8(reg));
        }
        Ok(match reg {
            regs::RX_LEN_CTRL => self.rx_len_reg(),
            regs::RX_STATUS => u8::from(self.latched.is_none() && !self.has_pending()),
            regs::SLAVE_STATUS => self.slave_status,
            regs::AP_WAKEUP_CFG => self.ap_wakeup_cfg,
            _ => 0,
        })
    }

    fn write_reg8(&mut self, reg: u32, val: u8) -> Result<(), BusError> {
        self.counters.cmd52 += 1;
        if self.phase == Phase::BootRom {
            // The ROM has no writable registers the download uses.
            return Ok(());
        }
        match reg {
            regs::HOST_INT_HI => self.host_int_hi = val,
            regs::HOST_INT_LO => self.host_int(val),
            regs::AP_WAKEUP_CFG => self.ap_wakeup_cfg = val,
            _ => {}
        }
        Ok(())
    }

    fn read_data(&mut self, addr: u32, buf: &mut [u8]) -> Result<(), BusError> {
        if self.phase == Phase::BootRom {
            self.counters.cmd53_reads += 1;
            if self.rng.chance_ppm(self.cfg.faults.crc_ppm) {
                self.counters.crc_injected += 1;
                return Err(BusError::Crc);
            }
            let r = self.rom.read(buf).map_err(|_| BusError::Io);
            self.check_booted();
            return r;
        }
        self.read_burst(addr, buf)
    }

    fn write_data(&mut self, addr: u32, buf: &[u8]) -> Result<(), BusError> {
        if self.phase == Phase::BootRom {
            self.counters.cmd53_writes += 1;
            if self.rng.chance_ppm(self.cfg.faults.crc_ppm) {
                self.counters.crc_injected += 1;
                return Err(BusError::Crc);
            }
            return self.rom.write(buf).map_err(|_| BusError::Io);
        }
        if self.slave_status & status::WIFI_READY == 0 && self.fw.wifi_ready_at.is_none() {
            // The WSM firmware only takes data once Wi-Fi is being activated (spec §1.9).
            self.counters.cmd53_writes += 1;
            self.counters.host_malformed += 1;
            return Err(BusError::Io);
        }
        self.write_slots(addr, buf)
    }

    fn set_irq_enabled(&mut self, enabled: bool) {
        self.irq_enabled = enabled;
    }

    fn reset(&mut self) -> Result<(), BusError> {
        self.counters.resets += 1;
        self.flush_queues();
        self.fw.power_cycle();
        self.radio.reset();
        self.rx_toggle = false;
        self.tx_toggle = false;
        self.host_int_hi = 0;
        self.power_on();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::TrafficConfig;
    use crate::wsm::{self, id, le16, le32};

    /// A bare host: toggles and seqs by hand, to check the chip's side of spec §1.3-1.9.
    struct H {
        rx_t: bool,
        tx_t: bool,
        seq: u8,
        buf: [u8; regs::MAX_BURST],
    }

    impl H {
        fn new() -> Self {
            Self {
                rx_t: false,
                tx_t: false,
                seq: 0,
                buf: [0; regs::MAX_BURST],
            }
        }
        fn activate(&mut self, c: &mut SimChip) {
            c.write_reg8(regs::HOST_INT_HI, 0).unwrap();
            c.write_reg8(
                regs::HOST_INT_LO,
                (host_int::DOORBELL | host_int::WIFI_ACTIVATE) as u8,
            )
            .unwrap();
            c.advance(c.now_ns() + 5_000_000);
            assert_ne!(
                c.read_reg8(regs::SLAVE_STATUS).unwrap() & status::WIFI_READY,
                0
            );
        }
        /// Reads one burst; returns its messages as (offset, len, id).
        fn read(&mut self, c: &mut SimChip) -> ([(usize, usize, u16); 16], usize, usize) {
            let mut out = [(0, 0, 0); 16];
            let reg = c.read_reg8(regs::RX_LEN_CTRL).unwrap();
            let units = usize::from(reg & regs::RX_LEN_UNITS_MASK);
            if units == 0 {
                return (out, 0, 0);
            }
            let len = units * 512;
            let addr = len as u32 | if self.rx_t { regs::ADDR_TOGGLE } else { 0 };
            c.read_data(addr, &mut self.buf[..len]).unwrap();
            self.rx_t = !self.rx_t;
            let (mut pos, mut n) = (0, 0);
            while n < 16 && pos + 4 <= len {
                let l = usize::from(le16(&self.buf, pos).unwrap());
                if l == 0 {
                    break;
                }
                out[n] = (pos, l, le16(&self.buf, pos + 2).unwrap());
                n += 1;
                pos += (l + 3) & !3;
            }
            (out, n, len)
        }
        /// Sends one command message in a 512-byte slot.
        fn send(&mut self, c: &mut SimChip, mid: u16, payload: &[u8]) -> Result<(), BusError> {
            let mut slot = [0u8; 512];
            let len = 4 + payload.len();
            slot[0..2].copy_from_slice(&(len as u16).to_le_bytes());
            slot[2..4].copy_from_slice(&(mid | u16::from(self.seq) << 13).to_le_bytes());
            slot[4..len].copy_from_slice(payload);
            let addr = 512 | if self.tx_t { regs::ADDR_TOGGLE } else { 0 };
            c.write_data(addr, &slot)?;
            self.tx_t = !self.tx_t;
            self.seq = (self.seq + 1) & 7;
            Ok(())
        }
    }

    #[test]
    fn privacy_ap_sets_the_capability_bit_and_wraps_data() {
        for privacy in [false, true] {
            let mut c = SimChip::new(SimConfig {
                privacy,
                ..SimConfig::default()
            });
            let mut h = H::new();
            h.activate(&mut c);
            h.read(&mut c);
            c.push_ctrl(Out::Mgmt {
                kind: Mgmt::Beacon,
                if_id: 0,
            });
            c.push_ctrl(Out::Mgmt {
                kind: Mgmt::ArpReply {
                    mac: [2, 0, 0, 0, 0, 2],
                    ip: [192, 0, 2, 2],
                },
                if_id: 0,
            });
            c.advance(c.now_ns() + 1_000_000);
            let (m, n, _) = h.read(&mut c);
            assert_eq!(n, 2);
            // The 802.11 frame starts at byte 32 of an RX indication (spec §3.7).
            let (b, _, _) = m[0];
            let cap = le16(&h.buf, b + 32 + 34).unwrap();
            assert_eq!(cap & 0x0010 != 0, privacy, "capability {cap:#06x}");
            assert_eq!(cap & 0x0401, 0x0401);
            let (d, l, _) = m[1];
            let (status, flags) = (le32(&h.buf, d + 4).unwrap(), le32(&h.buf, d + 12).unwrap());
            let fc1 = h.buf[d + 32 + 1];
            if privacy {
                // No key installed yet: protected, passed up as NO_KEY_FOUND.
                assert_eq!((status, fc1 & 0x40), (wsm::STATUS_NO_KEY, 0x40));
                assert_eq!(l, 32 + 24 + 4 + 8 + 28 + 4);
            } else {
                assert_eq!((status, flags & 7, fc1 & 0x40), (0, 0, 0));
            }
        }
    }

    #[test]
    fn startup_indication_after_wifi_activate() {
        let mut c = SimChip::new(SimConfig {
            num_inp_ch_bufs: 7,
            ..SimConfig::default()
        });
        let mut h = H::new();
        assert!(!c.irq_pending());
        h.activate(&mut c);
        assert!(c.irq_pending());
        let (m, n, len) = h.read(&mut c);
        assert_eq!((n, len), (1, 512));
        let (off, l, mid) = m[0];
        assert_eq!(mid & 0x1FFF, id::STARTUP);
        assert_eq!(mid >> 13, 0);
        assert_eq!(l, 152);
        assert_eq!(le16(&h.buf, off + 4), Some(7));
        // Interrupt cleared by the length read, nothing more pending.
        assert!(!c.irq_pending());
        assert_eq!(c.read_reg8(regs::RX_LEN_CTRL).unwrap(), 0);
        assert_eq!(c.read_reg8(regs::RX_STATUS).unwrap() & 1, 1);
    }

    #[test]
    fn wrong_toggle_is_refused_and_burst_survives_crc() {
        let mut c = SimChip::new(SimConfig::default());
        let mut h = H::new();
        h.activate(&mut c);
        let reg = c.read_reg8(regs::RX_LEN_CTRL).unwrap();
        assert_eq!(reg & regs::RX_LEN_TOGGLE, 0);
        let mut buf = [0u8; 512];
        // Toggle 1 while the chip expects 0: refused, burst kept.
        assert_eq!(
            c.read_data(512 | regs::ADDR_TOGGLE, &mut buf),
            Err(BusError::Io)
        );
        assert_eq!(c.counters().toggle_errors, 1);
        c.cfg.faults.crc_ppm = 1_000_000;
        assert_eq!(c.read_data(512, &mut buf), Err(BusError::Crc));
        c.cfg.faults.crc_ppm = 0;
        c.read_data(512, &mut buf).unwrap();
        assert_eq!(le16(&buf, 2).map(|v| v & 0x1FFF), Some(id::STARTUP));
        // A write with the wrong toggle is refused too.
        h.tx_t = true;
        assert_eq!(
            h.send(&mut c, id::WRITE_MIB, &[0x24, 0x10, 4, 0, 1, 0, 0, 0]),
            Err(BusError::Io)
        );
    }

    #[test]
    fn commands_are_confirmed_with_seq_and_credits_are_enforced() {
        let mut c = SimChip::new(SimConfig {
            num_inp_ch_bufs: 2,
            ..SimConfig::default()
        });
        let mut h = H::new();
        h.activate(&mut c);
        h.read(&mut c);
        c.inject(Fault::CmdTimeouts(2));
        h.send(&mut c, id::WRITE_MIB, &[0x24, 0x10, 4, 0, 1, 0, 0, 0])
            .unwrap();
        h.send(&mut c, id::WRITE_MIB, &[0x24, 0x10, 4, 0, 1, 0, 0, 0])
            .unwrap();
        assert_eq!(c.outstanding(), 2);
        // A third message without a credit is a host bug the chip counts and drops.
        h.send(&mut c, id::SET_PM, &[0, 0, 0, 0]).unwrap();
        assert_eq!(c.counters().credit_overruns, 1);
        assert_eq!(c.counters().confirms_dropped, 2);
        let mut c = SimChip::new(SimConfig::default());
        let mut h = H::new();
        h.activate(&mut c);
        h.read(&mut c);
        h.send(&mut c, id::SET_PM, &[0x81, 16, 0, 0]).unwrap();
        let (m, n, _) = h.read(&mut c);
        assert_eq!(n, 2);
        assert_eq!(m[0].2, (id::SET_PM | 0x0400) | 1 << 13);
        assert_eq!(m[1].2, id::PM_COMPLETE | 2 << 13);
        assert_eq!(c.outstanding(), 0);
        // A wrong host seq is counted.
        h.seq = 5;
        h.send(&mut c, id::SET_PM, &[0, 0, 0, 0]).unwrap();
        assert_eq!(c.counters().host_seq_errors, 1);
    }

    #[test]
    fn malformed_request_is_counted_and_answered_with_an_error() {
        let mut c = SimChip::new(SimConfig::default());
        let mut h = H::new();
        h.activate(&mut c);
        h.read(&mut c);
        // A join request needs 60 bytes (spec §3.3); 8 is refused by the wire parser.
        h.send(&mut c, id::JOIN, &[1, 0, 6, 0, 2, 0xb5, 0x26, 0])
            .unwrap();
        assert_eq!(c.counters().host_malformed, 1);
        let (m, n, _) = h.read(&mut c);
        assert_eq!(n, 1);
        assert_eq!(m[0].2 & 0x0FFF, id::JOIN | 0x0400);
        assert_eq!(le32(&h.buf, m[0].0 + 4), Some(wsm::STATUS_INVALID));
        assert_eq!(c.outstanding(), 0);
        assert!(!c.fw.joined);
    }

    #[test]
    fn host_int_handshakes_set_and_clear_ready_bits() {
        let mut c = SimChip::new(SimConfig::default());
        let hi = |c: &mut SimChip, cmd: u16| {
            c.write_reg8(regs::HOST_INT_HI, (cmd >> 8) as u8).unwrap();
            c.write_reg8(regs::HOST_INT_LO, cmd as u8).unwrap();
        };
        let st = |c: &mut SimChip| c.read_reg8(regs::SLAVE_STATUS).unwrap();
        assert_ne!(st(&mut c) & status::MCU_READY, 0);
        hi(&mut c, host_int::DOORBELL | host_int::MCU_DEACTIVATE);
        assert_eq!(st(&mut c) & status::MCU_WAKEUP_READY, 0);
        hi(&mut c, host_int::DOORBELL | host_int::MCU_ACTIVATE);
        assert_ne!(st(&mut c) & status::MCU_WAKEUP_READY, 0);
        // Without the doorbell nothing happens (spec §1.4.1).
        hi(&mut c, host_int::BT_ACTIVATE);
        assert_eq!(st(&mut c) & status::BT_READY, 0);
        hi(&mut c, host_int::DOORBELL | host_int::BT_ACTIVATE);
        assert_ne!(st(&mut c) & status::BT_READY, 0);
        // WIFI_READY only after the firmware's start-up delay, then deactivate clears it.
        hi(&mut c, host_int::DOORBELL | host_int::WIFI_ACTIVATE);
        assert_eq!(st(&mut c) & status::WIFI_READY, 0);
        c.advance(c.now_ns() + c.config().wifi_ready_delay_ns);
        assert_ne!(st(&mut c) & status::WIFI_READY, 0);
        hi(&mut c, host_int::DOORBELL | host_int::WIFI_DEACTIVATE);
        assert_eq!(st(&mut c) & status::WIFI_READY, 0);
        assert!(!c.irq_pending());
    }

    #[test]
    fn tx_slots_follow_the_slot_code_and_bad_layouts_are_refused() {
        let mut c = SimChip::new(SimConfig::default());
        let mut h = H::new();
        h.activate(&mut c);
        h.read(&mut c);
        // Two 1024-byte slots (code 1), each a Set-PM request followed by the 4-byte
        // timestamp trailer of spec errata 1, which the chip must ignore.
        let mut buf = [0u8; 2048];
        for (i, slot) in buf.chunks_mut(1024).enumerate() {
            slot[0..2].copy_from_slice(&8u16.to_le_bytes());
            slot[2..4].copy_from_slice(&(id::SET_PM | (i as u16) << 13).to_le_bytes());
            slot[8..12].copy_from_slice(&0xDEAD_BEEFu32.to_le_bytes());
        }
        c.write_data(2048 | 1, &buf).unwrap();
        assert_eq!(c.counters().commands, 2);
        assert_eq!(c.counters().host_malformed, 0);
        // 1536 bytes do not divide into 1024-byte slots: refused as a host bug.
        c.write_data(1536 | 1 | regs::ADDR_TOGGLE, &buf[..1536])
            .unwrap();
        assert_eq!(c.counters().host_malformed, 1);
        assert_eq!(c.counters().commands, 2);
        // The buffer must be the byte count rounded up to whole blocks.
        c.write_data(1024 | 1, &buf[..1000]).unwrap();
        assert_eq!(c.counters().host_malformed, 2);
    }

    fn join_payload(bssid: [u8; 6], ch: u16) -> [u8; 60] {
        let mut p = [0u8; 60];
        p[0] = 1;
        p[2..4].copy_from_slice(&ch.to_le_bytes());
        p[4..10].copy_from_slice(&bssid);
        p
    }

    /// Policy 0 with 15 tries at 1 Mb/s, as if uploaded (what `tx_frame` names).
    fn policy0(c: &mut SimChip) {
        let mut t = bes2600_wire::wsm::rate::RateTries::default();
        t.set_tries(0, 15);
        c.fw.policies[0] = Some(t);
    }

    /// Write-MIB 0x1016 payload with one policy: `index`, 15 tries at hw rate `rate`.
    fn policy_mib(index: u8, rate: u8) -> [u8; 28] {
        let mut p = [0u8; 28];
        p[0..2].copy_from_slice(&0x1016u16.to_le_bytes());
        p[2..4].copy_from_slice(&24u16.to_le_bytes());
        p[4] = 1;
        p[8..12].copy_from_slice(&[index, 31, 31, 0x0C]);
        let w = 16 + usize::from(rate / 8) * 4;
        p[w..w + 4].copy_from_slice(&(15u32 << (4 * (rate % 8))).to_le_bytes());
        p
    }

    fn tx_frame(c: &mut SimChip, h: &mut H, frame: &[u8], pid: u32) {
        let mut p = [0u8; 200];
        p[0..4].copy_from_slice(&pid.to_le_bytes());
        p[20..20 + frame.len()].copy_from_slice(frame);
        h.send(c, id::TX, &p[..20 + frame.len()]).unwrap();
    }

    #[test]
    fn join_auth_assoc_then_stream_in_bursts_of_16() {
        let t = TrafficConfig {
            ampdu: 40,
            ..TrafficConfig::SATURATION
        };
        let mut c = SimChip::new(SimConfig {
            traffic: t,
            ..SimConfig::default()
        });
        let mut h = H::new();
        h.activate(&mut c);
        h.read(&mut c);
        policy0(&mut c);
        h.send(&mut c, id::WRITE_MIB, &[0x24, 0x10, 4, 0, 1, 0, 0, 0])
            .unwrap();
        h.send(&mut c, id::JOIN, &join_payload(crate::net::BSSID, 6))
            .unwrap();
        let (m, n, _) = h.read(&mut c);
        assert_eq!(n, 2);
        assert_eq!(le32(&h.buf, m[1].0 + 4), Some(0));
        let sta = [2, 0, 0, 0, 0, 9];
        let mut auth = [0u8; 30];
        auth[0] = crate::net::fc::AUTH;
        auth[4..10].copy_from_slice(&crate::net::BSSID);
        auth[10..16].copy_from_slice(&sta);
        tx_frame(&mut c, &mut h, &auth, 0x11);
        auth[0] = crate::net::fc::ASSOC_REQ;
        tx_frame(&mut c, &mut h, &auth, 0x12);
        assert_eq!(c.ap_state(), ApState::Associated(1));
        let (m, n, _) = h.read(&mut c);
        // Auth response, multi TX confirm, assoc response, multi TX confirm.
        assert_eq!(n, 4);
        assert_eq!(m[1].2 & 0x1FFF, id::MULTI_TX_CNF);
        assert_eq!(le32(&h.buf, m[1].0 + 4), Some(1));
        assert_eq!(le32(&h.buf, m[1].0 + 8), Some(0x11));
        assert_eq!(h.buf[m[0].0 + 32], crate::net::fc::AUTH);
        assert_eq!(h.buf[m[2].0 + 32], crate::net::fc::ASSOC_RESP);
        assert_eq!(&h.buf[m[2].0 + 36..m[2].0 + 42], &sta);
        // One A-MPDU of 40 frames: bursts of 16, 16 and 8 stream frames.
        c.advance(c.now_ns() + 1);
        let mut seen = 0u64;
        for want in [16usize, 16, 8] {
            let (m, n, len) = h.read(&mut c);
            assert_eq!(n, want);
            assert!(len <= regs::MAX_BURST && len % 512 == 0);
            for &(off, l, mid) in &m[..n] {
                assert_eq!(mid & 0x1FFF, id::RX);
                let d = crate::net::parse_stream(&h.buf[off + 32..off + l]).unwrap();
                assert_eq!(d.seq, seen);
                assert_eq!(&h.buf[off + 36..off + 42], &sta);
                seen += 1;
            }
        }
        let k = c.counters();
        assert_eq!((k.generated, k.sent_to_host, k.bursts), (40, 40, 6));
        assert!(k.accounted());
    }

    #[test]
    fn multi_tx_confirm_carries_a_status_per_frame() {
        let mut c = SimChip::new(SimConfig::default());
        let mut h = H::new();
        h.activate(&mut c);
        h.read(&mut c);
        policy0(&mut c);
        h.send(&mut c, id::WRITE_MIB, &[0x24, 0x10, 4, 0, 1, 0, 0, 0])
            .unwrap();
        h.send(&mut c, id::JOIN, &join_payload(crate::net::BSSID, 6))
            .unwrap();
        h.read(&mut c);
        // One write, two 512-byte slots: a null-data frame and a truncated TX request.
        let mut buf = [0u8; 1024];
        let null = [crate::net::fc::NULL, 0x01, 0, 0];
        let len = 24 + null.len();
        buf[0..2].copy_from_slice(&(len as u16).to_le_bytes());
        buf[2..4].copy_from_slice(&(id::TX | 2 << 13).to_le_bytes());
        buf[4..8].copy_from_slice(&0x77u32.to_le_bytes());
        buf[24..len].copy_from_slice(&null);
        buf[512..514].copy_from_slice(&12u16.to_le_bytes());
        buf[514..516].copy_from_slice(&(id::TX | 3 << 13).to_le_bytes());
        buf[516..520].copy_from_slice(&0x78u32.to_le_bytes());
        c.write_data(1024, &buf).unwrap();
        let (m, n, _) = h.read(&mut c);
        assert_eq!(n, 1);
        let off = m[0].0;
        assert_eq!(m[0].2 & 0x0FFF, id::MULTI_TX_CNF);
        assert_eq!(le32(&h.buf, off + 4), Some(2));
        assert_eq!(le32(&h.buf, off + 8), Some(0x77));
        assert_eq!(le32(&h.buf, off + 12), Some(0));
        assert_eq!(le32(&h.buf, off + 28), Some(0x78));
        assert_eq!(le32(&h.buf, off + 32), Some(wsm::STATUS_INVALID));
        assert_eq!(c.outstanding(), 0);
    }

    /// Issue 14: the firmware fails a TX request naming a policy never uploaded or a rate
    /// outside its policy (a named violation each), takes one that names an uploaded policy
    /// and reports its first rate, and forgets the table at Reset.
    #[test]
    fn issue_14_tx_requests_name_an_uploaded_policy_and_rate() {
        use crate::card::contract::Rule;
        let mut c = SimChip::new(SimConfig::default());
        let mut h = H::new();
        h.activate(&mut c);
        h.read(&mut c);
        h.send(&mut c, id::WRITE_MIB, &[0x24, 0x10, 4, 0, 1, 0, 0, 0])
            .unwrap();
        h.send(&mut c, id::JOIN, &join_payload(crate::net::BSSID, 6))
            .unwrap();
        let null = [crate::net::fc::NULL, 0x01, 0, 0];
        // Policy 0 never uploaded.
        tx_frame(&mut c, &mut h, &null, 1);
        assert_eq!(c.fw_violations().get(Rule::TxPolicyUploaded), 1);
        // Policy 3 with MCS 7 (hw 21) uploaded; a request naming it at MCS 7 goes out.
        h.send(&mut c, id::WRITE_MIB, &policy_mib(3, 21)).unwrap();
        let mut p = [0u8; 24];
        p[0..4].copy_from_slice(&2u32.to_le_bytes());
        p[4] = 21;
        p[7] = 3 << 4;
        p[20..24].copy_from_slice(&null);
        while h.read(&mut c).1 > 0 {}
        h.send(&mut c, id::TX, &p).unwrap();
        assert_eq!(c.counters().txed_rate_last, 21);
        // The confirm reports it: multi-TX confirm, record 0 (packet id 2), txedRate.
        let (m, n, _) = h.read(&mut c);
        assert_eq!(n, 1);
        assert_eq!(m[0].2 & 0x0FFF, id::MULTI_TX_CNF);
        assert_eq!(le32(&h.buf, m[0].0 + 8), Some(2));
        assert_eq!(h.buf[m[0].0 + 8 + 8], 21);
        // The same policy at 54 Mb/s (hw 13): not a rate of it.
        p[4] = 13;
        h.send(&mut c, id::TX, &p).unwrap();
        assert_eq!(c.fw_violations().get(Rule::TxRateInPolicy), 1);
        // Reset wipes the table.
        h.send(&mut c, 0x000A, &[0, 0, 0, 0]).unwrap();
        p[4] = 21;
        h.send(&mut c, id::TX, &p).unwrap();
        assert_eq!(c.fw_violations().get(Rule::TxPolicyUploaded), 2);
        let k = c.counters();
        assert_eq!((k.policies_uploaded, k.tx_policy_refused), (1, 3));
        assert_eq!(
            k.txed_rates_seen,
            1 << 21 | 1,
            "MCS 7, and 1 Mb/s for the failures"
        );
        let taken = c.take_fw_violations();
        assert_eq!(taken.total(), 3);
        assert_eq!(c.take_fw_violations().total(), 0, "taken once");
        assert_eq!(c.fw_violations().total(), 3, "the total stays");
    }

    /// Issue 14: Configuration with an empty or malformed SDD is refused (status invalid,
    /// violation `configuration_sdd`); the engine's static SDD is accepted.
    #[test]
    fn issue_14_configuration_needs_a_well_formed_sdd() {
        use crate::card::contract::Rule;
        use bes2600_wire::wsm::config::{ConfigReq, DPD_FLAGS, DPD_VERSION};
        use bes2600_wire::wsm::Message;
        let mut c = SimChip::new(SimConfig::default());
        let mut h = H::new();
        h.activate(&mut c);
        h.read(&mut c);
        let mut sdd = [0u8; 1024];
        let n = bes2600_engine::sdd::build(&mut sdd).unwrap();
        for (blob, ok) in [
            (&sdd[..0], false),
            (&sdd[..n - 4], false),
            (&sdd[..n], true),
        ] {
            let r = ConfigReq {
                max_tx_msdu_lifetime: 0,
                max_rx_lifetime: 0,
                rts_threshold: 0,
                dpd_version: DPD_VERSION,
                mac: [2, 0, 0, 0, 0, 7],
                dpd_flags: DPD_FLAGS,
                sdd: blob,
            };
            let mut body = vec![0u8; r.buffer_len()];
            r.emit(&mut body);
            // 860 bytes: a 1024-byte slot.
            let mut slot = [0u8; 1024];
            let len = 4 + body.len();
            slot[0..2].copy_from_slice(&(len as u16).to_le_bytes());
            slot[2..4].copy_from_slice(&(0x0009 | u16::from(h.seq) << 13).to_le_bytes());
            slot[4..len].copy_from_slice(&body);
            let addr = 1024 | 1 | if h.tx_t { regs::ADDR_TOGGLE } else { 0 };
            c.write_data(addr, &slot).unwrap();
            h.tx_t = !h.tx_t;
            h.seq = (h.seq + 1) & 7;
            let (m, k, _) = h.read(&mut c);
            assert_eq!(k, 1);
            let status = le32(&h.buf, m[0].0 + 4).unwrap();
            assert_eq!(status == 0, ok, "{} bytes", blob.len());
        }
        assert_eq!(c.fw_violations().get(Rule::ConfigurationSdd), 2);
        let k = c.counters();
        assert_eq!((k.sdd_accepted, k.sdd_refused, k.sdd_bytes), (1, 2, 832));
    }

    #[test]
    fn undrained_queue_drops_are_counted_and_reset_flushes() {
        let t = TrafficConfig {
            ampdu: 1,
            ..TrafficConfig::SATURATION
        };
        let mut c = SimChip::new(SimConfig {
            traffic: t,
            fw_rx_queue_depth: 50,
            ..SimConfig::default()
        });
        let mut h = H::new();
        h.activate(&mut c);
        h.read(&mut c);
        h.send(&mut c, id::JOIN, &join_payload(crate::net::BSSID, 6))
            .unwrap();
        c.fw.ap = ApState::Associated(1);
        c.advance(c.now_ns() + 1);
        c.advance(c.now_ns() + 100_000_000);
        let k = c.counters();
        assert!(k.generated > 400, "{k:?}");
        assert_eq!(k.queued, 50);
        assert!(k.dropped_queue_full > 0);
        assert!(k.accounted());
        c.reset().unwrap();
        let k = c.counters();
        assert_eq!(k.queued, 0);
        assert!(k.dropped_reset >= 50);
        assert!(k.accounted());
        assert_eq!(c.phase(), Phase::Firmware);
        assert_eq!(c.slave_status() & status::WIFI_READY, 0);
    }

    #[test]
    fn hostile_mode_never_panics() {
        let cfg = SimConfig {
            traffic: TrafficConfig::SATURATION,
            faults: crate::config::FaultConfig {
                hostile_ppm: 200_000,
                crc_ppm: 100_000,
                corrupt_len_ppm: 100_000,
                cmd_timeout_ppm: 100_000,
            },
            ..SimConfig::default()
        };
        let mut c = SimChip::new(cfg);
        let mut h = H::new();
        h.activate(&mut c);
        c.fw.joined = true;
        c.fw.ap = ApState::Associated(1);
        let mut rng = Rng::new(3);
        let mut buf = [0u8; regs::MAX_BURST];
        for i in 0..3000u64 {
            c.advance(i * 200_000);
            let _ = c.read_reg8(rng.next_u64() as u32 & 0x1FF);
            let len = 512 * (1 + rng.below(60) as usize);
            let len = len.min(buf.len());
            let _ = c.read_data(rng.next_u64() as u32, &mut buf[..len]);
            rng.fill(&mut buf[..1024]);
            let _ = c.write_data(rng.next_u64() as u32, &buf[..1024]);
        }
        assert!(c.counters().hostile_events > 0);
        assert!(c.counters().accounted());
    }
}
