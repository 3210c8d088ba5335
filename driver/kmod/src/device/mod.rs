// SPDX-License-Identifier: GPL-2.0-only
//! One BES2600 device: what it holds, how it is created (probe) and dropped (remove).
//!
//! | file | role |
//! |---|---|
//! | `mod.rs` | the [`Device`], create and drop, the [`ffi::Driver`] glue |
//! | [`ops`] | mac80211 ops: copy the request into the [`mailbox`] and wake the BH |
//! | [`bh`] | the BH thread: owns engine and bus, posts the mailbox, runs the engine |
//! | [`host`] | the engine's `Host`: TX slots, RX batches, confirms, recovery |
//! | [`boot`] | firmware files, the boot-ROM download, the factory record |

use core::borrow::Borrow;
use core::mem::MaybeUninit;
use core::sync::atomic::{AtomicBool, AtomicU32, Ordering};

use kernel::c_str;
use kernel::prelude::*;
use kernel::sync::{new_spinlock, Arc, SpinLock};

use bes2600_engine::mac::channel::{freq_to_channel, CHANNELS_2G4_MHZ};
use bes2600_engine::mac::rates::{HT_MCS_MASK, LEGACY_RATES};
use bes2600_engine::{Engine, FwMode, Policy, Shared, StartConfig};

use crate::bus::SdioBus;
use crate::ffi::{
    self, Band, BandChannel, BandRate, BhCell, BhLink, DevicePtr, Hw, RxBatch as SkbBatch,
    SdioFunc, Vif,
};

mod bh;
mod boot;
mod host;
mod mailbox;
mod ops;

pub(crate) use bh::BhState;
use boot::BootFiles;
use host::MacHost;
use mailbox::Mailbox;

/// How long bring-up may take before init fails.
const READY_TIMEOUT_MS: u32 = 20_000;

/// The engine's view of the shared atomics, kept alive by an `Arc` that debugfs also holds.
pub(crate) struct SharedRef(Arc<Shared>);

impl Borrow<Shared> for SharedRef {
    fn borrow(&self) -> &Shared {
        &self.0
    }
}

type Eng = Engine<SharedRef, 8>;

/// A device: shared between the BH thread, mac80211 ops and debugfs.
///
/// Field order matters for drop: the BH state (skbs) goes before the hw it refers to.
pub(crate) struct Device {
    pub(crate) bh_state: BhCell<BhState>,
    pub(crate) shared: Arc<Shared>,
    pub(crate) mbox: Pin<KBox<SpinLock<Mailbox>>>,
    pub(crate) bh_link: BhLink,
    pub(crate) vif: Vif,
    ready: AtomicBool,
    /// `ieee80211_register_hw` succeeded (a restart may be requested).
    registered: AtomicBool,
    /// Set by the SDIO interrupt while the boot ROM download waits for a reply.
    boot_irq: AtomicBool,
    cur_freq: AtomicU32,
    tx_inflight: AtomicU32,
    /// Keys the firmware confirmed (debugfs `hw_keys_installed`) and removed.
    pub(crate) keys_installed: AtomicU32,
    pub(crate) keys_removed: AtomicU32,
    /// Frames the firmware decrypted (debugfs `rx_hw_decrypted`).
    pub(crate) rx_decrypted: AtomicU32,
    pub(crate) load_ns: u64,
    mac: [u8; 6],
    pub(crate) hw: Hw,
}

/// An up-and-running device and what it needs beyond the device memory.
pub(crate) struct DeviceHandle {
    ptr: DevicePtr<Device>,
    sdio: SdioFunc,
}

fn fw_mode() -> FwMode {
    if ffi::param_fw_type() == 1 {
        FwMode::NoSignal
    } else {
        FwMode::Signal
    }
}

impl DeviceHandle {
    /// Probe of function 1.
    pub(crate) fn create_sdio(func: SdioFunc) -> Result<Self> {
        let bus = SdioBus::new(func)?;
        let mac = ffi::dt_mac().unwrap_or_else(ffi::random_mac);
        let hw = Hw::alloc()?;
        hw.set_sdio_parent(func);
        let files = boot::load_boot_files(hw.r());
        if files.is_none() {
            pr_warn!(
                "bes2600: firmware files missing; assuming the chip already runs its firmware\n"
            );
        }
        // The stage-2 file's version string prefixes the firmware label (debugfs fw_version).
        let label = boot::firmware_label(hw.r());
        let handle = Self::create(hw, bus, files, mac, func)?;
        handle
            .ptr
            .get()
            .set_fw_file_label(label.as_ref().map(|(b, n)| b.get(..*n).unwrap_or(&[])));
        Ok(handle)
    }

    fn create(
        hw: Hw,
        bus: SdioBus,
        boot: Option<BootFiles>,
        mac: [u8; 6],
        sdio: SdioFunc,
    ) -> Result<Self> {
        let shared = Arc::new(Shared::new(), GFP_KERNEL)?;
        let engine = ffi::kbox_in_place(|slot| init_engine(slot, SharedRef(shared.clone())))?;
        let pending = core::array::from_fn(|_| None);
        let host = MacHost {
            hw: hw.r(),
            rx: SkbBatch::new()?,
            pending,
            next_slot: 0,
            gen: 0,
            scanning: false,
            restart: false,
            hw_restart: false,
        };
        let mbox = KBox::pin_init(
            new_spinlock!(Mailbox::default(), "bes2600::mbox"),
            GFP_KERNEL,
        )?;
        let dev = KBox::new(
            Device {
                bh_state: BhCell::new(BhState {
                    engine,
                    bus,
                    host,
                    boot,
                }),
                shared,
                mbox,
                bh_link: BhLink::default(),
                vif: Vif::new()?,
                ready: AtomicBool::new(false),
                registered: AtomicBool::new(false),
                boot_irq: AtomicBool::new(false),
                cur_freq: AtomicU32::new(2437),
                tx_inflight: AtomicU32::new(0),
                keys_installed: AtomicU32::new(0),
                keys_removed: AtomicU32::new(0),
                rx_decrypted: AtomicU32::new(0),
                load_ns: ffi::now_ns(),
                mac,
                hw,
            },
            GFP_KERNEL,
        )?;
        let ptr = DevicePtr::publish(dev, c_str!("bes2600-bh"))?;
        ptr.set_sdio_drvdata(sdio);
        if let Err(e) = sdio.claim_irq() {
            ptr.clear_sdio_drvdata(sdio);
            return Err(e);
        }
        let mut me = Self { ptr, sdio };
        // Bring-up (firmware start-up handshake, WSM configuration) runs in the BH.
        let mut waited = 0;
        while !me.ptr.get().ready.load(Ordering::Acquire) {
            if waited >= READY_TIMEOUT_MS {
                pr_err!(
                    "bes2600: firmware did not come up in {} ms\n",
                    READY_TIMEOUT_MS
                );
                return Err(ffi::errno(ffi::ETIMEDOUT));
            }
            ffi::msleep(10);
            waited += 10;
        }
        me.ptr.get().register()?;
        me.ptr.get().registered.store(true, Ordering::Release);
        me.ptr.create_debugfs();
        pr_info!(
            "bes2600: {} device up, MAC {:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}\n",
            "sdio",
            mac[0],
            mac[1],
            mac[2],
            mac[3],
            mac[4],
            mac[5]
        );
        Ok(me)
    }
}

impl Drop for DeviceHandle {
    fn drop(&mut self) {
        let f = self.sdio;
        f.release_irq();
        self.ptr.clear_sdio_drvdata(f);
        self.ptr.get().hw_unregister();
        self.ptr.stop_bh();
        // Give back the frames still waiting for a confirm while the hw is alive.
        self.ptr.with_bh_state(|st| {
            for s in st.host.pending.iter_mut() {
                drop(s.take());
            }
        });
        // Leave the chip as the host's power-up left it, in its boot ROM, so that the next
        // probe (a module reload) can download again; a failure here (a removed card)
        // changes nothing for the teardown.
        let _ = f.hw_reset();
        f.disable();
    }
}

impl Device {
    /// Registers the hw with the engine's channel and rate tables (spec §3.9).
    fn register(&self) -> Result {
        self.hw.register(&Band {
            mac: self.mac,
            ht_mcs_mask: u16::from(HT_MCS_MASK),
            channels: CHANNELS_2G4_MHZ.map(|f| BandChannel {
                freq_mhz: f,
                number: freq_to_channel(u32::from(f)).map_or(0, |c| c.number),
            }),
            rates: LEGACY_RATES.map(|r| BandRate {
                bitrate: r.bitrate,
                hw_value: u16::from(r.hw),
                short_preamble: r.short_preamble,
            }),
        })
    }

    pub(crate) fn hw_unregister(&self) {
        self.registered.store(false, Ordering::Release);
        self.hw.unregister();
    }

    fn wake(&self) {
        self.bh_link.wake();
    }

    /// SDIO interrupt (mmc irq thread): mark RX pending and wake the BH.
    pub(crate) fn on_bus_irq(&self) {
        self.boot_irq.store(true, Ordering::Release);
        self.shared.on_irq();
        self.wake();
    }

    /// Prefixes the firmware label with the firmware file's version string.
    fn set_fw_file_label(&self, file: Option<&[u8]>) {
        let mut g = self.mbox.lock();
        let old_len = g.fw_label_len.min(g.fw_label.len());
        let mut old = [0u8; 128];
        old[..old_len].copy_from_slice(&g.fw_label[..old_len]);
        let mut w = crate::debugfs::SliceWriter::new(&mut g.fw_label);
        let f = file
            .and_then(|b| core::str::from_utf8(b).ok())
            .unwrap_or("no firmware file");
        let _ = core::fmt::write(
            &mut w,
            format_args!(
                "{} ({})",
                f.trim_end_matches('\0'),
                core::str::from_utf8(&old[..old_len]).unwrap_or("")
            ),
        );
        let n = w.len();
        g.fw_label_len = n;
    }

    /// The firmware label for debugfs.
    pub(crate) fn with_fw_label<R>(&self, f: impl FnOnce(&[u8]) -> R) -> R {
        let g = self.mbox.lock();
        f(g.fw_label.get(..g.fw_label_len).unwrap_or(&[]))
    }

    /// Configuration (0x0009) as the vendor sends it: only the station MAC is set, the same
    /// for both interfaces; lifetimes and the RTS threshold stay 0, the firmware's defaults
    /// (C:sta.c:1976-1978, 2026-2030). The static SDD it also carries is not sent yet.
    fn start_cfg(&self) -> StartConfig<'static> {
        StartConfig {
            mode: fw_mode(),
            macs: [self.mac, self.mac],
            max_tx_msdu_lifetime: 0,
            max_rx_lifetime: 0,
            rts_threshold: 0,
            sdd: &[],
        }
    }
}

/// Writes a new engine into `slot` (kept out of line so no caller frame holds a copy).
#[inline(never)]
fn init_engine(slot: &mut MaybeUninit<Eng>, shared: SharedRef) -> &mut Eng {
    Engine::init_in_place(slot, shared, Policy::default())
}
