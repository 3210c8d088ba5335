// SPDX-License-Identifier: GPL-2.0-only
//! The loader's public vocabulary: mode, timing, inputs, events, actions, outcome, errors.

use crate::image::{Image, Kind};
use crate::proto::ReplyError;

const MS: u64 = 1_000_000;

/// Which firmware to bring up (`fw_type`, spec §2.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `fw_type` 0: normal Wi-Fi.
    Signal,
    /// `fw_type` 1: RF test firmware.
    Nosignal,
    /// `fw_type` 2: BT only, no boot/DPD stage.
    Btrf,
}

impl Mode {
    /// Maps the `fw_type` module parameter: anything but 1 or 2 is signal (spec §2.7).
    pub const fn from_fw_type(fw_type: i32) -> Mode {
        match fw_type {
            1 => Mode::Nosignal,
            2 => Mode::Btrf,
            _ => Mode::Signal,
        }
    }

    /// The image kind downloaded last in this mode.
    pub const fn stage2(self) -> Kind {
        match self {
            Mode::Signal => Kind::Signal,
            Mode::Nosignal => Kind::Nosignal,
            Mode::Btrf => Kind::Btrf,
        }
    }
}

/// Timing and retry knobs; [`Config::default`] gives the vendor values, except the DPD
/// retry ([`Config::dpd_calibrations`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    /// Attempts per image and per write_mem, in all (`RETRY_CNT_MAX`, spec §2.4 step 7).
    pub attempts: u8,
    /// Wait for a reply IRQ (1 s, spec §2.3 step 3).
    pub reply_timeout_ns: u64,
    /// Sleep between sending and waiting (2 ms, spec §2.3 step 3).
    pub pre_reply_sleep_ns: u64,
    /// Reads of the reply length register while it reads 0 (5, spec §2.3 step 3).
    pub reply_len_reads: u8,
    /// Poll interval of the buffer count while it reads 0 (50 ms, spec §2.3 step 1).
    pub buf_poll_ns: u64,
    /// Bound on that poll (1 s). C never really polls (spec §2.3 "Bug"), so on expiry we go
    /// on like C does and count it in [`Outcome::buf_count_zero`].
    pub buf_poll_timeout_ns: u64,
    /// Sleep after RUN (500 ms, spec §2.4 step 6).
    pub post_run_sleep_ns: u64,
    /// DPD_READY poll interval (100 ms, spec §2.5).
    pub dpd_poll_ns: u64,
    /// DPD_READY bound (15 s, spec §2.5, §5.4).
    pub dpd_timeout_ns: u64,
    /// Boot-image runs per bring-up when the DPD blob read back fails its CRC or comes back
    /// short, in all: 2 = one retry with a fresh boot image. Not a vendor value: C gives up
    /// at once (C:bes_fw.c:969-978). See the [`download`](super) module docs.
    pub dpd_calibrations: u8,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            attempts: 3,
            reply_timeout_ns: 1000 * MS,
            pre_reply_sleep_ns: 2 * MS,
            reply_len_reads: 5,
            buf_poll_ns: 50 * MS,
            buf_poll_timeout_ns: 1000 * MS,
            post_run_sleep_ns: 500 * MS,
            dpd_poll_ns: 100 * MS,
            dpd_timeout_ns: 15_000 * MS,
            dpd_calibrations: 2,
        }
    }
}

/// The images and records for one bring-up.
#[derive(Debug, Clone, Copy)]
pub struct Firmware<'a> {
    /// Stage-1 boot/DPD image; needed in Wi-Fi modes when no DPD is cached.
    pub boot: Option<Image<'a>>,
    /// The image that runs at the end: signal, nosignal or btrf per [`Mode::stage2`].
    pub stage2: Image<'a>,
    /// The 72-byte factory record with its CRC already recomputed, if one parsed.
    pub factory: Option<&'a [u8]>,
}

/// A step of the bring-up, used in errors and logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// One of the two pre-download register writes.
    RegWrite,
    /// Factory record to 0x2008B000.
    Factory,
    /// Stage-1 boot image.
    BootImage,
    /// DPD_READY wait and DPD read-back.
    DpdCalibration,
    /// DPD blob to 0x2008C000.
    DpdWrite,
    /// The final image.
    Stage2Image,
}

/// Why one attempt failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cause {
    /// The reply failed the vendor check (spec §2.3).
    Reply(ReplyError),
    /// No reply IRQ before the deadline (-110).
    Timeout,
    /// The reply length register stayed 0.
    NoReplyLength,
    /// The reply length register gave an impossible value.
    ReplyTooLong(u16),
    /// The CMD53 read returned another length than asked.
    ShortReply(usize),
    /// L ≤ 12 at INFO time: nothing can be downloaded (spec errata 5).
    FrameLenTooSmall(u16),
    /// L at DATA time is below 12 or not a multiple of 4 (-203, spec §2.4 step 3).
    BadFrameLen(u16),
    /// A bus access failed.
    Bus,
    /// DPD_READY did not come within the bound (spec §2.5).
    DpdTimeout,
    /// The DPD reply length is not 0x3B14 (spec §2.5).
    DpdLength(u16),
    /// The DPD blob's first word is not the CRC-32 of the rest (spec §2.5).
    DpdCrc {
        /// CRC stored in the blob.
        stored: u32,
        /// CRC computed over bytes 4..end.
        computed: u32,
    },
    /// The driver fed an event that does not answer the last action.
    UnexpectedEvent,
}

impl Cause {
    /// A Linux errno for the kernel module (vendor numbers for reply errors).
    pub const fn errno(self) -> i32 {
        match self {
            Cause::Reply(e) => e.errno(),
            Cause::Timeout | Cause::DpdTimeout => -110,
            Cause::BadFrameLen(_) => -203,
            Cause::FrameLenTooSmall(_) | Cause::UnexpectedEvent => -22,
            Cause::DpdCrc { .. } => -74,
            Cause::NoReplyLength
            | Cause::ReplyTooLong(_)
            | Cause::ShortReply(_)
            | Cause::Bus
            | Cause::DpdLength(_) => -5,
        }
    }
}

/// A bring-up failure: where, why, and after how many attempts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Error {
    /// The step that failed.
    pub stage: Stage,
    /// The cause of the last attempt.
    pub cause: Cause,
    /// Attempts made at this step.
    pub attempts: u8,
}

/// Why [`Loader::new`](super::Loader::new) refused its inputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetupError {
    /// The frame buffer is smaller than one 512-byte block.
    TxBufferTooSmall(usize),
    /// The DPD buffer is smaller than [`DPD_LEN`](super::DPD_LEN).
    DpdBufferTooSmall(usize),
    /// A Wi-Fi mode without cached DPD needs the boot image.
    MissingBootImage,
    /// The image's entry word says it is another kind of image (spec §2.2).
    WrongImage(Kind),
    /// The factory record is not 72 bytes.
    BadFactoryLen(usize),
    /// `attempts` or `dpd_calibrations` is 0.
    NoAttempts,
}

/// Where the DPD blob came from in a successful bring-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DpdSource {
    /// Btrf mode: no DPD.
    None,
    /// The cached blob was sent.
    Cached,
    /// The boot image calibrated; the blob is now in the caller's DPD buffer.
    Fresh,
}

/// What a successful bring-up did; the figures are worth logging (spec §9 asks for L).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    /// Where the DPD came from; after `Fresh` the caller should keep its DPD buffer.
    pub dpd: DpdSource,
    /// Whether the factory record was sent.
    pub factory_sent: bool,
    /// Frames written to the boot ROM.
    pub frames_sent: u32,
    /// Attempts that failed and were retried.
    pub retries: u32,
    /// Pre-download register writes that failed (ignored, spec §2.5 step 3).
    pub reg_write_failures: u8,
    /// Times the buffer count stayed 0 for the whole poll.
    pub buf_count_zero: u32,
    /// The last maximum frame length L the boot ROM reported.
    pub max_frame_len: u16,
    /// The last buffer count the boot ROM reported.
    pub buf_count: u8,
    /// Boot images downloaded again because the DPD read-back was unusable (also counted in
    /// `retries`).
    pub dpd_retries: u8,
}

/// A result fed back to the loader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event<'e> {
    /// Registers 0x108 and 0x109/0x10A.
    RxBufInfo {
        /// Free buffers (reg 0x108).
        count: u8,
        /// Maximum frame length L (u16 LE at 0x109).
        max_len: u16,
    },
    /// The CMD53 write completed.
    Sent,
    /// The sleep is over.
    Slept,
    /// The SDIO interrupt arrived.
    Irq,
    /// The wait deadline passed without an interrupt.
    Timeout,
    /// The u16 at reg 0x000/0x001.
    ReplyLen(u16),
    /// The bytes the CMD53 read returned.
    Reply(&'e [u8]),
    /// Register 0x10C.
    SlaveStatus(u8),
    /// The requested bus access failed.
    BusError,
}

/// What the driver must do next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Read reg 0x108 and the u16 at 0x109; answer [`Event::RxBufInfo`].
    ReadRxBufInfo,
    /// One CMD53 write of `frame()[..len]` (already zero padded); answer [`Event::Sent`].
    Send {
        /// Bytes to write: `max(frame length, 512)`.
        len: usize,
    },
    /// Sleep until the monotonic time `until_ns`; answer [`Event::Slept`].
    Sleep {
        /// Wake-up time in ns.
        until_ns: u64,
    },
    /// Wait for the SDIO IRQ until `deadline_ns`; answer [`Event::Irq`] or [`Event::Timeout`].
    WaitIrq {
        /// Deadline in ns.
        deadline_ns: u64,
    },
    /// Read the u16 at reg 0x000; answer [`Event::ReplyLen`].
    ReadReplyLen,
    /// One CMD53 read of `len` bytes; answer [`Event::Reply`].
    ReadReply {
        /// Bytes to read.
        len: usize,
    },
    /// Read reg 0x10C; answer [`Event::SlaveStatus`].
    ReadSlaveStatus,
    /// The chip runs the stage-2 image.
    Done(Outcome),
    /// The bring-up failed; the chip needs a reset before another try.
    Failed(Error),
}
