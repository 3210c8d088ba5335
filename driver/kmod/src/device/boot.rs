// SPDX-License-Identifier: GPL-2.0-only
//! Boot: the firmware files (boot image, stage-2 of `fw_type`, the factory calibration) and
//! the boot-ROM download that runs on the BH thread before the engine starts.

use core::sync::atomic::{AtomicBool, Ordering};

use kernel::c_str;
use kernel::prelude::*;

use bes2600_engine::Bus;
use bes2600_fw::download::{self, BusFault, DriveError, Loader, Port};
use bes2600_fw::image::Image;

use super::bh::BhState;
use super::Device;
use crate::bus::SdioBus;
use crate::ffi::{self, BhSelf, Firmware};

/// The images a boot-ROM download needs (spec §2.1, §2.5).
pub(super) struct BootFiles {
    boot: Option<Firmware>,
    stage2: Firmware,
    /// `bes2600_factory.txt` (spec §2.6), if the board has one.
    factory: Option<Firmware>,
}

impl Device {
    /// The stage-2 image arrived (`request_firmware_nowait`, a worker): requests the boot
    /// image (not for btrf) and the factory calibration, then hands the files to the BH.
    pub(super) fn on_firmware(&self, stage2: Option<Firmware>) {
        let hw = self.hw.r();
        let files = stage2.and_then(|stage2| {
            let boot = if ffi::param_fw_type() == 2 {
                None
            } else {
                Some(hw.request_firmware(BOOT_FILE).ok()?)
            };
            // Where the distribution and the vendor driver put it
            // (bes2600_fw::calib::FIRMWARE_NAMES).
            let factory = hw
                .request_firmware_optional(c_str!("bes2600/bes2600_factory.txt"))
                .or_else(|| hw.request_firmware_optional(c_str!("bes2600_factory.txt")));
            Some(BootFiles {
                boot,
                stage2,
                factory,
            })
        });
        if files.is_none() {
            pr_warn!(
                "bes2600: firmware files missing; assuming the chip already runs its firmware\n"
            );
        }
        // The stage-2 file's version string prefixes the firmware label (debugfs fw_version).
        let label = files.as_ref().and_then(|f| firmware_label(f.stage2.data()));
        self.set_fw_file_label(label.as_ref().map(|(b, n)| b.get(..*n).unwrap_or(&[])));
        let mut g = self.mbox.lock();
        g.boot = files;
        g.fw_resolved = true;
        drop(g);
        self.wake();
    }

    /// Downloads the firmware when the files were found (kept for re-downloads after a
    /// reset-and-reload recovery).
    pub(super) fn download_if_files(&self, st: &mut BhState, me: BhSelf) {
        let BhState { bus, boot, .. } = st;
        if let Some(files) = boot.as_ref() {
            let t = ffi::now_ns();
            bus.set_download(true);
            let r = self.download(bus, files, me);
            bus.set_download(false);
            match r {
                Ok(()) => pr_info!(
                    "bes2600: firmware downloaded in {} ms\n",
                    (ffi::now_ns() - t) / 1_000_000
                ),
                Err(e) => pr_err!("bes2600: firmware download failed: {}\n", e),
            }
        }
    }

    /// Runs the boot-ROM download (spec §2.3-2.5) with the firmware loader's state machine,
    /// on the BH thread before the engine starts (it sleeps between steps).
    fn download(
        &self,
        bus: &mut SdioBus,
        files: &BootFiles,
        me: BhSelf,
    ) -> core::result::Result<(), &'static str> {
        let crc = ffi::KernelCrc;
        let stage2 =
            Image::parse(files.stage2.data(), &crc).map_err(|_| "stage-2 image rejected")?;
        let boot = match &files.boot {
            Some(f) => Some(Image::parse(f.data(), &crc).map_err(|_| "boot image rejected")?),
            None => None,
        };
        let mut tx = KVec::from_elem(0u8, 32 * 1024, GFP_KERNEL).map_err(|_| "no memory")?;
        let mut dpd =
            KVec::from_elem(0u8, download::DPD_LEN, GFP_KERNEL).map_err(|_| "no memory")?;
        // Replies are 8 bytes; the DPD read-back is DPD_LEN (spec §2.5).
        let mut rx =
            KVec::from_elem(0u8, download::DPD_LEN + 64, GFP_KERNEL).map_err(|_| "no memory")?;
        let mode = download::Mode::from_fw_type(ffi::param_fw_type());
        let record = files
            .factory
            .as_ref()
            .and_then(|f| factory_record(f.data(), &crc));
        let fw = download::Firmware {
            boot,
            stage2,
            factory: record.as_ref().map(|r| &r[..]),
        };
        let mut ld = Loader::new(
            crc,
            download::Config::default(),
            mode,
            fw,
            &mut tx,
            &mut dpd,
            false,
        )
        .map_err(|_| "loader set-up refused")?;
        // The boot ROM answers every frame with an interrupt; the engine may have left the
        // chip interrupt masked when it failed over to this reset.
        bus.set_irq_enabled(true);
        let mut port = BootPort {
            bus,
            irq: &self.boot_irq,
            me,
        };
        match download::drive(&mut ld, &mut port, &mut rx) {
            Ok(o) => {
                if o.factory_sent {
                    pr_info!(
                        "bes2600: factory calibration sent ({} bytes)\n",
                        bes2600_fw::calib::RECORD_LEN
                    );
                }
                Ok(())
            }
            Err(DriveError::Failed(e)) => {
                pr_err!("bes2600: boot ROM download error: {:?}\n", e);
                Err("boot ROM refused the download")
            }
            Err(DriveError::Stopped) => Err("stopped"),
        }
    }
}

/// Parses `bes2600_factory.txt` into the 72-byte record with its CRC (spec §2.6). A file that
/// does not parse is reported and skipped: the chip then runs on its built-in defaults,
/// which is what the vendor driver does without a file. A file without the efuse section
/// (the distribution's) is not sent either, as the vendor build does not send it: the chip
/// keeps its efuse calibration (`Factory::download_record`, spec errata 15).
fn factory_record(
    text: &[u8],
    crc: &ffi::KernelCrc,
) -> Option<[u8; bes2600_fw::calib::RECORD_LEN]> {
    match bes2600_fw::calib::Factory::parse(text) {
        Ok(f) => {
            f.sanity(|w| pr_warn!("bes2600: factory calibration: {:?}\n", w));
            let record = f.download_record(crc);
            if record.is_none() {
                pr_info!("bes2600: factory file has no efuse section: not sent, the chip keeps its efuse calibration\n");
            }
            record
        }
        Err(e) => {
            pr_warn!("bes2600: bes2600_factory.txt rejected: {:?}\n", e);
            None
        }
    }
}

/// The boot image (spec §2.1), not used by the btrf firmware.
const BOOT_FILE: &CStr = c_str!("bes2600/best2002_fw_boot_sdio.bin");

/// Stage-2 firmware file for `fw_type` (spec §2.1, §2.7).
pub(super) fn fw_file() -> &'static CStr {
    match ffi::param_fw_type() {
        1 => c_str!("bes2600/best2002_fw_sdio_nosignal.bin"),
        2 => c_str!("bes2600/best2002_fw_sdio_btrf.bin"),
        _ => c_str!("bes2600/best2002_fw_sdio.bin"),
    }
}

/// The version string of the stage-2 firmware file (spec §2.2), if the file is there.
fn firmware_label(stage2: &[u8]) -> Option<([u8; 64], usize)> {
    let v = bes2600_fw::image::find_version(stage2)?;
    let mut out = [0u8; 64];
    let n = v.len().min(out.len());
    out.get_mut(..n)?.copy_from_slice(v.get(..n)?);
    Some((out, n))
}

/// The download's view of the bus, the clock and the BH thread (`download::drive`).
struct BootPort<'a> {
    bus: &'a mut SdioBus,
    /// Set by the SDIO interrupt ([`Device::on_bus_irq`]).
    irq: &'a AtomicBool,
    me: BhSelf,
}

impl Port for BootPort<'_> {
    fn read_reg8(&mut self, addr: u32) -> Result<u8, BusFault> {
        self.bus.read_reg8(addr).map_err(|_| BusFault)
    }
    fn write_data(&mut self, addr: u32, data: &[u8]) -> Result<(), BusFault> {
        self.bus.write_data(addr, data).map_err(|_| BusFault)
    }
    fn read_data(&mut self, addr: u32, buf: &mut [u8]) -> Result<(), BusFault> {
        self.bus.read_data(addr, buf).map_err(|_| BusFault)
    }
    fn now_ns(&mut self) -> u64 {
        ffi::now_ns()
    }
    fn sleep_until(&mut self, until_ns: u64) {
        sleep_until(until_ns)
    }
    fn wait_irq(&mut self, deadline_ns: u64) -> bool {
        wait_irq(self.irq, deadline_ns)
    }
    fn should_stop(&mut self) -> bool {
        self.me.should_stop()
    }
}

/// Sleeps until `until_ns` (in steps of at most 10 ms, so a stop request is seen soon).
fn sleep_until(until_ns: u64) {
    while ffi::now_ns() < until_ns {
        let left_ms = (until_ns - ffi::now_ns()) / 1_000_000;
        ffi::msleep(u32::try_from(left_ms.clamp(1, 10)).unwrap_or(1));
    }
}

/// Waits for the SDIO interrupt (the flag its handler sets) until `deadline_ns`.
fn wait_irq(flag: &AtomicBool, deadline_ns: u64) -> bool {
    loop {
        if flag.swap(false, Ordering::AcqRel) {
            return true;
        }
        if ffi::now_ns() >= deadline_ns {
            return false;
        }
        ffi::msleep(1);
    }
}
