//! The real boot-ROM bring-up (spec §2.3-2.5) driven through the `bes2600-fw` protocol core
//! against the simulated chip's boot ROM, on the harness's virtual clock.

use bes2600_engine::Bus;
use bes2600_fw::download::{
    drive, BusFault, Config, DriveError, Error, Firmware, Loader, Mode, Outcome, Port, SetupError,
    DPD_LEN,
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
    /// The bring-up was abandoned on request (the harness's port never asks).
    Stopped,
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

/// The simulated chip on the harness's virtual clock, as [`drive`] sees a bus.
struct SimPort<'h>(&'h mut Harness);

impl Port for SimPort<'_> {
    fn read_reg8(&mut self, addr: u32) -> Result<u8, BusFault> {
        self.0.sim.read_reg8(addr).map_err(|_| BusFault)
    }
    fn write_data(&mut self, addr: u32, data: &[u8]) -> Result<(), BusFault> {
        self.0.sim.write_data(addr, data).map_err(|_| BusFault)
    }
    fn read_data(&mut self, addr: u32, buf: &mut [u8]) -> Result<(), BusFault> {
        self.0.sim.read_data(addr, buf).map_err(|_| BusFault)
    }
    fn now_ns(&mut self) -> u64 {
        self.0.now_ns
    }
    fn sleep_until(&mut self, until_ns: u64) {
        self.0.clock_to(until_ns);
    }
    fn wait_irq(&mut self, deadline_ns: u64) -> bool {
        loop {
            if self.0.sim.irq_pending() {
                return true;
            }
            if self.0.now_ns >= deadline_ns {
                return false;
            }
            let next = (self.0.now_ns + POLL_NS).min(deadline_ns);
            self.0.clock_to(next);
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
        let outcome = drive(&mut loader, &mut SimPort(self), &mut rbuf).map_err(|e| match e {
            DriveError::Failed(e) => DownloadError::Failed(e),
            DriveError::Stopped => DownloadError::Stopped,
        })?;
        if !cached {
            self.dpd_cache = Some(loader.dpd().to_vec());
        }
        // Let the chip notice the RUN and hand the bus to its WSM firmware.
        self.sim.advance(self.now_ns);
        Ok(outcome)
    }
}
