//! The simulated chip as an SDIO card: what a virtual MMC host controller puts behind its
//! slot so that the real MMC core enumerates a BES2600 and the production driver binds.
//!
//! [`Card`] answers the SDIO commands the MMC core sends (CMD0/3/5/7, CMD52 to the CCCR,
//! FBR and CIS, CMD53), holds the vendor driver's bus contract ([`contract`]) and passes
//! function 1 to [`SimChip`]. It knows nothing of the kernel: the host module hands it raw
//! command arguments and data buffers, and it is tested here on the host.

pub mod contract;
pub mod debugfs;
mod regs;

use bes2600_engine::{Bus, BusError};

use crate::chip::{Fault, Phase, SimChip};
use crate::config::SimConfig;
pub use contract::{BusPhase, Cmd53, Rule, Violations};

/// SDIO vendor and device ID of the BES2600 (spec §1.1).
pub const VENDOR: u16 = 0xBE57;
/// SDIO device ID (spec §1.1).
pub const DEVICE: u16 = 0x2002;
/// The relative card address the card publishes with CMD3.
pub const RCA: u16 = 0x0001;
/// How long the chip's MCU takes to wake once the wake line rises: the vendor driver sleeps
/// this long after asserting it before it touches function 1 (C:bes2600_sdio.c:1378-1382).
/// The real latency is not documented; the card holds the host to the vendor's wait.
pub const WAKE_SETTLE_NS: u64 = 10_000_000;

/// How a command failed on the wires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CardError {
    /// No response (`-ETIMEDOUT`): unpowered, unknown command, injected timeout.
    Timeout,
    /// CRC error on the data lines (`-EILSEQ`).
    Crc,
}

/// R5 response flags (SDIO spec 5.2; the MMC core's `R5_*`).
pub mod r5 {
    /// General error: the MMC core returns `-EIO`.
    pub const ERROR: u32 = 1 << 11;
    /// Invalid function number.
    pub const FUNCTION_NUMBER: u32 = 1 << 9;
    /// Argument out of range.
    pub const OUT_OF_RANGE: u32 = 1 << 8;
    /// IO_CURRENT_STATE = CMD (selected, no transfer).
    pub const STATE_CMD: u32 = 1 << 12;
}

/// A fault of the card itself (the chip's faults are [`Fault`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CardFault {
    /// The chip model's one-shot faults (hang, command timeouts, ...).
    Chip(Fault),
    /// The next CMD53 fails with a data CRC error.
    Crc,
    /// The next CMD53 gets no response.
    Timeout,
    /// The interrupt line stays quiet for `ms` milliseconds of card time.
    LostIrq {
        /// How long.
        ms: u32,
    },
    /// The next power-up fails: the card does not answer CMD5 until powered up again.
    ResetFailure,
    /// The card's SDIO interface hangs now: no command gets a response (and the interrupt
    /// line stays quiet) until the next power cycle or hardware reset.
    Hang,
}

/// Card-level counters (beyond the chip's [`crate::SimCounters`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CardCounters {
    /// Commands received (all opcodes).
    pub commands: u64,
    /// CMD53 transfers received.
    pub cmd53: u64,
    /// Power-ups (cold start and every power cycle or hardware reset).
    pub power_ups: u64,
    /// Injected card faults that fired (the sum of [`Fired`]).
    pub faults_fired: u64,
    /// Each injected fault as it reached the bus.
    pub fired: Fired,
    /// Commands that got no response because the card was hung or dead after a failed
    /// power-up.
    pub unanswered: u64,
    /// Reads of the RX length register (reg 0x001) that announced more 512-byte units than
    /// any burst can hold ([`crate::regs::MAX_BURST`]): the corrupted-length fault (or the
    /// chip's random one) as the host received it.
    pub rx_len_out_of_range: u64,
    /// Function-1 commands that went unanswered because the MCU slept (wake line not
    /// asserted, or asserted less than [`WAKE_SETTLE_NS`] ago); each is also a
    /// [`Rule::WakeAsserted`] violation.
    pub asleep_unanswered: u64,
    /// Level changes of the wake line.
    pub wake_edges: u64,
}

/// Per fault: how often an injected fault took effect on the bus (not merely queued).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Fired {
    /// A CMD53 failed with a data CRC error.
    pub crc: u64,
    /// A CMD53 got no response.
    pub timeout: u64,
    /// The interrupt was withheld while the chip asserted it (once per quiet period).
    pub lost_irq: u64,
    /// A power-up left the card dead.
    pub reset_failure: u64,
    /// The card's interface hung.
    pub hang: u64,
}

/// The BES2600 as an SDIO card, with the simulated chip behind function 1.
pub struct Card {
    chip: SimChip,
    powered: bool,
    dead_until_power_cycle: bool,
    selected: bool,
    ready: bool,
    regs: regs::Cccr,
    violations: Violations,
    counters: CardCounters,
    crc_next: bool,
    timeout_next: bool,
    reset_fail_next: bool,
    irq_quiet_until_ns: u64,
    /// The current quiet period has withheld an asserted interrupt (counted once).
    irq_withheld: bool,
    /// Chip counters already turned into violations (toggle errors, malformed TX).
    seen_toggle_errors: u64,
    seen_malformed: u64,
    /// Protected TX frames the firmware refused for a missing IV/ICV room, already recorded.
    seen_no_room: u64,
    /// HOST_INT high byte written since the last doorbell.
    host_int_hi_written: bool,
    /// The wake line's logical level (host-driven; a power cycle does not change it).
    wake: bool,
    /// When the wake line last rose (card time).
    wake_since_ns: u64,
    /// Card time of the last call that carried one ([`Card::advance`]), powered or not.
    now_ns: u64,
}

impl Card {
    /// A card in an unpowered slot, with a chip of configuration `cfg`.
    pub fn new(cfg: SimConfig) -> Self {
        Self {
            chip: SimChip::new(cfg),
            powered: false,
            dead_until_power_cycle: false,
            selected: false,
            ready: false,
            regs: regs::Cccr::default(),
            violations: Violations::default(),
            counters: CardCounters::default(),
            crc_next: false,
            timeout_next: false,
            reset_fail_next: false,
            irq_quiet_until_ns: 0,
            irq_withheld: false,
            seen_toggle_errors: 0,
            seen_malformed: 0,
            seen_no_room: 0,
            host_int_hi_written: false,
            wake: false,
            wake_since_ns: 0,
            now_ns: 0,
        }
    }

    /// The host drives the wake line (C: `wakeup-gpios`, spec §1.8) to `level` at card time
    /// `now_ns`. Returns whether the level changed (a `GPIO wake=` line in the bus trace).
    pub fn set_wake(&mut self, level: bool, now_ns: u64) -> bool {
        self.advance(now_ns);
        if self.wake == level {
            return false;
        }
        self.wake = level;
        self.counters.wake_edges += 1;
        if level {
            self.wake_since_ns = self.now_ns;
        }
        true
    }

    /// The wake line's level.
    pub fn wake(&self) -> bool {
        self.wake
    }

    /// Whether the MCU is awake: the line asserted for at least [`WAKE_SETTLE_NS`].
    fn mcu_awake(&self) -> bool {
        self.wake && self.now_ns.saturating_sub(self.wake_since_ns) >= WAKE_SETTLE_NS
    }

    /// A function-1 command reached a sleeping MCU: counted, and left unanswered.
    fn asleep(&mut self) -> CardError {
        self.violations.record(Rule::WakeAsserted);
        self.counters.asleep_unanswered += 1;
        CardError::Timeout
    }

    /// The chip behind function 1.
    pub fn chip(&mut self) -> &mut SimChip {
        &mut self.chip
    }

    /// Contract violations so far.
    pub fn violations(&self) -> &Violations {
        &self.violations
    }

    /// Card counters.
    pub fn counters(&self) -> CardCounters {
        self.counters
    }

    /// Powers the slot off (`false`) or up (`true`); a power-up is a cold start of the
    /// chip (back to its boot ROM) and of the SDIO interface. Returns whether this was a
    /// power-up from off (a `RESET` in the bus trace).
    pub fn set_power(&mut self, on: bool) -> bool {
        if !on {
            self.powered = false;
            return false;
        }
        if self.powered {
            return false;
        }
        self.powered = true;
        self.counters.power_ups += 1;
        self.regs = regs::Cccr::default();
        self.selected = false;
        self.ready = false;
        self.host_int_hi_written = false;
        self.dead_until_power_cycle = core::mem::take(&mut self.reset_fail_next);
        if self.dead_until_power_cycle {
            self.counters.faults_fired += 1;
            self.counters.fired.reset_failure += 1;
        }
        // A power cycle is a chip reset (spec §5.5): the chip model cannot fail it.
        let _ = self.chip.reset();
        true
    }

    /// Queues a fault (or, for [`CardFault::Hang`] and [`CardFault::LostIrq`], starts it).
    pub fn inject(&mut self, f: CardFault) {
        match f {
            CardFault::Chip(c) => self.chip.inject(c),
            CardFault::Crc => self.crc_next = true,
            CardFault::Timeout => self.timeout_next = true,
            CardFault::LostIrq { ms } => {
                self.irq_quiet_until_ns = self.chip.now_ns() + u64::from(ms) * 1_000_000;
                self.irq_withheld = false;
            }
            CardFault::ResetFailure => self.reset_fail_next = true,
            CardFault::Hang => {
                // Only a powered card can hang; the next power-up clears it.
                if self.powered && !self.dead_until_power_cycle {
                    self.dead_until_power_cycle = true;
                    self.counters.faults_fired += 1;
                    self.counters.fired.hang += 1;
                }
            }
        }
    }

    /// Moves the chip's clock to `now_ns` (card time).
    pub fn advance(&mut self, now_ns: u64) {
        self.now_ns = self.now_ns.max(now_ns);
        if self.powered {
            self.chip.advance(now_ns);
        }
    }

    /// Whether the card drives its SDIO interrupt: the chip's line, function 1's enable
    /// and the master enable in CCCR IEN, and no injected quiet period. An interrupt the
    /// quiet period withholds counts as the lost-interrupt fault having fired.
    pub fn irq_asserted(&mut self) -> bool {
        let line = self.powered
            && !self.dead_until_power_cycle
            && self.regs.ien & 0x03 == 0x03
            && self.regs.ioe & 0x02 != 0
            && self.chip.irq_pending();
        if !line {
            return false;
        }
        if self.chip.now_ns() < self.irq_quiet_until_ns {
            if !core::mem::replace(&mut self.irq_withheld, true) {
                self.counters.faults_fired += 1;
                self.counters.fired.lost_irq += 1;
            }
            return false;
        }
        true
    }

    /// A command without data. `Ok` carries the response word (`resp[0]`).
    ///
    /// # Errors
    ///
    /// [`CardError::Timeout`] when the card does not answer (unpowered, a command an SDIO-only
    /// card ignores, such as CMD8 or CMD55).
    pub fn command(&mut self, opcode: u32, arg: u32) -> Result<u32, CardError> {
        self.counters.commands += 1;
        if !self.powered {
            return Err(CardError::Timeout);
        }
        if self.dead_until_power_cycle && opcode != 0 {
            self.counters.unanswered += 1;
            return Err(CardError::Timeout);
        }
        match opcode {
            // GO_IDLE: the I/O part keeps its state; the card answers nothing.
            0 => {
                self.selected = false;
                Ok(0)
            }
            // IO_SEND_OP_COND (R4): ready, one function, no memory, 2.7-3.6 V.
            5 => {
                if arg & 0x00FF_FFFF != 0 {
                    self.ready = true;
                }
                Ok(1 << 31 | 1 << 28 | 0x00FF_8000)
            }
            // SEND_RELATIVE_ADDR (R6).
            3 if self.ready => Ok(u32::from(RCA) << 16),
            // SELECT/DESELECT_CARD.
            7 => {
                self.selected = arg >> 16 == u32::from(RCA);
                Ok(0)
            }
            // Function 1's registers belong to the MCU: asleep, it answers nothing.
            52 if self.ready && (arg >> 28) & 7 == 1 && !self.mcu_awake() => Err(self.asleep()),
            52 if self.ready => Ok(self.cmd52(arg)),
            _ => Err(CardError::Timeout),
        }
    }

    /// CMD52 (IO_RW_DIRECT): function 0 is the CCCR/FBR/CIS, function 1 the chip's
    /// registers (spec §1.4). Returns the R5 response.
    fn cmd52(&mut self, arg: u32) -> u32 {
        let write = arg & (1 << 31) != 0;
        let func = (arg >> 28) & 7;
        let raw = arg & (1 << 27) != 0;
        let addr = (arg >> 9) & 0x1_FFFF;
        let val = (arg & 0xFF) as u8;
        let data = match func {
            0 if write => {
                self.regs.write(addr, val);
                if raw {
                    self.regs.read(addr)
                } else {
                    val
                }
            }
            0 => self.regs.read(addr),
            1 => {
                if self.regs.ioe & 0x02 == 0 {
                    self.violations.record(Rule::FuncEnabled);
                    return r5::STATE_CMD | r5::ERROR;
                }
                match self.chip_reg(write, addr, val) {
                    Ok(v) => v,
                    Err(_) => return r5::STATE_CMD | r5::ERROR,
                }
            }
            _ => return r5::STATE_CMD | r5::FUNCTION_NUMBER,
        };
        r5::STATE_CMD | u32::from(data)
    }

    fn chip_reg(&mut self, write: bool, addr: u32, val: u8) -> Result<u8, BusError> {
        if !write {
            let v = self.chip.read_reg8(addr)?;
            if addr == crate::regs::RX_LEN_CTRL
                && self.chip.phase() == Phase::Firmware
                && usize::from(v & crate::regs::RX_LEN_UNITS_MASK) * crate::regs::RX_LEN_UNIT
                    > crate::regs::MAX_BURST
            {
                self.counters.rx_len_out_of_range += 1;
            }
            return Ok(v);
        }
        if self.chip.phase() == Phase::Firmware {
            match addr {
                crate::regs::HOST_INT_HI => self.host_int_hi_written = true,
                crate::regs::HOST_INT_LO if !core::mem::take(&mut self.host_int_hi_written) => {
                    // The firmware reads a stale high byte: the command is lost.
                    self.violations.record(Rule::HostIntOrder);
                    return Ok(val);
                }
                _ => {}
            }
        }
        self.chip.write_reg8(addr, val)?;
        Ok(val)
    }

    /// CMD53 (IO_RW_EXTENDED) with its data phase: `buf` holds `blksz * blocks` bytes
    /// (written by the host, or filled for a read). Returns the R5 response.
    ///
    /// # Errors
    ///
    /// [`CardError::Timeout`] or [`CardError::Crc`] for injected faults and an unpowered
    /// card; a contract violation is an R5 error response, not an `Err`.
    pub fn cmd53(
        &mut self,
        arg: u32,
        blksz: u32,
        blocks: u32,
        buf: &mut [u8],
    ) -> Result<u32, CardError> {
        self.counters.commands += 1;
        self.counters.cmd53 += 1;
        if self.powered && self.dead_until_power_cycle {
            self.counters.unanswered += 1;
        }
        if !self.powered || self.dead_until_power_cycle || !self.ready {
            return Err(CardError::Timeout);
        }
        if !self.mcu_awake() {
            return Err(self.asleep());
        }
        if core::mem::take(&mut self.timeout_next) {
            self.counters.faults_fired += 1;
            self.counters.fired.timeout += 1;
            return Err(CardError::Timeout);
        }
        if core::mem::take(&mut self.crc_next) {
            self.counters.faults_fired += 1;
            self.counters.fired.crc += 1;
            return Err(CardError::Crc);
        }
        let c = Cmd53::decode(arg, blksz, blocks);
        let phase = match self.chip.phase() {
            Phase::BootRom => BusPhase::Download,
            Phase::Firmware => BusPhase::Firmware,
        };
        let broken = if self.regs.ioe & 0x02 == 0 {
            Some(Rule::FuncEnabled)
        } else if self.regs.bus_if & 0x03 != 0x02 {
            Some(Rule::BusWidth4)
        } else {
            contract::check_cmd53(&c, phase)
        };
        let n = usize::try_from(c.bytes()).unwrap_or(usize::MAX);
        let Some(data) = buf.get_mut(..n) else {
            return Ok(r5::STATE_CMD | r5::OUT_OF_RANGE);
        };
        if let Some(rule) = broken {
            self.violations.record(rule);
            if !c.write {
                data.fill(0);
            }
            return Ok(r5::STATE_CMD | r5::ERROR);
        }
        let r = self.chip_data(&c, phase, data);
        self.collect_chip_violations();
        match r {
            Ok(()) => Ok(r5::STATE_CMD),
            Err(BusError::Crc) => Err(CardError::Crc),
            Err(BusError::Timeout) => Err(CardError::Timeout),
            Err(_) => Ok(r5::STATE_CMD | r5::ERROR),
        }
    }

    /// Passes a contract-conforming transfer to the chip: the download sees exactly the
    /// announced bytes (the padding of a block-mode transfer is not part of the frame);
    /// the firmware sees the whole data phase, as the engine's bus contract defines it.
    fn chip_data(&mut self, c: &Cmd53, phase: BusPhase, data: &mut [u8]) -> Result<(), BusError> {
        let len = usize::try_from(c.announced_len()).unwrap_or(usize::MAX);
        match (phase, c.write) {
            (BusPhase::Download, true) => {
                let frame = data.get(..len).ok_or(BusError::Io)?;
                self.chip.write_data(c.addr, frame)
            }
            (BusPhase::Download, false) => {
                let (head, pad) = data.split_at_mut(len.min(data.len()));
                pad.fill(0);
                self.chip.read_data(c.addr, head)
            }
            (BusPhase::Firmware, true) => self.chip.write_data(c.addr, data),
            (BusPhase::Firmware, false) => self.chip.read_data(c.addr, data),
        }
    }

    /// Turns the chip's own checks (toggle, TX layout) into contract violations.
    fn collect_chip_violations(&mut self) {
        let s = self.chip.counters();
        while self.seen_toggle_errors < s.toggle_errors {
            self.seen_toggle_errors += 1;
            self.violations.record(Rule::Toggle);
        }
        while self.seen_malformed < s.host_malformed {
            self.seen_malformed += 1;
            self.violations.record(Rule::TxLayout);
        }
        let room = self.chip.crypto_counters().tx_no_room;
        while self.seen_no_room < room {
            self.seen_no_room += 1;
            self.violations.record(Rule::TxCryptoRoom);
        }
        // WSM-level rules the firmware model checks (SDD, rate policies; issue 14).
        let fw = self.chip.take_fw_violations();
        self.violations.merge(&fw);
    }
}

#[cfg(test)]
mod tests;
