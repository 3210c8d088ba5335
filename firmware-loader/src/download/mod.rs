// SPDX-License-Identifier: GPL-2.0-only
//! The boot-ROM bring-up (spec §2.3-2.5, §2.7) as a sans-IO state machine.
//!
//! The driver owns the bus and the clock. It calls [`Loader::start`] once and then, for each
//! returned [`Action`], performs it and feeds the result back with [`Loader::step`] until it
//! gets [`Action::Done`] or [`Action::Failed`]:
//!
//! ```text
//! ReadRxBufInfo   -> read reg 0x108 (u8) and u16 LE 0x109/0x10A  -> Event::RxBufInfo
//! Send { len }    -> CMD53 write of loader.frame()[..len]        -> Event::Sent
//! Sleep { until } -> sleep until the time                        -> Event::Slept
//! WaitIrq { deadline } -> wait for the SDIO IRQ                   -> Event::Irq / Event::Timeout
//! ReadReplyLen    -> read u16 LE at reg 0x000/0x001               -> Event::ReplyLen
//! ReadReply { len } -> CMD53 read of len bytes                    -> Event::Reply(&bytes)
//! ReadSlaveStatus -> read reg 0x10C                               -> Event::SlaveStatus
//! any failed bus access                                           -> Event::BusError
//! ```
//!
//! [`drive`] is that loop, once, over a [`Port`]: every user (the kernel module, the
//! simulator harness, the tests) brings the chip up through it.
//!
//! The sequence is: two register writes whose errors are ignored (spec §2.5 step 3),
//! factory data to 0x2008B000 (step 4), then by mode (step 5): btrf image only; or the
//! cached DPD to 0x2008C000 and the stage-2 image; or the boot image, the DPD wait and
//! read-back, the DPD to 0x2008C000 and the stage-2 image.
//!
//! A DPD blob that fails its CRC, or comes back short, is calibrated again with a fresh
//! download of the boot image, up to [`Config::dpd_calibrations`] runs in all. The vendor
//! driver gives up at once (C:bes_fw.c:969-978); after the read-back the boot image takes
//! downloads like the ROM does, which is how C sends the stage-2 image next
//! (C:bes_fw.c:995-999), so the boot image can be sent to it again without a reset. A DPD
//! that never becomes ready, or a failed read, leaves the chip in an unknown state: those
//! still end the bring-up, and the chip needs a reset.

use crate::crc::Crc32;
use crate::image::{EntryClass, Kind};
use crate::proto;

mod drive;
mod frame;
mod types;
pub use drive::{drive, BusFault, DriveError, Port};
pub use types::*;

/// Function-1 register: free receive buffers in the boot ROM (spec §1.4).
pub const REG_SLAVE_RX_BUF_CNT: u32 = 0x108;
/// Function-1 register: u16 LE maximum host→device frame length L (spec §1.4).
pub const REG_SLAVE_RX_BUF_LEN: u32 = 0x109;
/// Function-1 register: u16 LE length of the reply the boot ROM has ready (spec §1.4).
pub const REG_REPLY_LEN: u32 = 0x000;
/// Function-1 register: SLAVE_STATUS (spec §1.4).
pub const REG_SLAVE_STATUS: u32 = 0x10C;
/// SLAVE_STATUS bit 1: the DPD calibration blob is ready (spec §1.4).
pub const SLAVE_STATUS_DPD_READY: u8 = 1 << 1;

/// Where the factory calibration record goes (spec §2.5 step 4).
pub const FACTORY_ADDR: u32 = 0x2008_B000;
/// Where the DPD blob goes before the stage-2 image (spec §2.5 step 5).
pub const DPD_ADDR: u32 = 0x2008_C000;
/// Size of the DPD blob (`DPD_BIN_SIZE`, spec §2.5).
pub const DPD_LEN: usize = 0x3B14;
/// The two undocumented pre-download register writes (spec §2.5 step 3, §9).
pub const PRE_DOWNLOAD_REGS: [(u32, u32); 2] =
    [(0x4010_0000, 0x0080_2006), (0x4008_602C, 0x3E00_C000)];
/// Longest reply we accept outside the DPD read; a REPLY is 8 bytes (spec §2.3).
pub const MAX_REPLY_LEN: u16 = 64;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Reg(u8),
    Factory,
    Boot,
    DpdRead,
    DpdWrite,
    Stage2,
}

impl Op {
    fn stage(self) -> Stage {
        match self {
            Op::Reg(_) => Stage::RegWrite,
            Op::Factory => Stage::Factory,
            Op::Boot => Stage::BootImage,
            Op::DpdRead => Stage::DpdCalibration,
            Op::DpdWrite => Stage::DpdWrite,
            Op::Stage2 => Stage::Stage2Image,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Next {
    Info,
    Data,
    End,
    Run,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    BufInfo { since_ns: u64 },
    BufSleep { since_ns: u64 },
    Sending,
    PreReply,
    Irq,
    ReplyLen { reads: u8 },
    Reply,
    PostRun,
    DpdStatus { deadline_ns: u64 },
    DpdSleep { deadline_ns: u64 },
    DpdIrq,
    DpdLen { reads: u8 },
    DpdData,
    Over,
}

/// One download/write_mem/write_reg session (spec §2.4).
#[derive(Debug, Clone, Copy)]
struct Session {
    op: Op,
    addr: u32,
    total: usize,
    crc: u32,
    seq: u8,
    sent_seq: u8,
    next: Next,
    offset: usize,
    chunk: usize,
    attempt: u8,
    got_buf_info: bool,
}

const MAX_OPS: usize = 7;

/// The bring-up state machine. See the module docs for the driving loop.
pub struct Loader<'a, C: Crc32> {
    crc: C,
    cfg: Config,
    fw: Firmware<'a>,
    tx: &'a mut [u8],
    dpd: &'a mut [u8],
    plan: [Op; MAX_OPS],
    plan_len: usize,
    plan_idx: usize,
    sess: Session,
    phase: Phase,
    frame_len: usize,
    out: Outcome,
    end: Option<Action>,
    /// Boot-image runs whose DPD read-back began.
    calibrations: u8,
}

impl<'a, C: Crc32> Loader<'a, C> {
    /// Prepares a bring-up.
    ///
    /// `tx` holds one frame (32 KiB like C is plenty; at least 512 bytes); the chunk size is
    /// `min(L, tx.len() rounded down to 512-byte blocks) - 8`. `dpd` (at least [`DPD_LEN`] bytes) is the DPD cache: when
    /// `dpd_cached` it is sent as is; otherwise a fresh blob is read into it.
    ///
    /// # Errors
    ///
    /// See [`SetupError`].
    pub fn new(
        crc: C,
        cfg: Config,
        mode: Mode,
        fw: Firmware<'a>,
        tx: &'a mut [u8],
        dpd: &'a mut [u8],
        dpd_cached: bool,
    ) -> Result<Self, SetupError> {
        if tx.len() < proto::MIN_WRITE_LEN {
            return Err(SetupError::TxBufferTooSmall(tx.len()));
        }
        if dpd.len() < DPD_LEN && mode != Mode::Btrf {
            return Err(SetupError::DpdBufferTooSmall(dpd.len()));
        }
        if cfg.attempts == 0 || cfg.dpd_calibrations == 0 {
            return Err(SetupError::NoAttempts);
        }
        if let Some(f) = fw.factory {
            if f.len() != crate::calib::RECORD_LEN {
                return Err(SetupError::BadFactoryLen(f.len()));
            }
        }
        if !mode.stage2().matches(fw.stage2.entry_class()) {
            return Err(SetupError::WrongImage(mode.stage2()));
        }
        let mut plan = [Op::Stage2; MAX_OPS];
        let mut n = 0;
        let mut push = |op| {
            plan[n] = op;
            n += 1;
        };
        push(Op::Reg(0));
        push(Op::Reg(1));
        if fw.factory.is_some() {
            push(Op::Factory);
        }
        match (mode, dpd_cached) {
            (Mode::Btrf, _) => {}
            (_, true) => push(Op::DpdWrite),
            (_, false) => {
                let boot = fw.boot.ok_or(SetupError::MissingBootImage)?;
                if boot.entry_class() != EntryClass::Boot
                    && boot.entry_class() != EntryClass::Unknown
                {
                    return Err(SetupError::WrongImage(Kind::Boot));
                }
                push(Op::Boot);
                push(Op::DpdRead);
                push(Op::DpdWrite);
            }
        }
        push(Op::Stage2);
        let dpd_src = match (mode, dpd_cached) {
            (Mode::Btrf, _) => DpdSource::None,
            (_, true) => DpdSource::Cached,
            (_, false) => DpdSource::Fresh,
        };
        Ok(Loader {
            crc,
            cfg,
            fw,
            tx,
            dpd,
            plan,
            plan_len: n,
            plan_idx: 0,
            sess: Session {
                op: Op::Reg(0),
                addr: 0,
                total: 0,
                crc: 0,
                seq: 0,
                sent_seq: 0,
                next: Next::Info,
                offset: 0,
                chunk: 0,
                attempt: 1,
                got_buf_info: false,
            },
            phase: Phase::Over,
            frame_len: 0,
            out: Outcome {
                dpd: dpd_src,
                factory_sent: false,
                frames_sent: 0,
                retries: 0,
                reg_write_failures: 0,
                buf_count_zero: 0,
                max_frame_len: 0,
                buf_count: 0,
                dpd_retries: 0,
            },
            end: None,
            calibrations: 0,
        })
    }

    /// Starts the bring-up at monotonic time `now_ns`; returns the first action.
    pub fn start(&mut self, now_ns: u64) -> Action {
        self.plan_idx = 0;
        self.begin_op(now_ns)
    }

    /// The frame to write for the last [`Action::Send`].
    pub fn frame(&self) -> &[u8] {
        self.tx.get(..self.frame_len).unwrap_or(&[])
    }

    /// The DPD cache buffer (valid after a bring-up whose outcome says `Fresh` or `Cached`).
    pub fn dpd(&self) -> &[u8] {
        self.dpd.get(..DPD_LEN).unwrap_or(&[])
    }

    /// The stage the loader is in now.
    pub fn stage(&self) -> Stage {
        self.sess.op.stage()
    }

    /// Feeds the result of the last action at time `now_ns`; returns the next action.
    pub fn step(&mut self, now_ns: u64, ev: Event<'_>) -> Action {
        if let Some(end) = self.end {
            return end;
        }
        match (self.phase, ev) {
            (Phase::BufInfo { since_ns }, Event::RxBufInfo { count, max_len }) => {
                self.sess.got_buf_info = true;
                self.out.buf_count = count;
                self.out.max_frame_len = max_len;
                if count == 0 {
                    if now_ns.saturating_sub(since_ns) < self.cfg.buf_poll_timeout_ns {
                        self.phase = Phase::BufSleep { since_ns };
                        return Action::Sleep {
                            until_ns: now_ns.saturating_add(self.cfg.buf_poll_ns),
                        };
                    }
                    self.out.buf_count_zero += 1;
                }
                self.send(now_ns, max_len)
            }
            (Phase::BufSleep { since_ns }, Event::Slept) => {
                self.phase = Phase::BufInfo { since_ns };
                Action::ReadRxBufInfo
            }
            (Phase::BufInfo { .. }, Event::BusError)
                if !self.sess.got_buf_info && self.sess.attempt == 1 =>
            {
                // The first buffer-info read of a session is not retried (spec errata 5).
                self.fatal(Cause::Bus)
            }
            (Phase::Sending, Event::Sent) => {
                self.out.frames_sent += 1;
                self.phase = Phase::PreReply;
                Action::Sleep {
                    until_ns: now_ns.saturating_add(self.cfg.pre_reply_sleep_ns),
                }
            }
            (Phase::PreReply, Event::Slept) => {
                self.phase = Phase::Irq;
                Action::WaitIrq {
                    deadline_ns: now_ns.saturating_add(self.cfg.reply_timeout_ns),
                }
            }
            (Phase::Irq, Event::Irq) => {
                self.phase = Phase::ReplyLen { reads: 1 };
                Action::ReadReplyLen
            }
            (Phase::Irq, Event::Timeout) => self.fail(now_ns, Cause::Timeout),
            (Phase::ReplyLen { reads }, Event::ReplyLen(0)) => {
                if reads < self.cfg.reply_len_reads {
                    self.phase = Phase::ReplyLen { reads: reads + 1 };
                    Action::ReadReplyLen
                } else {
                    self.fail(now_ns, Cause::NoReplyLength)
                }
            }
            (Phase::ReplyLen { .. }, Event::ReplyLen(n)) => {
                if n > MAX_REPLY_LEN {
                    return self.fail(now_ns, Cause::ReplyTooLong(n));
                }
                self.phase = Phase::Reply;
                Action::ReadReply {
                    len: usize::from(n),
                }
            }
            (Phase::Reply, Event::Reply(bytes)) => {
                match proto::check_reply(bytes, self.sess.sent_seq) {
                    Ok(()) => self.advance(now_ns),
                    Err(e) => self.fail(now_ns, Cause::Reply(e)),
                }
            }
            (Phase::PostRun, Event::Slept) => self.finish_op(now_ns),
            (Phase::DpdStatus { deadline_ns }, ev @ (Event::SlaveStatus(_) | Event::BusError)) => {
                if let Event::SlaveStatus(s) = ev {
                    if s & SLAVE_STATUS_DPD_READY != 0 {
                        self.phase = Phase::DpdIrq;
                        return Action::WaitIrq {
                            deadline_ns: now_ns.saturating_add(self.cfg.reply_timeout_ns),
                        };
                    }
                }
                // Read errors while the chip calibrates are tolerated (spec §2.5).
                if now_ns >= deadline_ns {
                    return self.fatal(Cause::DpdTimeout);
                }
                self.phase = Phase::DpdSleep { deadline_ns };
                Action::Sleep {
                    until_ns: now_ns.saturating_add(self.cfg.dpd_poll_ns),
                }
            }
            (Phase::DpdSleep { deadline_ns }, Event::Slept) => {
                self.phase = Phase::DpdStatus { deadline_ns };
                Action::ReadSlaveStatus
            }
            (Phase::DpdIrq, Event::Irq) => {
                self.phase = Phase::DpdLen { reads: 1 };
                Action::ReadReplyLen
            }
            (Phase::DpdIrq, Event::Timeout) => self.fatal(Cause::Timeout),
            (Phase::DpdLen { reads }, Event::ReplyLen(0)) if reads < self.cfg.reply_len_reads => {
                self.phase = Phase::DpdLen { reads: reads + 1 };
                Action::ReadReplyLen
            }
            (Phase::DpdLen { .. }, Event::ReplyLen(n)) => {
                if usize::from(n) != DPD_LEN {
                    return self.fatal(Cause::DpdLength(n));
                }
                self.phase = Phase::DpdData;
                Action::ReadReply { len: DPD_LEN }
            }
            (Phase::DpdData, Event::Reply(bytes)) => self.take_dpd(now_ns, bytes),
            (Phase::Over, _) => self.fatal(Cause::UnexpectedEvent),
            (_, Event::BusError) => self.fail(now_ns, Cause::Bus),
            _ => self.fatal(Cause::UnexpectedEvent),
        }
    }

    fn take_dpd(&mut self, now_ns: u64, bytes: &[u8]) -> Action {
        let Some(blob) = bytes.get(..DPD_LEN).filter(|_| bytes.len() == DPD_LEN) else {
            return self.recalibrate(now_ns, Cause::ShortReply(bytes.len()));
        };
        let (head, rest) = blob.split_at(4);
        let stored = u32::from_le_bytes([head[0], head[1], head[2], head[3]]);
        let computed = self.crc.crc32(rest);
        if stored != computed {
            return self.recalibrate(now_ns, Cause::DpdCrc { stored, computed });
        }
        if let Some(dst) = self.dpd.get_mut(..DPD_LEN) {
            dst.copy_from_slice(blob);
        }
        self.finish_op(now_ns)
    }

    /// The DPD blob came back but is unusable: download the boot image again so it
    /// calibrates afresh, while [`Config::dpd_calibrations`] allows (see the module docs).
    fn recalibrate(&mut self, now_ns: u64, cause: Cause) -> Action {
        let boot_before = self
            .plan_idx
            .checked_sub(1)
            .and_then(|i| self.plan.get(i))
            .is_some_and(|op| *op == Op::Boot);
        if !boot_before || self.calibrations >= self.cfg.dpd_calibrations {
            return self.fatal(cause);
        }
        self.out.dpd_retries = self.out.dpd_retries.saturating_add(1);
        self.out.retries += 1;
        self.plan_idx -= 1;
        self.begin_op(now_ns)
    }

    fn data_of(&self, op: Op) -> &[u8] {
        match op {
            Op::Reg(_) => &[],
            Op::Factory => self.fw.factory.unwrap_or(&[]),
            Op::Boot => self.fw.boot.map(|b| b.code()).unwrap_or(&[]),
            Op::DpdRead => &[],
            Op::DpdWrite => self.dpd.get(..DPD_LEN).unwrap_or(&[]),
            Op::Stage2 => self.fw.stage2.code(),
        }
    }

    fn begin_op(&mut self, now_ns: u64) -> Action {
        let Some(&op) = self
            .plan
            .get(self.plan_idx)
            .filter(|_| self.plan_idx < self.plan_len)
        else {
            self.phase = Phase::Over;
            let done = Action::Done(self.out);
            self.end = Some(done);
            return done;
        };
        let (addr, total) = match op {
            Op::Reg(i) => (PRE_DOWNLOAD_REGS[usize::from(i & 1)].0, 4),
            Op::Factory => (FACTORY_ADDR, self.data_of(op).len()),
            Op::Boot => (
                self.fw.boot.map(|b| b.load_addr()).unwrap_or(0),
                self.data_of(op).len(),
            ),
            Op::DpdRead => (0, 0),
            Op::DpdWrite => (DPD_ADDR, DPD_LEN),
            Op::Stage2 => (self.fw.stage2.load_addr(), self.data_of(op).len()),
        };
        let crc = match op {
            Op::Boot => self.fw.boot.map(|b| b.crc()).unwrap_or(0),
            Op::Stage2 => self.fw.stage2.crc(),
            Op::Factory | Op::DpdWrite => self.crc.crc32(self.data_of(op)),
            Op::Reg(_) | Op::DpdRead => 0,
        };
        self.sess = Session {
            op,
            addr,
            total,
            crc,
            // Each download/write_mem/write_reg call starts at seq 0 (spec §2.3).
            seq: 0,
            sent_seq: 0,
            next: Next::Info,
            offset: 0,
            chunk: 0,
            attempt: 1,
            got_buf_info: false,
        };
        if op == Op::DpdRead {
            self.calibrations = self.calibrations.saturating_add(1);
            // Errors at this stage report the calibration runs as their attempts.
            self.sess.attempt = self.calibrations;
            self.phase = Phase::DpdStatus {
                deadline_ns: now_ns.saturating_add(self.cfg.dpd_timeout_ns),
            };
            return Action::ReadSlaveStatus;
        }
        self.phase = Phase::BufInfo { since_ns: now_ns };
        Action::ReadRxBufInfo
    }

    fn finish_op(&mut self, now_ns: u64) -> Action {
        if self.sess.op == Op::Factory {
            self.out.factory_sent = true;
        }
        self.plan_idx += 1;
        self.begin_op(now_ns)
    }

    /// The reply to the current frame was good: move to the next frame or op.
    fn advance(&mut self, now_ns: u64) -> Action {
        let s = &mut self.sess;
        match s.next {
            Next::Info => s.next = Next::Data,
            Next::Data => {
                s.offset += s.chunk;
                if matches!(s.op, Op::Reg(_)) {
                    // write_reg ends after its single DATA (spec §2.4).
                    return self.finish_op(now_ns);
                }
                if s.offset >= s.total {
                    s.next = Next::End;
                }
            }
            Next::End => {
                if matches!(s.op, Op::Boot | Op::Stage2) {
                    s.next = Next::Run;
                } else {
                    return self.finish_op(now_ns);
                }
            }
            Next::Run => {
                self.phase = Phase::PostRun;
                return Action::Sleep {
                    until_ns: now_ns.saturating_add(self.cfg.post_run_sleep_ns),
                };
            }
        }
        self.phase = Phase::BufInfo { since_ns: now_ns };
        Action::ReadRxBufInfo
    }

    /// One attempt failed: retry the session if allowed, else give up.
    fn fail(&mut self, now_ns: u64, cause: Cause) -> Action {
        let op = self.sess.op;
        if let Op::Reg(_) = op {
            // Errors of the two pre-download writes are ignored (spec §2.5 step 3).
            self.out.reg_write_failures = self.out.reg_write_failures.saturating_add(1);
            return self.finish_op(now_ns);
        }
        // The DPD read-back sends no frames; the calibrated chip cannot be asked again, so a
        // failure there ends the bring-up (a reset and a fresh boot image are needed).
        if self.sess.attempt < self.cfg.attempts && op != Op::DpdRead {
            self.sess.attempt += 1;
            self.out.retries += 1;
            // The sequence byte is not reset on a retry (spec errata 5).
            self.sess.next = Next::Info;
            self.sess.offset = 0;
            self.phase = Phase::BufInfo { since_ns: now_ns };
            return Action::ReadRxBufInfo;
        }
        self.fatal(cause)
    }

    fn fatal(&mut self, cause: Cause) -> Action {
        self.phase = Phase::Over;
        let a = Action::Failed(Error {
            stage: self.sess.op.stage(),
            cause,
            attempts: self.sess.attempt,
        });
        self.end = Some(a);
        a
    }
}
