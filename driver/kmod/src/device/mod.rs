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
    SdioFunc, Vif, WakeLine,
};

mod bh;
mod boot;
mod host;
mod mailbox;
mod ops;

pub(crate) use bh::BhState;
use host::{MacHost, TX_SLOTS};
use mailbox::Mailbox;

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
    /// mac80211 started the hw (`start` .. `stop`): RX may be delivered.
    rx_started: AtomicBool,
    /// The BH is inside a delivery it began with `rx_started` set: `stop` waits for 0.
    /// (Both `SeqCst`: the BH raises this before it reads `rx_started`, `stop` clears
    /// `rx_started` before it reads this, so one of them sees the other.)
    rx_delivering: AtomicU32,
    /// "card removed" was logged.
    gone_logged: AtomicBool,
    /// The card stayed powered over the last system sleep (`MMC_PM_KEEP_POWER`).
    power_kept: AtomicBool,
    /// Ops filled the mailbox since the BH last emptied it: the BH takes the mailbox lock
    /// only then, not on every pass.
    posted: AtomicBool,
    /// The BH runs: ops that wait for it may (cleared before the teardown stops it).
    bh_running: AtomicBool,
    ready: AtomicBool,
    /// `ieee80211_register_hw` succeeded (a restart may be requested). Only the BH sets it.
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

/// A probed device: what remove drops.
///
/// Probe does not wait for the firmware: it publishes the device, starts the BH and queues
/// the firmware request; the BH downloads, starts the engine and registers the hw once the
/// firmware is up (`bh.rs`).
///
/// Field order matters for drop: the wake line goes last, after the teardown in `Drop`
/// (the last bus access) and the device.
pub(crate) struct DeviceHandle {
    ptr: DevicePtr<Device>,
    sdio: SdioFunc,
    /// The wake line, asserted from probe to remove (`None`: the board has none).
    _wake: Option<WakeLine>,
}

/// How long the chip's MCU gets to wake after the wake line rises, before function 1 is
/// enabled (C:bes2600_sdio.c:1378-1382).
const WAKE_SETTLE_MS: u32 = 10;

/// Asserts the wake line before anything touches function 1, as the vendor's probe does
/// (C:bes2600_sdio.c:1858, before `sdio_enable_func` at 1861), and waits for the MCU.
///
/// The line then stays asserted while the driver is bound, across resets and system sleep:
/// the vendor's release passes `GPIOD_OUT_LOW`, a non-zero flags constant, as the *value*
/// (C:bes2600_sdio.c:1415), so its shipped build never deasserts it (spec errata 10) and
/// the firmware has never been run with the line low under a live driver.
#[inline(never)]
fn wake_chip(func: SdioFunc) -> Result<Option<WakeLine>> {
    let wake = WakeLine::assert(func).inspect_err(|e| {
        pr_err!("bes2600: wake GPIO (wakeup-gpios): {:?}\n", e);
    })?;
    if wake.is_some() {
        ffi::msleep(WAKE_SETTLE_MS);
    } else {
        pr_info!(
            "bes2600: no wake GPIO (wakeup-gpios): the chip's MCU must stay awake by itself\n"
        );
    }
    Ok(wake)
}

fn fw_mode() -> FwMode {
    if ffi::param_fw_type() == 1 {
        FwMode::NoSignal
    } else {
        FwMode::Signal
    }
}

impl DeviceHandle {
    /// Probe of function 1: returns without waiting for the firmware.
    pub(crate) fn create_sdio(func: SdioFunc) -> Result<Self> {
        let wake = wake_chip(func)?;
        let bus = SdioBus::new(func)?;
        let mac = ffi::dt_mac().unwrap_or_else(ffi::random_mac);
        let hw = Hw::alloc()?;
        hw.set_sdio_parent(func);
        let shared = Arc::new(Shared::new(), GFP_KERNEL)?;
        let engine = ffi::kbox_in_place(|slot| init_engine(slot, SharedRef(shared.clone())))?;
        let mut pending = KVec::with_capacity(TX_SLOTS, GFP_KERNEL)?;
        for _ in 0..TX_SLOTS {
            pending.push(None, GFP_KERNEL)?;
        }
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
        let dev = KBox::new(
            Device {
                bh_state: BhCell::new(BhState {
                    engine,
                    bus,
                    host,
                    boot: None,
                }),
                shared,
                mbox: KBox::pin_init(
                    new_spinlock!(Mailbox::default(), "bes2600::mbox"),
                    GFP_KERNEL,
                )?,
                bh_link: BhLink::default(),
                vif: Vif::new()?,
                rx_started: AtomicBool::new(false),
                rx_delivering: AtomicU32::new(0),
                posted: AtomicBool::new(false),
                power_kept: AtomicBool::new(true),
                gone_logged: AtomicBool::new(false),
                bh_running: AtomicBool::new(true),
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
        // The BH starts here and waits for the firmware files (`Device::firmware_loaded`).
        let mut ptr = DevicePtr::publish(dev, c_str!("bes2600-bh"))?;
        ptr.set_sdio_drvdata(func);
        if let Err(e) = func.claim_irq() {
            ptr.clear_sdio_drvdata(func);
            return Err(e);
        }
        ptr.request_firmware_async(boot::fw_file());
        Ok(Self {
            ptr,
            sdio: func,
            _wake: wake,
        })
    }
}

impl Drop for DeviceHandle {
    fn drop(&mut self) {
        let f = self.sdio;
        // No firmware callback runs after this.
        self.ptr.wait_firmware();
        // The BH goes before the hw: once it is stopped nothing registers, restarts or
        // feeds the hw any more, and ops stop waiting for it.
        self.ptr.get().bh_running.store(false, Ordering::Release);
        self.ptr.stop_bh();
        f.release_irq();
        self.ptr.clear_sdio_drvdata(f);
        let dropped = self.ptr.with_bh_state(|st| {
            // Frames still waiting for a confirm go back while the hw is registered, and a
            // scan mac80211 still waits for ends (its unregister would wait for it).
            let mut n = 0;
            for s in st.host.pending.iter_mut() {
                if s.take().is_some() {
                    n += 1;
                }
            }
            if st.host.scanning {
                st.host.scanning = false;
                st.host.hw.scan_completed(true);
            }
            n
        });
        let dev = self.ptr.get();
        dev.tx_inflight
            .fetch_sub(dropped.unwrap_or(0), Ordering::AcqRel);
        self.ptr.get().hw_unregister();
        // Leave the chip as the host's power-up left it, in its boot ROM, so that the next
        // probe (a module reload) can download again; a failure here (a removed card)
        // changes nothing for the teardown.
        let _ = f.hw_reset();
        f.disable();
    }
}

impl Device {
    /// Registers the hw with the engine's channel and rate tables (spec §3.9).
    fn register_band(&self) -> Result {
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

    /// Registers the hw once the firmware is up (BH thread; first start-up only).
    fn register_hw(&self) {
        if let Err(e) = self.register_band() {
            pr_err!("bes2600: ieee80211_register_hw failed: {:?}\n", e);
            return;
        }
        self.registered.store(true, Ordering::Release);
        self.hw.create_debugfs();
        let mac = self.mac;
        pr_info!(
            "bes2600: sdio device up, MAC {:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}\n",
            mac[0],
            mac[1],
            mac[2],
            mac[3],
            mac[4],
            mac[5]
        );
    }

    /// System suspend of the function (after mac80211's: the wiphy is its child). The frames
    /// mac80211 flushed get their confirms (bounded), then the BH is parked between passes,
    /// so nothing touches the bus while the host sleeps (`bes_shim_bh.c` says why it is not
    /// frozen instead). `keep_power`: the card stays powered and the firmware keeps running.
    pub(crate) fn suspend(&self, keep_power: bool) {
        self.power_kept.store(keep_power, Ordering::Release);
        let mut waited = 0;
        while self.tx_inflight.load(Ordering::Acquire) != 0 && waited < 500 {
            ffi::msleep(5);
            waited += 5;
        }
        if self.bh_link.park(true).is_err() {
            pr_warn!("bes2600: the BH did not stop for suspend\n");
        }
    }

    /// System resume: the firmware kept its state when the card kept power, and mac80211
    /// then replays the interface. Otherwise the BH reloads it first, as after a
    /// reset-and-reload recovery. Then the BH runs again.
    pub(crate) fn resume(&self) {
        if !self.power_kept.load(Ordering::Acquire) {
            self.mbox.lock().reload = true;
            self.post();
        }
        // Only an unknown BH fails this, and then nothing is parked.
        let _ = self.bh_link.park(false);
    }

    pub(crate) fn hw_unregister(&self) {
        self.registered.store(false, Ordering::Release);
        self.hw.unregister();
    }

    fn wake(&self) {
        self.bh_link.wake();
    }

    /// The mailbox has new requests: wake the BH to post them.
    fn post(&self) {
        self.posted.store(true, Ordering::Release);
        self.wake();
    }

    /// SDIO interrupt (mmc irq thread): mark RX pending and wake the BH.
    pub(crate) fn on_bus_irq(&self) {
        self.boot_irq.store(true, Ordering::Release);
        self.shared.on_irq();
        self.wake();
    }

    /// Keeps the firmware file's version string (`None`: no file) for debugfs `fw_version`.
    fn set_fw_file_label(&self, file: Option<&[u8]>) {
        let mut g = self.mbox.lock();
        let n = file.map_or(0, |f| f.len().min(g.fw_file.len()));
        if let (Some(dst), Some(src)) = (g.fw_file.get_mut(..n), file.and_then(|f| f.get(..n))) {
            dst.copy_from_slice(src);
        }
        g.fw_file_len = n;
    }

    /// The firmware file's version and the running firmware's label, for debugfs.
    pub(crate) fn with_fw_label<R>(&self, f: impl FnOnce(&[u8], &[u8]) -> R) -> R {
        let g = self.mbox.lock();
        f(
            g.fw_file.get(..g.fw_file_len).unwrap_or(&[]),
            g.fw_label.get(..g.fw_label_len).unwrap_or(&[]),
        )
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
