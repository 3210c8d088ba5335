// SPDX-License-Identifier: GPL-2.0-only
//! The simulated BES2600 boot ROM (spec §2.3-2.5): the download protocol the chip speaks
//! before any firmware runs, including the boot image's DPD calibration.
//!
//! The simulated chip routes its bus accesses here until [`BootRom::booted`] says the
//! stage-2 image was RUN. The model checks sequence numbers, addresses, lengths and the END
//! CRC the way the real ROM must, answers every frame with a REPLY, and has fault knobs
//! ([`Faults`]). It has no dependencies (its CRC-32 is a const table) so that the
//! firmware-loader tests can include this file directly.
//!
//! Status codes other than 0 are the model's own: the real ROM's codes are not documented
//! (spec §2.3 only says non-zero is an error).

/// Register: u16 LE reply length, low byte (spec §1.4).
pub const REG_REPLY_LEN_LO: u32 = 0x000;
/// Register: u16 LE reply length, high byte.
pub const REG_REPLY_LEN_HI: u32 = 0x001;
/// Register: free receive buffers (spec §1.4).
pub const REG_BUF_CNT: u32 = 0x108;
/// Register: u16 LE maximum frame length L, low byte (spec §1.4).
pub const REG_BUF_LEN_LO: u32 = 0x109;
/// Register: maximum frame length L, high byte.
pub const REG_BUF_LEN_HI: u32 = 0x10A;
/// Register: SLAVE_STATUS (spec §1.4).
pub const REG_SLAVE_STATUS: u32 = 0x10C;
/// SLAVE_STATUS bit 0: MCU_READY.
pub const MCU_READY: u8 = 1 << 0;
/// SLAVE_STATUS bit 1: DPD_READY.
pub const DPD_READY: u8 = 1 << 1;

/// Size of the DPD blob (spec §2.5).
pub const DPD_LEN: usize = 0x3B14;
/// Factory record address and size (spec §2.5 step 4).
pub const FACTORY_ADDR: u32 = 0x2008_B000;
/// Factory record size (spec §2.6).
pub const FACTORY_LEN: usize = 72;
/// DPD destination address (spec §2.5 step 5).
pub const DPD_ADDR: u32 = 0x2008_C000;
/// Entry word of the boot image; RUN of such an image starts DPD calibration (spec §2.2).
pub const ENTRY_BOOT: u32 = 0x0020_15D5;

/// RAM window the model accepts for memory sessions (not documented; wide on purpose).
pub const RAM: core::ops::Range<u32> = 0x2000_0000..0x2010_0000;
/// Register window the model accepts for 4-byte write_reg sessions.
pub const REGS: core::ops::Range<u32> = 0x4000_0000..0x5000_0000;
/// Largest session the model accepts (1 MiB).
pub const MAX_SESSION_LEN: u32 = 1 << 20;

/// Reply status codes of the model.
pub mod status {
    /// Accepted.
    pub const OK: u32 = 0;
    /// Sequence byte does not follow the previous one.
    pub const BAD_SEQ: u32 = 1;
    /// Address outside RAM/registers, or not contiguous.
    pub const BAD_ADDR: u32 = 2;
    /// Length field wrong, or session length exceeded/not reached.
    pub const BAD_LEN: u32 = 3;
    /// END CRC does not match the received data.
    pub const CRC_MISMATCH: u32 = 4;
    /// Message not valid in this state (DATA before INFO, RUN before END…).
    pub const BAD_STATE: u32 = 5;
    /// Unknown message type.
    pub const BAD_TYPE: u32 = 6;
    /// Frame longer than the advertised L.
    pub const TOO_LONG: u32 = 7;
    /// Error injected by [`super::Faults::error_reply`].
    pub const INJECTED: u32 = 0xEE;
}

const fn crc_table() -> [u32; 256] {
    let mut t = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
            k += 1;
        }
        t[i] = c;
        i += 1;
    }
    t
}
static CRC_TABLE: [u32; 256] = crc_table();

/// Incremental CRC-32 (zlib, spec §2.2): start with `!0`, feed, finish with `!state`.
pub fn crc32_update(mut state: u32, data: &[u8]) -> u32 {
    for &b in data {
        state = CRC_TABLE[usize::from((state as u8) ^ b)] ^ (state >> 8);
    }
    state
}

/// One-shot CRC-32 (zlib).
pub fn crc32(data: &[u8]) -> u32 {
    !crc32_update(!0, data)
}

/// Injected faults. Counters are consumed as they fire; a type of 0 matches any message.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Faults {
    /// The next N END frames are answered CRC_MISMATCH whatever their CRC.
    pub crc_mismatch: u8,
    /// The next N frames of type `error_reply_type` are answered [`status::INJECTED`].
    pub error_reply: u8,
    /// Message type for `error_reply` (0 = any).
    pub error_reply_type: u8,
    /// The next N frames of type `no_reply_type` get no reply and no IRQ.
    pub no_reply: u8,
    /// Message type for `no_reply` (0 = any).
    pub no_reply_type: u8,
    /// The next N replies echo a wrong sequence byte.
    pub wrong_seq: u8,
    /// The DPD blob's CRC word is wrong.
    pub dpd_bad_crc: bool,
    /// DPD_READY never comes.
    pub dpd_never_ready: bool,
    /// The DPD reply length register reports this instead of 0x3B14 (0 = correct).
    pub dpd_len_override: u16,
    /// The next N reads of the reply-length low byte (reg 0x000) return 0 although a
    /// reply is ready (a slow ROM; the host reads up to 5 times, spec §2.3 step 3).
    pub zero_reply_len_reads: u8,
}

/// Boot ROM configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    /// Maximum host→device frame length L (reg 0x109); not known for the real ROM (spec §9).
    pub max_frame_len: u16,
    /// Free buffers reported in reg 0x108.
    pub buf_count: u8,
    /// Time the boot image takes to calibrate before DPD_READY.
    pub calib_time_ns: u64,
    /// Seed for the DPD blob contents.
    pub dpd_seed: u32,
    /// Faults to inject.
    pub faults: Faults,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            max_frame_len: 4096,
            buf_count: 1,
            calib_time_ns: 2_000_000_000,
            dpd_seed: 0x5EED_0001,
            faults: Faults::default(),
        }
    }
}

/// Why the model refused a bus access (the real chip would NAK or time out).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RomError {
    /// The CMD53 write is shorter than max(frame, 512) or than a header.
    ShortWrite,
    /// A read when no reply is pending, or of the wrong length.
    NothingToRead,
    /// The ROM is no longer running (stage 2 booted) or is busy calibrating.
    NotListening,
}

/// What ran at the end of the boot-ROM phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Booted {
    /// The image's entry word (first word at its load address).
    pub entry: u32,
    /// The RUN address.
    pub exec_addr: u32,
    /// Whether a factory record with a valid CRC was written to 0x2008B000.
    pub factory_loaded: bool,
    /// Whether a DPD blob with a valid CRC was written to 0x2008C000.
    pub dpd_loaded: bool,
}

/// Counters for tests and the sim's debug output.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// Frames received.
    pub frames: u32,
    /// Replies with status OK.
    pub ok: u32,
    /// Replies with an error status.
    pub errors: u32,
    /// Frames dropped without a reply (fault).
    pub dropped: u32,
    /// Completed register writes.
    pub reg_writes: u32,
    /// Completed (END OK) memory sessions.
    pub sessions: u32,
    /// DPD blobs delivered.
    pub dpd_reads: u32,
    /// Bytes of DATA accepted.
    pub data_bytes: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Session {
    addr: u32,
    total: u32,
    received: u32,
    crc: u32,
    entry: u32,
    last_seq: u8,
    ended: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Rom,
    Calibrating { until_ns: u64 },
    DpdReady,
    Booted(Booted),
}

/// The boot ROM model. See the module docs.
pub struct BootRom {
    cfg: Config,
    state: State,
    now_ns: u64,
    sess: Option<Session>,
    reply: [u8; 8],
    reply_len: u16,
    irq: bool,
    dpd_out: [u8; DPD_LEN],
    factory: [u8; FACTORY_LEN],
    factory_ok: bool,
    dpd_in: [u8; DPD_LEN],
    dpd_ok: bool,
    regs: [(u32, u32); 4],
    nregs: usize,
    stats: Stats,
    hide_len: bool,
}

fn le32(b: &[u8], at: usize) -> Option<u32> {
    match b.get(at..at + 4)? {
        &[a, b1, c, d] => Some(u32::from_le_bytes([a, b1, c, d])),
        _ => None,
    }
}

impl BootRom {
    /// A ROM waiting for the first frame.
    pub fn new(cfg: Config) -> Self {
        BootRom {
            cfg,
            state: State::Rom,
            now_ns: 0,
            sess: None,
            reply: [0; 8],
            reply_len: 0,
            irq: false,
            dpd_out: [0; DPD_LEN],
            factory: [0; FACTORY_LEN],
            factory_ok: false,
            dpd_in: [0; DPD_LEN],
            dpd_ok: false,
            regs: [(0, 0); 4],
            nregs: 0,
            stats: Stats::default(),
            hide_len: false,
        }
    }

    /// Mutable access to the fault knobs (tests arm faults mid-run).
    pub fn faults_mut(&mut self) -> &mut Faults {
        &mut self.cfg.faults
    }

    /// Counters.
    pub fn stats(&self) -> Stats {
        self.stats
    }

    /// The factory record written to 0x2008B000, once a session there ended with a good CRC.
    pub fn factory(&self) -> Option<&[u8; FACTORY_LEN]> {
        self.factory_ok.then_some(&self.factory)
    }

    /// The DPD blob written to 0x2008C000, once a session there ended with a good CRC.
    pub fn dpd_written(&self) -> Option<&[u8; DPD_LEN]> {
        self.dpd_ok.then_some(&self.dpd_in)
    }

    /// The blob the boot image produced (valid after calibration).
    pub fn dpd_blob(&self) -> &[u8; DPD_LEN] {
        &self.dpd_out
    }

    /// Register writes received, in order (at most 4 kept).
    pub fn reg_writes(&self) -> &[(u32, u32)] {
        self.regs.get(..self.nregs).unwrap_or(&[])
    }

    /// `Some` once a non-boot image was RUN: the ROM phase is over.
    pub fn booted(&self) -> Option<Booted> {
        match self.state {
            State::Booted(b) => Some(b),
            _ => None,
        }
    }

    /// Whether the ROM raises the SDIO interrupt (a reply or the DPD blob is ready).
    pub fn irq_pending(&self) -> bool {
        self.irq
    }

    /// Moves the model's clock; finishes a calibration that is due.
    pub fn advance(&mut self, now_ns: u64) {
        self.now_ns = self.now_ns.max(now_ns);
        if let State::Calibrating { until_ns } = self.state {
            if self.now_ns >= until_ns && !self.cfg.faults.dpd_never_ready {
                self.make_dpd();
                self.state = State::DpdReady;
                self.reply_len = match self.cfg.faults.dpd_len_override {
                    0 => DPD_LEN as u16,
                    n => n,
                };
                self.irq = true;
            }
        }
    }

    /// CMD52 read of a function-1 register.
    pub fn read_reg8(&mut self, reg: u32) -> u8 {
        let [lo, hi] = self.cfg.max_frame_len.to_le_bytes();
        let [rlo, rhi] = self.reply_len.to_le_bytes();
        match reg {
            REG_REPLY_LEN_LO if self.cfg.faults.zero_reply_len_reads > 0 && self.reply_len > 0 => {
                self.cfg.faults.zero_reply_len_reads -= 1;
                // Both bytes read 0 for this poll: the high byte below follows suit.
                self.hide_len = true;
                0
            }
            REG_REPLY_LEN_HI if self.hide_len => {
                self.hide_len = false;
                0
            }
            REG_REPLY_LEN_LO => rlo,
            REG_REPLY_LEN_HI => rhi,
            REG_BUF_CNT => self.cfg.buf_count,
            REG_BUF_LEN_LO => lo,
            REG_BUF_LEN_HI => hi,
            REG_SLAVE_STATUS => match self.state {
                State::DpdReady => MCU_READY | DPD_READY,
                _ => MCU_READY,
            },
            _ => 0,
        }
    }

    /// CMD53 read of the pending reply or DPD blob; `buf` must have its exact length.
    ///
    /// # Errors
    ///
    /// [`RomError::NothingToRead`] when nothing is pending or the length differs.
    pub fn read(&mut self, buf: &mut [u8]) -> Result<(), RomError> {
        if self.reply_len == 0 || buf.len() != usize::from(self.reply_len) {
            return Err(RomError::NothingToRead);
        }
        match self.state {
            State::DpdReady => {
                let n = buf.len().min(DPD_LEN);
                buf[..n].copy_from_slice(&self.dpd_out[..n]);
                self.stats.dpd_reads += 1;
                // The boot image now takes downloads again, like the ROM (spec §2.5).
                self.state = State::Rom;
                self.sess = None;
            }
            _ => {
                let n = buf.len().min(self.reply.len());
                buf[..n].copy_from_slice(&self.reply[..n]);
            }
        }
        self.reply_len = 0;
        self.irq = false;
        Ok(())
    }

    /// One CMD53 host→device write carrying one frame (spec §2.3).
    ///
    /// # Errors
    ///
    /// See [`RomError`]; protocol errors are answered with a REPLY status instead.
    pub fn write(&mut self, buf: &[u8]) -> Result<(), RomError> {
        if !matches!(self.state, State::Rom) {
            return Err(RomError::NotListening);
        }
        let (ty, seq, len) = match buf {
            [t, s, l0, l1, ..] => (*t, *s, u16::from_le_bytes([*l0, *l1])),
            _ => return Err(RomError::ShortWrite),
        };
        let frame_len = 4 + usize::from(len);
        if buf.len() < frame_len.max(512) {
            return Err(RomError::ShortWrite);
        }
        self.stats.frames += 1;
        let f = &mut self.cfg.faults;
        if f.no_reply > 0 && (f.no_reply_type == 0 || f.no_reply_type == ty) {
            f.no_reply -= 1;
            self.stats.dropped += 1;
            return Ok(());
        }
        let payload = &buf[4..frame_len];
        let f = &mut self.cfg.faults;
        let st = if f.error_reply > 0 && (f.error_reply_type == 0 || f.error_reply_type == ty) {
            f.error_reply -= 1;
            // The frame is refused unseen; like any error it aborts the session.
            self.sess = None;
            status::INJECTED
        } else if frame_len > usize::from(self.cfg.max_frame_len) {
            status::TOO_LONG
        } else {
            self.handle(ty, seq, payload)
        };
        let mut echo = seq;
        if self.cfg.faults.wrong_seq > 0 {
            self.cfg.faults.wrong_seq -= 1;
            echo = seq.wrapping_add(0x55);
        }
        self.reply = [0xB0, echo, 4, 0, 0, 0, 0, 0];
        self.reply[4..8].copy_from_slice(&st.to_le_bytes());
        self.reply_len = 8;
        self.irq = true;
        if st == status::OK {
            self.stats.ok += 1;
        } else {
            self.stats.errors += 1;
        }
        Ok(())
    }

    fn handle(&mut self, ty: u8, seq: u8, p: &[u8]) -> u32 {
        match ty {
            0xB1 => self.info(seq, p),
            0xB2..=0xB4 => {
                let Some(s) = self.sess.as_mut() else {
                    return status::BAD_STATE;
                };
                if seq != s.last_seq.wrapping_add(1) {
                    self.sess = None;
                    return status::BAD_SEQ;
                }
                s.last_seq = seq;
                let st = match ty {
                    0xB2 => self.data(p),
                    0xB3 => self.end(p),
                    _ => self.run(p),
                };
                if st != status::OK {
                    self.sess = None;
                }
                st
            }
            _ => status::BAD_TYPE,
        }
    }

    fn info(&mut self, seq: u8, p: &[u8]) -> u32 {
        let (Some(total), Some(addr), 8) = (le32(p, 0), le32(p, 4), p.len()) else {
            return status::BAD_LEN;
        };
        let in_ram = RAM.contains(&addr) && addr.checked_add(total).is_some_and(|e| e <= RAM.end);
        let is_reg = REGS.contains(&addr) && total == 4;
        if total == 0 || total > MAX_SESSION_LEN {
            self.sess = None;
            return status::BAD_LEN;
        }
        if !in_ram && !is_reg {
            self.sess = None;
            return status::BAD_ADDR;
        }
        if addr == FACTORY_ADDR {
            self.factory_ok = false;
        }
        if addr == DPD_ADDR {
            self.dpd_ok = false;
        }
        // INFO opens a session with any seq: the host does not reset it on a retry
        // (spec errata 5); later frames must follow it one by one.
        self.sess = Some(Session {
            addr,
            total,
            received: 0,
            crc: !0,
            entry: 0,
            last_seq: seq,
            ended: false,
        });
        status::OK
    }

    fn data(&mut self, p: &[u8]) -> u32 {
        let Some(s) = self.sess.as_mut() else {
            return status::BAD_STATE;
        };
        let Some(addr) = le32(p, 0) else {
            return status::BAD_LEN;
        };
        let data = &p[4..];
        if s.ended || data.is_empty() {
            return status::BAD_STATE;
        }
        if Some(addr) != s.addr.checked_add(s.received) {
            return status::BAD_ADDR;
        }
        let Some(new_total) = u32::try_from(data.len())
            .ok()
            .and_then(|n| s.received.checked_add(n))
        else {
            return status::BAD_LEN;
        };
        if new_total > s.total {
            return status::BAD_LEN;
        }
        let off = s.received as usize;
        if off == 0 {
            s.entry = le32(data, 0).unwrap_or(0);
        }
        s.crc = crc32_update(s.crc, data);
        s.received = new_total;
        self.stats.data_bytes += data.len() as u64;
        let s = *s;
        if s.addr == FACTORY_ADDR {
            copy_at(&mut self.factory, off, data);
        } else if s.addr == DPD_ADDR {
            copy_at(&mut self.dpd_in, off, data);
        }
        if REGS.contains(&s.addr) {
            // write_reg has no END: one DATA completes it (spec §2.4).
            if self.nregs < self.regs.len() {
                self.regs[self.nregs] = (s.addr, le32(data, 0).unwrap_or(0));
                self.nregs += 1;
            }
            self.stats.reg_writes += 1;
            self.sess = None;
        }
        status::OK
    }

    fn end(&mut self, p: &[u8]) -> u32 {
        let (Some(s), Some(crc), 4) = (self.sess.as_mut(), le32(p, 0), p.len()) else {
            return status::BAD_LEN;
        };
        if s.ended {
            return status::BAD_STATE;
        }
        if s.received != s.total {
            return status::BAD_LEN;
        }
        if self.cfg.faults.crc_mismatch > 0 {
            self.cfg.faults.crc_mismatch -= 1;
            return status::CRC_MISMATCH;
        }
        if crc != !s.crc {
            return status::CRC_MISMATCH;
        }
        s.ended = true;
        self.stats.sessions += 1;
        let s = *s;
        if s.addr == FACTORY_ADDR && s.total as usize == FACTORY_LEN {
            // The record carries its own CRC over bytes 8..72 (spec §2.6).
            self.factory_ok = le32(&self.factory, 4) == Some(crc32(&self.factory[8..]));
        }
        if s.addr == DPD_ADDR && s.total as usize == DPD_LEN {
            self.dpd_ok = le32(&self.dpd_in, 0) == Some(crc32(&self.dpd_in[4..]));
        }
        status::OK
    }

    fn run(&mut self, p: &[u8]) -> u32 {
        let (Some(s), Some(exec), 4) = (self.sess, le32(p, 0), p.len()) else {
            return status::BAD_LEN;
        };
        if !s.ended {
            return status::BAD_STATE;
        }
        if exec != s.addr {
            return status::BAD_ADDR;
        }
        self.sess = None;
        if s.entry == ENTRY_BOOT {
            self.state = State::Calibrating {
                until_ns: self.now_ns.saturating_add(self.cfg.calib_time_ns),
            };
        } else {
            self.state = State::Booted(Booted {
                entry: s.entry,
                exec_addr: exec,
                factory_loaded: self.factory_ok,
                dpd_loaded: self.dpd_ok,
            });
        }
        status::OK
    }

    fn make_dpd(&mut self) {
        // A deterministic xorshift fill stands in for calibration results.
        let mut x = self.cfg.dpd_seed | 1;
        for b in self.dpd_out[4..].iter_mut() {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            *b = x as u8;
        }
        let mut c = crc32(&self.dpd_out[4..]);
        if self.cfg.faults.dpd_bad_crc {
            c ^= 0xFFFF;
        }
        self.dpd_out[..4].copy_from_slice(&c.to_le_bytes());
    }
}

fn copy_at(dst: &mut [u8], off: usize, src: &[u8]) {
    if let Some(d) = dst.get_mut(off..off + src.len()) {
        d.copy_from_slice(src);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(ty: u8, seq: u8, words: &[u32], data: &[u8]) -> [u8; 512] {
        let mut f = [0u8; 512];
        let len = (words.len() * 4 + data.len()) as u16;
        f[..4].copy_from_slice(&[ty, seq, len as u8, (len >> 8) as u8]);
        let mut at = 4;
        for w in words {
            f[at..at + 4].copy_from_slice(&w.to_le_bytes());
            at += 4;
        }
        f[at..at + data.len()].copy_from_slice(data);
        f
    }

    fn status_of(rom: &mut BootRom, seq: u8) -> u32 {
        assert!(rom.irq_pending());
        assert_eq!(rom.read_reg8(REG_REPLY_LEN_LO), 8);
        let mut r = [0u8; 8];
        rom.read(&mut r).unwrap();
        assert_eq!(r[..4], [0xB0, seq, 4, 0]);
        assert!(!rom.irq_pending());
        u32::from_le_bytes([r[4], r[5], r[6], r[7]])
    }

    fn load(rom: &mut BootRom, entry: u32, seq0: u8) {
        let mut img = [0u8; 64];
        img[..4].copy_from_slice(&entry.to_le_bytes());
        let a = 0x2000_0168;
        rom.write(&frame(0xB1, seq0, &[64, a], &[])).unwrap();
        assert_eq!(status_of(rom, seq0), 0);
        rom.write(&frame(0xB2, seq0 + 1, &[a], &img[..32])).unwrap();
        assert_eq!(status_of(rom, seq0 + 1), 0);
        rom.write(&frame(0xB2, seq0 + 2, &[a + 32], &img[32..]))
            .unwrap();
        assert_eq!(status_of(rom, seq0 + 2), 0);
        rom.write(&frame(0xB3, seq0 + 3, &[crc32(&img)], &[]))
            .unwrap();
        assert_eq!(status_of(rom, seq0 + 3), 0);
        rom.write(&frame(0xB4, seq0 + 4, &[a], &[])).unwrap();
        assert_eq!(status_of(rom, seq0 + 4), 0);
    }

    #[test]
    fn crc_matches_the_zlib_check_value() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    }

    #[test]
    fn registers_report_l_and_buffers() {
        let mut rom = BootRom::new(Config {
            max_frame_len: 0x1234,
            buf_count: 3,
            ..Config::default()
        });
        assert_eq!(rom.read_reg8(REG_BUF_CNT), 3);
        assert_eq!(rom.read_reg8(REG_BUF_LEN_LO), 0x34);
        assert_eq!(rom.read_reg8(REG_BUF_LEN_HI), 0x12);
        assert_eq!(rom.read_reg8(REG_SLAVE_STATUS), MCU_READY);
        assert!(!rom.irq_pending());
    }

    #[test]
    fn boot_image_calibrates_then_stage2_boots() {
        let mut rom = BootRom::new(Config::default());
        load(&mut rom, ENTRY_BOOT, 0);
        assert!(rom.booted().is_none());
        assert_eq!(rom.write(&[0; 512]), Err(RomError::NotListening));
        rom.advance(1_999_999_999);
        assert_eq!(rom.read_reg8(REG_SLAVE_STATUS) & DPD_READY, 0);
        rom.advance(2_000_000_000);
        assert_eq!(rom.read_reg8(REG_SLAVE_STATUS) & DPD_READY, DPD_READY);
        assert!(rom.irq_pending());
        let len = u16::from_le_bytes([rom.read_reg8(0), rom.read_reg8(1)]);
        assert_eq!(usize::from(len), DPD_LEN);
        let mut blob = [0u8; DPD_LEN];
        rom.read(&mut blob).unwrap();
        assert_eq!(le32(&blob, 0), Some(crc32(&blob[4..])));
        load(&mut rom, 0x0020_0769, 9);
        let b = rom.booted().unwrap();
        assert_eq!(
            (b.entry, b.exec_addr, b.dpd_loaded),
            (0x0020_0769, 0x2000_0168, false)
        );
    }

    #[test]
    fn validates_seq_addr_len_and_crc() {
        let mut rom = BootRom::new(Config::default());
        let a = 0x2000_0000;
        rom.write(&frame(0xB1, 0, &[8, a], &[])).unwrap();
        assert_eq!(status_of(&mut rom, 0), 0);
        rom.write(&frame(0xB2, 2, &[a], &[1, 2, 3, 4])).unwrap();
        assert_eq!(status_of(&mut rom, 2), status::BAD_SEQ);
        rom.write(&frame(0xB2, 3, &[a], &[1, 2, 3, 4])).unwrap();
        assert_eq!(status_of(&mut rom, 3), status::BAD_STATE);
        rom.write(&frame(0xB1, 4, &[8, a], &[])).unwrap();
        assert_eq!(status_of(&mut rom, 4), 0);
        rom.write(&frame(0xB2, 5, &[a + 4], &[1, 2, 3, 4])).unwrap();
        assert_eq!(status_of(&mut rom, 5), status::BAD_ADDR);
        rom.write(&frame(0xB1, 6, &[8, a], &[])).unwrap();
        assert_eq!(status_of(&mut rom, 6), 0);
        rom.write(&frame(0xB2, 7, &[a], &[0; 12])).unwrap();
        assert_eq!(status_of(&mut rom, 7), status::BAD_LEN);
        rom.write(&frame(0xB1, 8, &[8, a], &[])).unwrap();
        assert_eq!(status_of(&mut rom, 8), 0);
        rom.write(&frame(0xB2, 9, &[a], &[0; 8])).unwrap();
        assert_eq!(status_of(&mut rom, 9), 0);
        rom.write(&frame(0xB3, 10, &[crc32(&[0; 8]) ^ 1], &[]))
            .unwrap();
        assert_eq!(status_of(&mut rom, 10), status::CRC_MISMATCH);
        rom.write(&frame(0xB1, 11, &[8, 0x1000], &[])).unwrap();
        assert_eq!(status_of(&mut rom, 11), status::BAD_ADDR);
        assert_eq!(rom.write(&[0xB1, 0, 8, 0]), Err(RomError::ShortWrite));
        let mut small = BootRom::new(Config {
            max_frame_len: 16,
            ..Config::default()
        });
        small.write(&frame(0xB1, 0, &[8, a], &[])).unwrap();
        assert_eq!(status_of(&mut small, 0), 0);
        small.write(&frame(0xB2, 1, &[a], &[0; 12])).unwrap();
        assert_eq!(status_of(&mut small, 1), status::TOO_LONG);
    }

    #[test]
    fn register_writes_complete_after_one_data() {
        let mut rom = BootRom::new(Config::default());
        rom.write(&frame(0xB1, 0, &[4, 0x4010_0000], &[])).unwrap();
        assert_eq!(status_of(&mut rom, 0), 0);
        rom.write(&frame(
            0xB2,
            1,
            &[0x4010_0000],
            &0x0080_2006u32.to_le_bytes(),
        ))
        .unwrap();
        assert_eq!(status_of(&mut rom, 1), 0);
        assert_eq!(rom.reg_writes(), &[(0x4010_0000, 0x0080_2006)]);
    }

    #[test]
    fn faults_fire_and_are_consumed() {
        let mut rom = BootRom::new(Config::default());
        *rom.faults_mut() = Faults {
            no_reply: 1,
            no_reply_type: 0xB1,
            wrong_seq: 1,
            ..Faults::default()
        };
        rom.write(&frame(0xB1, 0, &[8, 0x2000_0000], &[])).unwrap();
        assert!(!rom.irq_pending());
        rom.write(&frame(0xB1, 1, &[8, 0x2000_0000], &[])).unwrap();
        let mut r = [0u8; 8];
        rom.read(&mut r).unwrap();
        assert_eq!(r[1], 1u8.wrapping_add(0x55));
        assert_eq!(rom.read(&mut r), Err(RomError::NothingToRead));
        assert_eq!(rom.stats().dropped, 1);
    }
}
