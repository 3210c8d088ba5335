//! The vendor driver's bus contract as the virtual card checks it: one [`Rule`] per
//! behaviour re-derived from `cringeops/bes2600` @ 123c432 (`C:file:line`, paths under
//! `bes2600/`), each with a counter.
//!
//! A rule that breaks makes the transfer fail the way the chip plausibly would (an R5
//! error response, so the MMC core returns `-EIO`), or makes the firmware drop what it got;
//! the counter names the rule. The full conformance table, with the rules derived but not
//! enforced, is in `driver/vsdio/README.md`.

/// One enforced rule of the bus contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Rule {
    /// Function 1 is enabled (CCCR IOE1) before the driver touches it: probe enables it
    /// before the download (C:bes2600_sdio.c:1858-1862).
    FuncEnabled = 0,
    /// Data transfers address function 1 (C:bes2600_sdio.c:204, 1015; probe ignores the
    /// other functions, C:bes2600_sdio.c:1818).
    Function1,
    /// CMD53 uses the incrementing address opcode (C:bes2600_sdio.c:205, 1016; the MMC
    /// core's `sdio_memcpy_*` on the byte-mode path).
    IncrementingAddress,
    /// A block-mode CMD53 carries 512-byte blocks: the MMC core default the driver never
    /// changes (C:bes2600_sdio.c:558-561, 224, 1030).
    BlockSize512,
    /// The data lines run 4 bits wide before any CMD53 (DT `bus-width = <4>`,
    /// C:rk3566-pinetab2.dtsi, spec §6.1).
    BusWidth4,
    /// A byte-mode CMD53 carries its own byte count in the address field, in the download
    /// too: the helper ignores its `addr` argument (C:bes2600_sdio.c:286-331, 340-352).
    ByteModeAddressIsLength,
    /// A block-mode CMD53 is the whole transfer: the address field holds the byte count and
    /// the block count covers it with less than one block of padding (C:bes2600_sdio.c:181-
    /// 183, 206, 221; TX C:bes2600_sdio.c:977-980, 1017, 1027). A split transfer (the MMC core's N blocks plus
    /// a byte-mode tail) breaks it.
    BlockModeWholeTransfer,
    /// Reads and download writes of 512 bytes or less go in byte mode
    /// (C:bes2600_sdio.c:181 `size > sdio_max_byte_size`, 286-331).
    ShortInByteMode,
    /// Wi-Fi TX writes go in block mode, even a single 512-byte slot (C:bes2600_sdio.c:977,
    /// 1027; spec errata 2).
    TxBlockMode,
    /// The toggle (address bit 16) is absent until the firmware runs
    /// (C:bes2600_sdio.c:208-218, 290-310) and alternates per direction after
    /// (C:bes2600_sdio.c:210-216, 294-306, 1020-1024), rolled back on error
    /// (C:bes2600_sdio.c:326-332, 1073).
    Toggle,
    /// HOST_INT commands write the high byte (0x121) before the low byte (0x120) that rings
    /// the doorbell (C:bes2600_sdio.c:1485-1494, 1653-1662).
    HostIntOrder,
    /// TX writes are whole slots the firmware accepts: slot code in the low two bits, at most
    /// 16 slots, only once Wi-Fi is activated (C:bes2600_sdio.c:1104-1188; C:bh.c:1134-1141).
    TxLayout,
    /// Function 1 is touched (CMD52 to its registers, CMD53) only while the host holds the
    /// wake line asserted, and not before 10 ms after it rose: probe asserts it before
    /// `sdio_enable_func` and sleeps 10 ms (C:bes2600_sdio.c:1858, 1378-1382), and the
    /// shipped build never deasserts it (C:bes2600_sdio.c:1415 passes `GPIOD_OUT_LOW`, a
    /// non-zero flags constant, as the value; spec errata 10). An asleep MCU answers nothing.
    WakeAsserted,
    /// Configuration 0x0009 carries a well-formed SDD: a version, sections closed by
    /// end-of-content, 4-byte rounded elements, a last section (C sends its static 832-byte
    /// SDD, C:Makefile:11, C:sta.c:1872-2030; spec errata 12). The firmware refuses the
    /// Configuration (status invalid parameter).
    ConfigurationSdd,
    /// A TX request names a rate policy the host uploaded (MIB 0x1016) since the last start
    /// or Reset (C:txrx.c:356-472, 844-887; spec §3.9, errata 13). The firmware fails the
    /// frame (TX confirm with status failure).
    TxPolicyUploaded,
    /// A TX request's maximum rate is a rate of its policy (C:txrx.c:859-862: `maxTxRate` is
    /// the policy's first rate). The firmware fails the frame.
    TxRateInPolicy,
    /// An encrypted TX frame (hardware key) carries IV room after the 802.11 header and
    /// ICV/MIC room at its tail, which the firmware fills (C:txrx.c:694-710, C:sta.c:933-934).
    /// The firmware fails the frame.
    TxCryptoRoom,
}

/// Number of enforced rules.
pub const RULES: usize = 17;

impl Rule {
    /// Every rule, in counter order.
    pub const ALL: [Rule; RULES] = [
        Rule::FuncEnabled,
        Rule::Function1,
        Rule::IncrementingAddress,
        Rule::BlockSize512,
        Rule::BusWidth4,
        Rule::ByteModeAddressIsLength,
        Rule::BlockModeWholeTransfer,
        Rule::ShortInByteMode,
        Rule::TxBlockMode,
        Rule::Toggle,
        Rule::HostIntOrder,
        Rule::TxLayout,
        Rule::WakeAsserted,
        Rule::ConfigurationSdd,
        Rule::TxPolicyUploaded,
        Rule::TxRateInPolicy,
        Rule::TxCryptoRoom,
    ];

    /// The counter's name (debugfs `contract`, the conformance table).
    pub fn name(self) -> &'static str {
        match self {
            Rule::FuncEnabled => "func_enabled",
            Rule::Function1 => "function_1",
            Rule::IncrementingAddress => "incrementing_address",
            Rule::BlockSize512 => "block_size_512",
            Rule::BusWidth4 => "bus_width_4",
            Rule::ByteModeAddressIsLength => "byte_mode_address_is_length",
            Rule::BlockModeWholeTransfer => "block_mode_whole_transfer",
            Rule::ShortInByteMode => "short_in_byte_mode",
            Rule::TxBlockMode => "tx_block_mode",
            Rule::Toggle => "toggle",
            Rule::HostIntOrder => "host_int_order",
            Rule::TxLayout => "tx_layout",
            Rule::WakeAsserted => "wake_asserted",
            Rule::ConfigurationSdd => "configuration_sdd",
            Rule::TxPolicyUploaded => "tx_policy_uploaded",
            Rule::TxRateInPolicy => "tx_rate_in_policy",
            Rule::TxCryptoRoom => "tx_crypto_room",
        }
    }
}

/// Violation counters, one per [`Rule`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Violations {
    counts: [u64; RULES],
}

impl Violations {
    /// Counts one violation of `rule`.
    pub fn record(&mut self, rule: Rule) {
        if let Some(c) = self.counts.get_mut(rule as usize) {
            *c = c.saturating_add(1);
        }
    }

    /// Violations of `rule` so far.
    pub fn get(&self, rule: Rule) -> u64 {
        self.counts.get(rule as usize).copied().unwrap_or(0)
    }

    /// Adds every count of `other` (violations the firmware model found, collected by the
    /// card).
    pub fn merge(&mut self, other: &Violations) {
        for (c, o) in self.counts.iter_mut().zip(other.counts.iter()) {
            *c = c.saturating_add(*o);
        }
    }

    /// Violations of all rules.
    pub fn total(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// `(rule, count)` for every rule.
    pub fn iter(&self) -> impl Iterator<Item = (Rule, u64)> + '_ {
        Rule::ALL.iter().map(|r| (*r, self.get(*r)))
    }
}

/// One CMD53 as the card received it (the argument decoded, the `mmc_data` shape).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cmd53 {
    /// Host → card.
    pub write: bool,
    /// Function number (bits 30-28).
    pub func: u8,
    /// Block mode (bit 27).
    pub block_mode: bool,
    /// Incrementing address (bit 26).
    pub incrementing: bool,
    /// The 17-bit register address (bits 25-9): on this chip a length and a toggle.
    pub addr: u32,
    /// Block size of the data phase.
    pub blksz: u32,
    /// Blocks of the data phase (1 in byte mode).
    pub blocks: u32,
}

/// The address field's toggle bit (spec §1.3).
pub const ADDR_TOGGLE: u32 = 1 << 16;
/// The address field's length bits (spec §1.3).
pub const ADDR_LEN_MASK: u32 = 0xFFFF;
/// SDIO block size the contract expects (spec §1.2).
pub const BLOCK: u32 = 512;

impl Cmd53 {
    /// Decodes a CMD53 argument with the data phase's shape.
    pub fn decode(arg: u32, blksz: u32, blocks: u32) -> Self {
        Self {
            write: arg & (1 << 31) != 0,
            func: ((arg >> 28) & 7) as u8,
            block_mode: arg & (1 << 27) != 0,
            incrementing: arg & (1 << 26) != 0,
            addr: (arg >> 9) & 0x1_FFFF,
            blksz,
            blocks,
        }
    }

    /// Bytes moved on the data lines.
    pub fn bytes(&self) -> u32 {
        self.blksz.saturating_mul(self.blocks)
    }

    /// The transfer length the address field announces (TX: the slot code's bits masked).
    pub fn announced_len(&self) -> u32 {
        self.addr & ADDR_LEN_MASK
    }
}

/// Which program owns the bus, for the rules that differ between the two.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BusPhase {
    /// The boot ROM or boot image: download frames, replies, the DPD read.
    Download,
    /// The WSM firmware: RX bursts and TX slots with toggles.
    Firmware,
}

/// Checks the shape rules of one CMD53 (everything but the toggle and the TX layout, which
/// the chip model itself checks). Returns the first rule broken.
pub fn check_cmd53(c: &Cmd53, phase: BusPhase) -> Option<Rule> {
    if c.func != 1 {
        return Some(Rule::Function1);
    }
    if !c.incrementing {
        return Some(Rule::IncrementingAddress);
    }
    if phase == BusPhase::Download && c.addr & ADDR_TOGGLE != 0 {
        return Some(Rule::Toggle);
    }
    let len = if phase == BusPhase::Firmware && c.write {
        // TX: the low two bits carry the slot code (C:bes2600_sdio.c:1159).
        c.announced_len() & !3
    } else {
        c.announced_len()
    };
    let tx = phase == BusPhase::Firmware && c.write;
    if c.block_mode {
        if c.blksz != BLOCK {
            return Some(Rule::BlockSize512);
        }
        if len == 0 || len > c.bytes() || c.bytes() - len >= BLOCK {
            return Some(Rule::BlockModeWholeTransfer);
        }
        if !tx && len <= BLOCK {
            return Some(Rule::ShortInByteMode);
        }
    } else {
        if tx {
            return Some(Rule::TxBlockMode);
        }
        if len != c.bytes() {
            return Some(Rule::ByteModeAddressIsLength);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arg(write: bool, block: bool, addr: u32, count: u32) -> u32 {
        u32::from(write) << 31 | 1 << 28 | u32::from(block) << 27 | 1 << 26 | addr << 9 | count
    }

    #[test]
    fn vendor_shapes_pass() {
        // Download frame of 512 bytes: byte mode, address 512 (count 0 encodes 512).
        let c = Cmd53::decode(arg(true, false, 512, 0), 512, 1);
        assert_eq!(check_cmd53(&c, BusPhase::Download), None);
        // DPD read: one 30-block CMD53 with address 0x3B14.
        let c = Cmd53::decode(arg(false, true, 0x3B14, 30), 512, 30);
        assert_eq!(check_cmd53(&c, BusPhase::Download), None);
        // One TX slot, block mode, toggle set.
        let c = Cmd53::decode(arg(true, true, 512 | ADDR_TOGGLE, 1), 512, 1);
        assert_eq!(check_cmd53(&c, BusPhase::Firmware), None);
        // One 1024-byte RX burst.
        let c = Cmd53::decode(arg(false, true, 1024, 2), 512, 2);
        assert_eq!(check_cmd53(&c, BusPhase::Firmware), None);
    }

    #[test]
    fn issue_14_mismatches_are_caught() {
        // Address 0 during the download.
        let c = Cmd53::decode(arg(true, false, 0, 0), 512, 1);
        assert_eq!(
            check_cmd53(&c, BusPhase::Download),
            Some(Rule::ByteModeAddressIsLength)
        );
        // The MMC core's split of the DPD read: 29 blocks for 0x3B14 bytes.
        let c = Cmd53::decode(arg(false, true, 0x3B14, 29), 512, 29);
        assert_eq!(
            check_cmd53(&c, BusPhase::Download),
            Some(Rule::BlockModeWholeTransfer)
        );
        // A 512-byte TX slot in byte mode.
        let c = Cmd53::decode(arg(true, false, 512, 0), 512, 1);
        assert_eq!(check_cmd53(&c, BusPhase::Firmware), Some(Rule::TxBlockMode));
        // A toggle during the download.
        let c = Cmd53::decode(arg(false, false, 8 | ADDR_TOGGLE, 8), 8, 1);
        assert_eq!(check_cmd53(&c, BusPhase::Download), Some(Rule::Toggle));
    }

    #[test]
    fn counters_add_up() {
        let mut v = Violations::default();
        v.record(Rule::Toggle);
        v.record(Rule::Toggle);
        v.record(Rule::TxLayout);
        assert_eq!(v.get(Rule::Toggle), 2);
        assert_eq!(v.total(), 3);
        assert_eq!(v.iter().count(), RULES);
        let mut w = Violations::default();
        w.record(Rule::TxPolicyUploaded);
        v.merge(&w);
        v.merge(&w);
        assert_eq!(v.get(Rule::TxPolicyUploaded), 2);
        assert_eq!(v.total(), 5);
    }
}
