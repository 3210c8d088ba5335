// SPDX-License-Identifier: GPL-2.0-only
//! One BES2600 device: the engine and its bus owned by the bottom-half thread, the mac80211
//! ops (which only post requests to the BH and wake it), and bring-up/teardown.

use core::borrow::Borrow;
use core::mem::MaybeUninit;
use core::sync::atomic::{AtomicBool, AtomicU32, Ordering};

use kernel::c_str;
use kernel::prelude::*;
use kernel::sync::{new_spinlock, Arc, SpinLock};

use bes2600_engine::keys::{cipher, KeyConf, KeyError, KeyTable, RxCrypto};
use bes2600_engine::{
    Bus, CmdDone, CmdResult, ConnEvent, Engine, FwMode, Host, Policy, RecoveryCause,
    RecoveryRequest, RxBatch, Shared, StartConfig, StartupInfo, TxStatus,
};
use bes2600_wire::list::List;
use bes2600_wire::wsm::common::{Band, Ssid};
use bes2600_wire::wsm::join::{JoinMode, JoinReq, Preamble};
use bes2600_wire::wsm::key::AddKey;
use bes2600_wire::wsm::scan::{ScanChannel, ScanType, StartScan};
use bes2600_wire::wsm::tx::{PacketId, Queue, TxFlags, TxReq};

use crate::ffi::{
    self, BhCell, BhLink, BhSelf, BssInfo, DevicePtr, Firmware, Hw, HwRef, KeyReqC,
    RxBatch as SkbBatch, ScanReqC, SdioFunc, Skb,
};
use crate::sdio_bus::SdioBus;
use bes2600_fw::download::{self, Action, Event, Loader};
use bes2600_fw::image::Image;

/// Longest BH sleep when no timer is due.
const IDLE_NS: u64 = 100_000_000;
/// RX poll period while messages are in flight (the vendor's RX work re-queue).
const POLL_NS: u64 = 2_000_000;
/// How long bring-up may take before init fails.
const READY_TIMEOUT_MS: u32 = 20_000;
/// TX frames in flight (sent, not yet confirmed); the firmware credit limit is lower.
const TX_SLOTS: usize = 64;
/// Command tags.
const TAG_SCAN: u32 = 1;
const TAG_JOIN: u32 = 2;
const TAG_RESET: u32 = 3;
const TAG_STOP_SCAN: u32 = 4;
/// Key commands: this bit plus the request's generation in the low 16 bits.
const TAG_KEY: u32 = 1 << 16;
/// How long `set_key` waits for the firmware's confirm (the engine's command deadline,
/// spec §3.11, turns a lost confirm into a timeout well before this).
const KEY_TIMEOUT_MS: u32 = 5_000;

/// The engine's view of the shared atomics, kept alive by an `Arc` that debugfs also holds.
pub(crate) struct SharedRef(Arc<Shared>);

impl Borrow<Shared> for SharedRef {
    fn borrow(&self) -> &Shared {
        &self.0
    }
}

type Eng = Engine<SharedRef, 8>;

/// A scan request copied out of mac80211's.
#[derive(Clone, Copy)]
struct ScanJob {
    chans: [u16; 16],
    n: usize,
    ssid: [u8; 32],
    ssid_len: usize,
}

/// A join request from `bss_info_changed`.
#[derive(Clone, Copy)]
struct JoinJob {
    bssid: [u8; 6],
    channel: u16,
    beacon_int: u32,
    dtim: u8,
    basic_rates: u32,
}

/// A key command from `set_key` for the BH to submit.
#[derive(Clone, Copy)]
enum KeyJob {
    Add(AddKey),
    Remove(u8),
}

/// Requests from mac80211 ops (any process context) to the BH.
pub(crate) struct Mailbox {
    /// Firmware key entries in use (allocated in `set_key`, process context).
    keys: KeyTable,
    /// The key command waiting for the BH, with its generation.
    key_job: Option<(u16, KeyJob)>,
    /// The confirm status of the key command of that generation.
    key_done: Option<(u16, u32)>,
    key_gen: u16,
    scan: Option<ScanJob>,
    cancel_scan: bool,
    join: Option<JoinJob>,
    leave: bool,
    vif: usize,
    bssid: [u8; 6],
    fw_label: [u8; 128],
    fw_label_len: usize,
}

impl Default for Mailbox {
    fn default() -> Self {
        Self {
            keys: KeyTable::new(),
            key_job: None,
            key_done: None,
            key_gen: 0,
            scan: None,
            cancel_scan: false,
            join: None,
            leave: false,
            vif: 0,
            bssid: [0; 6],
            fw_label: [0; 128],
            fw_label_len: 0,
        }
    }
}

/// What only the BH thread touches.
pub(crate) struct BhState {
    engine: KBox<Eng>,
    bus: SdioBus,
    host: MacHost,
    /// Firmware files for the boot-ROM download (kept for re-downloads after a reset).
    boot: Option<BootFiles>,
}

/// The images a boot-ROM download needs (spec §2.1, §2.5).
pub(crate) struct BootFiles {
    boot: Option<Firmware>,
    stage2: Firmware,
    /// `bes2600_factory.txt` (spec §2.6), if the board has one.
    factory: Option<Firmware>,
}

/// Requests the boot image (not for btrf) and the stage-2 image of `fw_type`.
fn load_boot_files(hw: HwRef) -> Option<BootFiles> {
    let boot = if ffi::param_fw_type() == 2 {
        None
    } else {
        Some(
            hw.request_firmware(c_str!("bes2600/best2002_fw_boot_sdio.bin"))
                .ok()?,
        )
    };
    let stage2 = hw.request_firmware(fw_file()).ok()?;
    // Where the distribution and the vendor driver put it (bes2600_fw::calib::FIRMWARE_NAMES).
    let factory = hw
        .request_firmware_optional(c_str!("bes2600/bes2600_factory.txt"))
        .or_else(|| hw.request_firmware_optional(c_str!("bes2600_factory.txt")));
    Some(BootFiles {
        boot,
        stage2,
        factory,
    })
}

/// mac80211 side of the engine's host trait (RX batch, TX slots, scan state).
pub(crate) struct MacHost {
    hw: HwRef,
    rx: SkbBatch,
    pending: [Option<Skb>; TX_SLOTS],
    next_slot: usize,
    gen: u8,
    scanning: bool,
    restart: bool,
    /// The firmware was reset: once it is up again, mac80211 replays its state.
    hw_restart: bool,
}

/// A device: shared between the BH thread, mac80211 ops and debugfs.
///
/// Field order matters for drop: the BH state (skbs) goes before the hw it refers to.
pub(crate) struct Device {
    pub(crate) bh_state: BhCell<BhState>,
    pub(crate) shared: Arc<Shared>,
    pub(crate) mbox: Pin<KBox<SpinLock<Mailbox>>>,
    pub(crate) bh_link: BhLink,
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
    ptr: DevicePtr,
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
        let files = load_boot_files(hw.r());
        if files.is_none() {
            pr_warn!(
                "bes2600: firmware files missing; assuming the chip already runs its firmware\n"
            );
        }
        // The stage-2 file's version string prefixes the firmware label (debugfs fw_version).
        let label = firmware_label(hw.r());
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
    fn register(&self) -> Result {
        // HT MCS0-7 (spec §3.9: hw rates 14..21).
        self.hw.register(self.mac, 0xff)
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

    // ------------------------------------------------------------ mac80211 ops

    pub(crate) fn op_start(&self) -> Result {
        Ok(())
    }

    pub(crate) fn op_stop(&self) {
        let mut g = self.mbox.lock();
        g.scan = None;
        g.join = None;
    }

    pub(crate) fn op_add_interface(&self, vif: usize, _addr: [u8; 6], typ: i32) -> Result {
        // NL80211_IFTYPE_STATION = 2; one station interface only.
        if typ != 2 {
            return Err(ffi::errno(ffi::EOPNOTSUPP));
        }
        let mut g = self.mbox.lock();
        // The same vif again is mac80211 replaying its state after a firmware reset.
        if g.vif != 0 && g.vif != vif {
            return Err(EBUSY);
        }
        g.vif = vif;
        Ok(())
    }

    pub(crate) fn op_remove_interface(&self, vif: usize) {
        let mut g = self.mbox.lock();
        if g.vif == vif {
            g.vif = 0;
            if g.bssid != [0; 6] {
                g.bssid = [0; 6];
                g.leave = true;
            }
        }
        drop(g);
        self.wake();
    }

    pub(crate) fn op_config(&self, _changed: u32, freq: i32) {
        if let Ok(f) = u32::try_from(freq) {
            if f != 0 {
                self.cur_freq.store(f, Ordering::Relaxed);
            }
        }
    }

    pub(crate) fn op_bss_info_changed(&self, info: &BssInfo, changed: u64) {
        // BSS_CHANGED_BSSID = bit 7.
        if changed & (1 << 7) == 0 {
            return;
        }
        let mut g = self.mbox.lock();
        if info.bssid == g.bssid {
            return;
        }
        g.bssid = info.bssid;
        if info.bssid == [0; 6] {
            g.join = None;
            g.leave = true;
        } else {
            let freq = u32::try_from(info.freq).unwrap_or(0);
            g.join = Some(JoinJob {
                bssid: info.bssid,
                channel: freq_to_channel(freq).unwrap_or(0),
                beacon_int: u32::from(info.beacon_int),
                dtim: info.dtim_period,
                basic_rates: basic_rates_to_hw(info.basic_rates),
            });
        }
        drop(g);
        self.wake();
    }

    pub(crate) fn op_configure_filter(&self, _total: u32) {}

    pub(crate) fn op_sta_add(&self, _aid: u16) {}

    pub(crate) fn op_sta_remove(&self) {}

    /// `set_key`: SET_KEY maps the key and installs it in a free firmware entry (returned
    /// for `hw_key_idx`); DISABLE_KEY removes it. Sleeps until the firmware confirmed.
    pub(crate) fn op_set_key(&self, disable: bool, req: &KeyReqC) -> Result<u8> {
        if disable {
            let entry = req.hw_key_idx;
            // An entry we do not hold was lost with a firmware reset: nothing to remove.
            if self.mbox.lock().keys.free(entry).is_ok() {
                self.key_command(KeyJob::Remove(entry))?;
                self.keys_removed.fetch_add(1, Ordering::Relaxed);
            }
            return Ok(entry);
        }
        // CMAC (BIP) and SMS4 stay in software: only the data ciphers station firmware
        // is known to handle are offloaded.
        if !matches!(
            req.cipher,
            cipher::WEP40 | cipher::WEP104 | cipher::TKIP | cipher::CCMP
        ) {
            return Err(ffi::errno(ffi::EOPNOTSUPP));
        }
        let key = req.key.get(..usize::from(req.key_len)).ok_or(EINVAL)?;
        let conf = KeyConf {
            cipher: req.cipher,
            key_idx: req.key_idx,
            pairwise: req.pairwise,
            peer: req.has_peer.then_some(req.peer),
            key,
            rx_pn: req.rx_pn,
        };
        let add = self.mbox.lock().keys.install(&conf).map_err(key_errno)?;
        match self.key_command(KeyJob::Add(add)) {
            Ok(()) => {
                self.keys_installed.fetch_add(1, Ordering::Relaxed);
                Ok(add.entry_index)
            }
            Err(e) => {
                let _ = self.mbox.lock().keys.free(add.entry_index);
                Err(e)
            }
        }
    }

    /// Posts a key command to the BH and waits (bounded) for its confirm.
    fn key_command(&self, job: KeyJob) -> Result {
        let gen = {
            let mut g = self.mbox.lock();
            g.key_gen = g.key_gen.wrapping_add(1);
            let gen = g.key_gen;
            g.key_job = Some((gen, job));
            g.key_done = None;
            gen
        };
        self.wake();
        let mut waited = 0;
        loop {
            {
                let mut g = self.mbox.lock();
                if let Some((done_gen, status)) = g.key_done {
                    if done_gen == gen {
                        g.key_done = None;
                        return if status == 0 {
                            Ok(())
                        } else {
                            pr_warn!("bes2600: key command refused, status {}\n", status);
                            Err(ffi::errno(ffi::EIO))
                        };
                    }
                }
                if waited >= KEY_TIMEOUT_MS {
                    if g.key_job.is_some_and(|(jg, _)| jg == gen) {
                        g.key_job = None;
                    }
                    return Err(ffi::errno(ffi::ETIMEDOUT));
                }
            }
            ffi::msleep(1);
            waited += 1;
        }
    }

    pub(crate) fn op_hw_scan(&self, req: &ScanReqC) -> Result {
        let mut job = ScanJob {
            chans: [0; 16],
            n: 0,
            ssid: [0; 32],
            ssid_len: 0,
        };
        let n = usize::try_from(req.n_freqs)
            .unwrap_or(0)
            .min(req.freqs.len());
        for ch in req
            .freqs
            .iter()
            .take(n)
            .filter_map(|f| freq_to_channel(u32::from(*f)))
        {
            if let Some(dst) = job.chans.get_mut(job.n) {
                *dst = ch;
                job.n += 1;
            }
        }
        let sl = usize::try_from(req.ssid_len).unwrap_or(0).min(32);
        for (d, s) in job.ssid.iter_mut().zip(req.ssid.iter().take(sl)) {
            *d = *s;
        }
        job.ssid_len = sl;
        let mut g = self.mbox.lock();
        if g.scan.is_some() {
            return Err(EBUSY);
        }
        g.scan = Some(job);
        drop(g);
        self.wake();
        Ok(())
    }

    pub(crate) fn op_cancel_hw_scan(&self) {
        self.mbox.lock().cancel_scan = true;
        self.wake();
    }

    pub(crate) fn op_wake_tx(&self) {
        self.shared.on_tx();
        self.wake();
    }

    pub(crate) fn op_flush(&self, _drop: bool) {
        // Wait (bounded) until every frame handed to the firmware is confirmed.
        let mut waited = 0;
        while self.tx_inflight.load(Ordering::Acquire) != 0 && waited < 200 {
            ffi::msleep(5);
            waited += 5;
        }
    }

    pub(crate) fn op_ampdu_action(&self, action: i32, _tid: u16) -> Result {
        // The firmware reorders RX A-MPDUs itself and runs TX aggregation on its own
        // (spec §4.4): accept RX sessions, refuse host-driven TX sessions.
        match action {
            0 | 1 => Ok(()),
            _ => Err(ffi::errno(ffi::EOPNOTSUPP)),
        }
    }

    // ------------------------------------------------------------ bottom half

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

    /// The BH thread: owns the engine and the bus until told to stop.
    pub(crate) fn bh_main(&self, st: &mut BhState, me: BhSelf) {
        self.download_if_files(st);
        if st.engine.start(&self.start_cfg(), ffi::now_ns()).is_err() {
            pr_err!("bes2600: engine start refused\n");
        }
        let mut timeout = 0;
        while me.wait(timeout) {
            timeout = self.service(st);
        }
        let BhState { engine, host, .. } = st;
        let mut ctx = HostCtx { dev: self, h: host };
        engine.stop(&mut ctx);
        ctx.h.hw.tx_purge();
    }

    /// Downloads the firmware when the files were found (kept for re-downloads after a
    /// reset-and-reload recovery).
    fn download_if_files(&self, st: &mut BhState) {
        let BhState { bus, boot, .. } = st;
        if let Some(files) = boot.as_ref() {
            let t = ffi::now_ns();
            bus.set_download(true);
            let r = self.download(bus, files);
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
        let mut act = ld.start(ffi::now_ns());
        loop {
            if BhSelf::should_stop() {
                return Err("stopped");
            }
            let ev = match act {
                Action::Done(o) => {
                    if o.factory_sent {
                        pr_info!(
                            "bes2600: factory calibration sent ({} bytes)\n",
                            bes2600_fw::calib::RECORD_LEN
                        );
                    }
                    return Ok(());
                }
                Action::Failed(e) => {
                    pr_err!("bes2600: boot ROM download error: {:?}\n", e);
                    return Err("boot ROM refused the download");
                }
                Action::ReadRxBufInfo => {
                    let r = (
                        bus.read_reg8(download::REG_SLAVE_RX_BUF_CNT),
                        bus.read_reg8(download::REG_SLAVE_RX_BUF_LEN),
                        bus.read_reg8(download::REG_SLAVE_RX_BUF_LEN + 1),
                    );
                    match r {
                        (Ok(count), Ok(lo), Ok(hi)) => Event::RxBufInfo {
                            count,
                            max_len: u16::from_le_bytes([lo, hi]),
                        },
                        _ => Event::BusError,
                    }
                }
                // The CMD53 address carries the transfer's length in the download too
                // (spec errata 9, C:bes2600_sdio.c:340-352).
                Action::Send { len } => match (ld.frame().get(..len), u32::try_from(len)) {
                    (Some(f), Ok(addr)) => bus
                        .write_data(addr, f)
                        .map_or(Event::BusError, |()| Event::Sent),
                    _ => Event::BusError,
                },
                Action::Sleep { until_ns } => {
                    sleep_until(until_ns);
                    Event::Slept
                }
                Action::WaitIrq { deadline_ns } => {
                    if wait_irq(&self.boot_irq, deadline_ns) {
                        Event::Irq
                    } else {
                        Event::Timeout
                    }
                }
                Action::ReadReplyLen => match (
                    bus.read_reg8(download::REG_REPLY_LEN),
                    bus.read_reg8(download::REG_REPLY_LEN + 1),
                ) {
                    (Ok(lo), Ok(hi)) => Event::ReplyLen(u16::from_le_bytes([lo, hi])),
                    _ => Event::BusError,
                },
                Action::ReadReply { len } => match (rx.get_mut(..len), u32::try_from(len)) {
                    (Some(b), Ok(addr)) => {
                        if bus.read_data(addr, b).is_ok() {
                            act = ld.step(ffi::now_ns(), Event::Reply(b));
                            continue;
                        }
                        Event::BusError
                    }
                    _ => Event::BusError,
                },
                Action::ReadSlaveStatus => bus
                    .read_reg8(download::REG_SLAVE_STATUS)
                    .map_or(Event::BusError, Event::SlaveStatus),
            };
            act = ld.step(ffi::now_ns(), ev);
        }
    }

    /// One BH pass: post requests, run the engine until idle.
    fn service(&self, st: &mut BhState) -> u64 {
        self.post_requests(st);
        let mut next = None;
        for _ in 0..64 {
            let BhState {
                engine, bus, host, ..
            } = &mut *st;
            let mut ctx = HostCtx { dev: self, h: host };
            let out = engine.run(bus, &mut ctx, ffi::now_ns());
            next = out.next_deadline_ns;
            let mut again = out.more_work;
            if st.host.restart {
                st.host.restart = false;
                // Frames the firmware held are gone with it: report them as not acked.
                for p in st.host.pending.iter_mut() {
                    if let Some(skb) = p.take() {
                        self.tx_inflight.fetch_sub(1, Ordering::AcqRel);
                        skb.tx_status(false, 1);
                    }
                }
                let _ = st.bus.reset();
                {
                    // The firmware's key table and join went with the reset: forget them so
                    // mac80211's replay (`hw_restart`) installs and joins again.
                    let mut g = self.mbox.lock();
                    g.keys.clear();
                    g.bssid = [0; 6];
                    g.join = None;
                }
                st.host.hw_restart = self.registered.load(Ordering::Acquire);
                // The reset put the chip back in its boot ROM: download again.
                self.download_if_files(st);
                let _ = st.engine.start(&self.start_cfg(), ffi::now_ns());
                again = true;
            }
            if !again {
                break;
            }
        }
        let now = ffi::now_ns();
        let wait = match next {
            Some(t) if t > now => (t - now).min(IDLE_NS),
            Some(_) => 1,
            None => IDLE_NS,
        };
        // The vendor driver does not rely on the interrupt alone: it reads the RX length
        // after every TX write (C:bes2600_sdio.c:1176) and again while confirms are
        // outstanding (C:bes2600_sdio.c:930-937). Every TX write leaves a message in
        // flight, so polling while credits are in use covers both.
        let (_, in_use, _) = st.engine.credits();
        if in_use > 0 {
            self.shared.on_irq();
            return wait.min(POLL_NS);
        }
        wait
    }

    fn post_requests(&self, st: &mut BhState) {
        let (scan, cancel, join, leave, key) = {
            let mut g = self.mbox.lock();
            let r = (
                g.scan.take(),
                g.cancel_scan,
                g.join.take(),
                g.leave,
                g.key_job.take(),
            );
            g.cancel_scan = false;
            g.leave = false;
            r
        };
        let eng = &mut st.engine;
        if leave {
            let _ = eng.reset(0, TAG_RESET, false);
        }
        if let Some((gen, job)) = key {
            let tag = TAG_KEY | u32::from(gen);
            let queued = match job {
                KeyJob::Add(k) => eng.add_key(0, tag, &k),
                KeyJob::Remove(e) => eng.remove_key(0, tag, e),
            };
            if queued.is_err() {
                self.mbox.lock().key_done = Some((gen, u32::MAX));
            }
        }
        if let Some(j) = join {
            let req = JoinReq {
                mode: JoinMode::Bss,
                band: Band::Band2G4,
                channel: j.channel,
                bssid: j.bssid,
                atim_window: 0,
                preamble: Preamble::Long,
                probe_for_join: 0,
                dtim_period: j.dtim.max(1),
                flags: 0,
                ssid: Ssid::default(),
                beacon_interval: j.beacon_int,
                basic_rate_set: j.basic_rates,
            };
            if eng.submit_msg(&req, 0, TAG_JOIN).is_err() {
                pr_warn!("bes2600: join not queued\n");
            } else {
                pr_info!("bes2600: join channel {}\n", j.channel);
            }
        }
        if let Some(s) = scan {
            let mut chans = [ScanChannel {
                number: 0,
                min_time: 0,
                max_time: 0,
            }; 16];
            for (c, n) in chans.iter_mut().zip(s.chans.iter()) {
                *c = ScanChannel {
                    number: *n,
                    min_time: 10,
                    max_time: 30,
                };
            }
            let ssid = Ssid::new(s.ssid.get(..s.ssid_len).unwrap_or(&[])).unwrap_or_default();
            let ssids = [ssid];
            let n_ssids = usize::from(s.ssid_len > 0);
            let req = StartScan {
                band: Band::Band2G4,
                scan_type: ScanType::Foreground,
                flags: 0,
                max_tx_rate: 0,
                auto_scan_interval: 0,
                num_probe_req: 2,
                probe_delay: 0,
                channels: List::from_items(chans.get(..s.n).unwrap_or(&[])),
                ssids: List::from_items(ssids.get(..n_ssids).unwrap_or(&[])),
            };
            if eng.submit_msg(&req, 0, TAG_SCAN).is_ok() {
                st.host.scanning = true;
            } else {
                st.host.hw.scan_completed(true);
            }
        }
        if cancel && st.host.scanning {
            if st.engine.stop_scan(0, TAG_STOP_SCAN).is_err() {
                st.host.scanning = false;
                st.host.hw.scan_completed(true);
            }
        }
    }
}

/// The errno `set_key` returns for a key the engine cannot map.
fn key_errno(e: KeyError) -> Error {
    match e {
        // mac80211 falls back to software crypto on -EOPNOTSUPP.
        KeyError::UnsupportedCipher(_) => ffi::errno(ffi::EOPNOTSUPP),
        KeyError::TableFull => ffi::errno(ffi::ENOSPC),
        KeyError::BadLength { .. }
        | KeyError::BadKeyIndex(_)
        | KeyError::MissingPeer
        | KeyError::BadEntry(_) => EINVAL,
    }
}

/// Parses `bes2600_factory.txt` into the 72-byte record with its CRC (spec §2.6). A file that
/// does not parse is reported and skipped: the chip then runs on its built-in defaults,
/// which is what the vendor driver does without a file.
fn factory_record(
    text: &[u8],
    crc: &ffi::KernelCrc,
) -> Option<[u8; bes2600_fw::calib::RECORD_LEN]> {
    match bes2600_fw::calib::Factory::parse(text) {
        Ok(f) => {
            f.sanity(|w| pr_warn!("bes2600: factory calibration: {:?}\n", w));
            Some(f.to_record(crc))
        }
        Err(e) => {
            pr_warn!("bes2600: bes2600_factory.txt rejected: {:?}\n", e);
            None
        }
    }
}

/// Stage-2 firmware file for `fw_type` (spec §2.1, §2.7).
fn fw_file() -> &'static CStr {
    match ffi::param_fw_type() {
        1 => c_str!("bes2600/best2002_fw_sdio_nosignal.bin"),
        2 => c_str!("bes2600/best2002_fw_sdio_btrf.bin"),
        _ => c_str!("bes2600/best2002_fw_sdio.bin"),
    }
}

/// The version string of the stage-2 firmware file (spec §2.2), if the file is there.
fn firmware_label(hw: HwRef) -> Option<([u8; 64], usize)> {
    let fw = hw.request_firmware(fw_file()).ok()?;
    let v = bes2600_fw::image::find_version(fw.data())?;
    let mut out = [0u8; 64];
    let n = v.len().min(out.len());
    out.get_mut(..n)?.copy_from_slice(v.get(..n)?);
    Some((out, n))
}

/// Writes a new engine into `slot` (kept out of line so no caller frame holds a copy).
#[inline(never)]
fn init_engine(slot: &mut MaybeUninit<Eng>, shared: SharedRef) -> &mut Eng {
    slot.write(Engine::new(shared, Policy::default()))
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

/// 2.4 GHz channel number of a centre frequency.
fn freq_to_channel(freq: u32) -> Option<u16> {
    match freq {
        2484 => Some(14),
        2412..=2472 if (freq - 2407) % 5 == 0 => u16::try_from((freq - 2407) / 5).ok(),
        _ => None,
    }
}

/// Centre frequency of a 2.4 GHz channel.
fn channel_to_freq(ch: u16) -> Option<u16> {
    match ch {
        14 => Some(2484),
        1..=13 => Some(2407 + 5 * ch),
        _ => None,
    }
}

/// mac80211 basic-rate bitmap (indices into our 12-rate table) to firmware rate bits
/// (spec §3.9: table 0-3 = hw 0-3, table 4-11 = hw 6-13).
fn basic_rates_to_hw(b: u32) -> u32 {
    let mut out = 0u32;
    for i in 0..12u32 {
        if b & (1 << i) != 0 {
            let hw = if i < 4 { i } else { i + 2 };
            out |= 1 << hw;
        }
    }
    out
}

/// The engine's host, bound to the device for one `run`.
struct HostCtx<'a> {
    dev: &'a Device,
    h: &'a mut MacHost,
}

impl Host for HostCtx<'_> {
    fn next_tx(&mut self, buf: &mut [u8]) -> Option<usize> {
        loop {
            // A free pending slot bounds the frames in flight.
            let slot = (0..TX_SLOTS)
                .map(|i| (self.h.next_slot + i) % TX_SLOTS)
                .find(|&i| self.h.pending.get(i).is_some_and(|p| p.is_none()))?;
            let skb = self.h.hw.tx_dequeue()?;
            let queue = Queue::from_mac80211(skb.queue()).unwrap_or(Queue::BestEffort);
            self.h.gen = self.h.gen.wrapping_add(1);
            let item = u8::try_from(slot).ok()?;
            let pid = PacketId::new(item, self.h.gen & 0x7, queue as u8, 0, 0, 0);
            let req = TxReq {
                packet_id: pid,
                max_tx_rate: 0,
                queue,
                link_id: 0,
                more: 0,
                flags: TxFlags::new(0, 0),
                expire_time: 0,
                ht_tx_parameters: 0,
                frame: skb.data(),
            };
            match bes2600_wire::wsm::emit(&req, 0, buf) {
                Ok(n) => {
                    if let Some(p) = self.h.pending.get_mut(slot) {
                        *p = Some(skb);
                    }
                    self.h.next_slot = (slot + 1) % TX_SLOTS;
                    self.dev.tx_inflight.fetch_add(1, Ordering::AcqRel);
                    return Some(n);
                }
                // Too large for one slot (spec errata: refuse >1628 B): drop, try the next.
                Err(_) => drop(skb),
            }
        }
    }

    fn tx_pending(&mut self) -> bool {
        self.h.hw.tx_pending()
    }

    fn rx_batch(&mut self, batch: &RxBatch<'_>) {
        let cur = u16::try_from(self.dev.cur_freq.load(Ordering::Relaxed)).unwrap_or(2437);
        for (meta, frame) in batch.iter() {
            if frame.is_empty() {
                continue;
            }
            let freq = channel_to_freq(meta.channel).unwrap_or(cur);
            let signal = i32::from(meta.rcpi) / 2 - 110;
            let (rate, ht) = match meta.rate {
                r @ 14..=21 => (i32::from(r - 14), true),
                r @ 0..=3 => (i32::from(r), false),
                r @ 6..=13 => (i32::from(r - 2), false),
                _ => (0, false),
            };
            let flags = match meta.crypto() {
                RxCrypto::Plain => 0,
                RxCrypto::DecryptedInPlace => ffi::RX_DECRYPTED,
                RxCrypto::DecryptedStripped => ffi::RX_DECRYPTED | ffi::RX_IV_STRIPPED,
                RxCrypto::MicFailure => ffi::RX_MIC_ERROR,
                // WAPI is never offloaded: such a frame cannot be ours.
                RxCrypto::Unsupported(_) => continue,
            };
            if flags & ffi::RX_DECRYPTED != 0 {
                self.dev.rx_decrypted.fetch_add(1, Ordering::Relaxed);
            }
            if self.h.rx.add(frame, freq, signal, rate, ht, flags).is_err() {
                break;
            }
        }
        self.h.rx.deliver(self.h.hw);
    }

    fn tx_status(&mut self, status: &TxStatus) {
        let pid = PacketId(status.packet_id);
        let slot = usize::from(pid.item());
        let Some(p) = self.h.pending.get_mut(slot) else {
            return;
        };
        if let Some(skb) = p.take() {
            self.dev.tx_inflight.fetch_sub(1, Ordering::AcqRel);
            skb.tx_status(status.status == 0, status.ack_failures.saturating_add(1));
        }
    }

    fn cmd_done(&mut self, done: &CmdDone<'_>) {
        if done.tag & TAG_KEY != 0 {
            let status = match done.result {
                CmdResult::Confirmed { status, .. } => status,
                _ => u32::MAX,
            };
            // CAST: the low 16 bits are the generation by construction of the tag.
            let gen = (done.tag & 0xFFFF) as u16;
            self.dev.mbox.lock().key_done = Some((gen, status));
            return;
        }
        let ok = matches!(done.result, CmdResult::Confirmed { status: 0, .. });
        match done.tag {
            TAG_SCAN if !ok => {
                if self.h.scanning {
                    self.h.scanning = false;
                    self.h.hw.scan_completed(true);
                }
            }
            TAG_JOIN if !ok => pr_warn!("bes2600: join failed\n"),
            _ => {}
        }
    }

    fn scan_complete(&mut self, _if_id: u8, _status: u32) {
        if self.h.scanning {
            self.h.scanning = false;
            self.h.hw.scan_completed(false);
        }
    }

    fn event(&mut self, ev: &ConnEvent) {
        if let ConnEvent::BssLost { .. } = ev {
            pr_info!("bes2600: BSS lost\n");
        }
    }

    fn recovery(&mut self, req: &RecoveryRequest) {
        let cause = match req {
            RecoveryRequest::Reassociate { cause } | RecoveryRequest::ResetAndReload { cause } => {
                *cause
            }
        };
        let count = self.dev.shared.snapshot().recoveries_of(cause);
        self.h.hw.uevent_recovery(cause_cstr(cause), count);
        pr_warn!("bes2600: recovery {} #{}\n", cause.name(), count);
        if matches!(req, RecoveryRequest::Reassociate { .. }) {
            let g = self.dev.mbox.lock();
            if g.vif != 0 && g.bssid != [0; 6] {
                // SAFETY: g.vif is live: remove_interface clears it under this lock, held
                // across the call.
                unsafe { ffi::connection_loss(g.vif) };
            }
        }
        if matches!(req, RecoveryRequest::ResetAndReload { .. }) {
            if self.h.scanning {
                self.h.scanning = false;
                self.h.hw.scan_completed(true);
            }
            self.h.restart = true;
        }
    }

    fn ready(&mut self, info: &StartupInfo) {
        let mut g = self.dev.mbox.lock();
        let mut w = crate::debugfs::SliceWriter::new(&mut g.fw_label);
        let _ = core::fmt::write(
            &mut w,
            format_args!(
                "{} wsm-api {} build {} version {} bufs {}x{}",
                "bes2600",
                info.fw_api,
                info.fw_build,
                info.fw_version,
                info.num_inp_ch_bufs,
                info.size_inp_ch_buf
            ),
        );
        let n = w.len();
        g.fw_label_len = n;
        drop(g);
        self.dev.ready.store(true, Ordering::Release);
        if self.h.hw_restart && self.dev.registered.load(Ordering::Acquire) {
            self.h.hw_restart = false;
            pr_info!("bes2600: firmware back up; mac80211 restores the interface\n");
            self.h.hw.restart();
        }
    }

    fn now_ns(&mut self) -> Option<u64> {
        Some(ffi::now_ns())
    }
}

fn cause_cstr(c: RecoveryCause) -> &'static CStr {
    match c {
        RecoveryCause::DecryptStorm => c_str!("decrypt_storm"),
        RecoveryCause::ConnectionLoss => c_str!("connection_loss"),
        RecoveryCause::CmdTimeout => c_str!("cmd_timeout"),
        RecoveryCause::FwHang => c_str!("fw_hang"),
        RecoveryCause::BusError => c_str!("bus_error"),
    }
}
