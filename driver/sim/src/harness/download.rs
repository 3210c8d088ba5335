//! The real boot-ROM bring-up (spec §2.3-2.5) driven through the `bes2600-fw` protocol core
//! against the simulated chip's boot ROM, on the harness's virtual clock.

use bes2600_engine::Bus;
use bes2600_fw::download::{
    Action, Config, Error, Event, Firmware, Loader, Mode, Outcome, SetupError, DPD_LEN,
};
use bes2600_fw::image::{Image, ENTRY_BOOT, ENTRY_SIGNAL};
use bes2600_fw::Crc32;

use super::Harness;
use crate::bootrom;

/// Load address of the synthetic images (the shipped blobs use it too, spec §2.2).
const LOAD_ADDR: u32 = 0x2000_0168;
/// Wait-for-IRQ polling step of virtual time.
const POLL_NS: u64 = 1_000_000;

/// The CRC-32 of spec §2.2, from the boot-ROM model's table.
#[derive(Debug, Clone, Copy, Default)]
pub struct SimCrc;

impl Crc32 for SimCrc {
    fn crc32(&self, data: &[u8]) -> u32 {
        bootrom::crc32(data)
    }
}

/// A synthetic image in the documented layout (spec §2.2): header {entry, param, sp,
/// exec_addr}, seeded filler, a version stamp and the load-address trailer. Never a vendor
/// blob.
pub fn synthetic_image(entry: u32, code_len: usize, seed: u32) -> Vec<u8> {
    let mut v = Vec::with_capacity(code_len + 64);
    for w in [entry, 0, 0x2004_0000, LOAD_ADDR] {
        v.extend_from_slice(&w.to_le_bytes());
    }
    let mut x = seed | 1;
    while v.len() < code_len.saturating_sub(48) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        v.push((x as u8) & 0x1F);
    }
    v.extend_from_slice(b"Nov 24 2026 12:00:00 sim:best2002_fw\0");
    while v.len() % 4 != 0 {
        v.push(0);
    }
    v.extend_from_slice(&LOAD_ADDR.to_le_bytes());
    v
}

/// Why a bring-up did not finish.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DownloadError {
    /// The loader refused its inputs.
    Setup(SetupError),
    /// The bring-up failed.
    Failed(Error),
}

/// The synthetic firmware set the harness downloads.
#[derive(Debug, Clone)]
pub struct FirmwareSet {
    /// Stage-1 boot/DPD image.
    pub boot: Vec<u8>,
    /// Stage-2 signal image.
    pub stage2: Vec<u8>,
}

impl Default for FirmwareSet {
    fn default() -> Self {
        Self {
            boot: synthetic_image(ENTRY_BOOT, 12 * 1024, 0xB007),
            stage2: synthetic_image(ENTRY_SIGNAL, 24 * 1024, 0x5167),
        }
    }
}

impl Harness {
    /// Moves the virtual clock (and the chip) to `t_ns`.
    fn clock_to(&mut self, t_ns: u64) {
        if t_ns > self.now_ns {
            self.now_ns = t_ns;
            self.host.now_ns = t_ns;
            self.sim.advance(t_ns);
        }
    }

    /// Downloads the firmware set through the boot ROM (signal mode), using the cached DPD
    /// blob when there is one and caching a fresh one otherwise.
    ///
    /// # Errors
    ///
    /// [`DownloadError`] when the loader refuses the set or the bring-up fails.
    pub fn download_firmware(&mut self) -> Result<Outcome, DownloadError> {
        let set = self.firmware.clone();
        let boot = Image::parse(&set.boot, &SimCrc).ok();
        let stage2 = Image::parse(&set.stage2, &SimCrc).map_err(|_| {
            DownloadError::Setup(SetupError::WrongImage(bes2600_fw::image::Kind::Signal))
        })?;
        let fw = Firmware {
            boot,
            stage2,
            factory: None,
        };
        let mut tx = vec![0u8; 32 * 1024];
        let cached = self.dpd_cache.is_some();
        let mut dpd = self.dpd_cache.clone().unwrap_or_else(|| vec![0u8; DPD_LEN]);
        let mut loader = Loader::new(
            SimCrc,
            Config::default(),
            Mode::Signal,
            fw,
            &mut tx,
            &mut dpd,
            cached,
        )
        .map_err(DownloadError::Setup)?;
        let mut rbuf = vec![0u8; DPD_LEN];
        // The download path waits for the ROM's reply interrupt (spec §2.3 step 3), so the
        // chip IRQ is unmasked whatever the engine left it at.
        self.sim.set_irq_enabled(true);
        let mut act = loader.start(self.now_ns);
        loop {
            let sim = &mut self.sim;
            let ev = match act {
                Action::ReadRxBufInfo => {
                    let r = (
                        sim.read_reg8(0x108),
                        sim.read_reg8(0x109),
                        sim.read_reg8(0x10A),
                    );
                    match r {
                        (Ok(count), Ok(lo), Ok(hi)) => Event::RxBufInfo {
                            count,
                            max_len: u16::from_le_bytes([lo, hi]),
                        },
                        _ => Event::BusError,
                    }
                }
                Action::Send { len } => match loader.frame().get(..len) {
                    Some(f) => match sim.write_data(len as u32, f) {
                        Ok(()) => Event::Sent,
                        Err(_) => Event::BusError,
                    },
                    None => Event::BusError,
                },
                Action::Sleep { until_ns } => {
                    self.clock_to(until_ns);
                    Event::Slept
                }
                Action::WaitIrq { deadline_ns } => loop {
                    if self.sim.irq_pending() {
                        break Event::Irq;
                    }
                    if self.now_ns >= deadline_ns {
                        break Event::Timeout;
                    }
                    self.clock_to((self.now_ns + POLL_NS).min(deadline_ns));
                },
                Action::ReadReplyLen => match (sim.read_reg8(0x000), sim.read_reg8(0x001)) {
                    (Ok(lo), Ok(hi)) => Event::ReplyLen(u16::from_le_bytes([lo, hi])),
                    _ => Event::BusError,
                },
                Action::ReadReply { len } => match rbuf.get_mut(..len) {
                    Some(b) => match sim.read_data(len as u32, b) {
                        Ok(()) => Event::Reply(b),
                        Err(_) => Event::BusError,
                    },
                    None => Event::BusError,
                },
                Action::ReadSlaveStatus => match sim.read_reg8(0x10C) {
                    Ok(s) => Event::SlaveStatus(s),
                    Err(_) => Event::BusError,
                },
                Action::Done(o) => {
                    if !cached {
                        self.dpd_cache = Some(loader.dpd().to_vec());
                    }
                    // Let the chip notice the RUN and hand the bus to its WSM firmware.
                    self.sim.advance(self.now_ns);
                    return Ok(o);
                }
                Action::Failed(e) => return Err(DownloadError::Failed(e)),
            };
            act = loader.step(self.now_ns, ev);
        }
    }
}
