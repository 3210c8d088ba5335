// SPDX-License-Identifier: GPL-2.0-only
//! The only place with `unsafe`: the bindgen'd shim declarations, owned handles over the
//! shim's objects, and the `extern "C"` entry points the shim calls (`bes_rs_*`).
//!
//! Every handle here owns exactly one kernel object and releases it in `Drop`; the rest of
//! the crate only sees safe methods.

use core::cell::UnsafeCell;
use core::ffi::{c_char, c_int, c_void};
use core::mem::MaybeUninit;
use core::ptr::{self, NonNull};
use core::sync::atomic::{AtomicBool, AtomicPtr, Ordering};

use kernel::prelude::*;

use crate::device::{Device, DeviceHandle};

#[allow(
    non_camel_case_types,
    non_upper_case_globals,
    non_snake_case,
    dead_code,
    unreachable_pub,
    missing_docs,
    clippy::all
)]
mod sys {
    // bindgen's output for bes_shim.h, checked in (README "Bindings"); regenerate with the
    // command ci/tests.d/95-kmod-bindings.sh prints when it no longer matches the header.
    include!("shim_bindings.rs");
}

pub(crate) use sys::{bes_bss_info as BssInfo, bes_key_req as KeyReqC, bes_scan_req as ScanReqC};

/// Converts a shim return code (0 or a negative errno) into a `Result`.
fn check(ret: c_int) -> Result {
    if ret < 0 {
        Err(Error::from_errno(ret))
    } else {
        Ok(())
    }
}

pub(crate) use kernel::bindings::{EILSEQ, EIO, ENOSPC, EOPNOTSUPP, ETIMEDOUT};

/// The kernel error for a positive errno constant from `kernel::bindings`.
pub(crate) fn errno(e: u32) -> Error {
    Error::from_errno(-(i32::try_from(e).unwrap_or(5)))
}

/// `fw_type=` parameter.
pub(crate) fn param_fw_type() -> i32 {
    // SAFETY: reads a module parameter; no preconditions.
    unsafe { sys::bes_param_fw_type() }
}

/// Monotonic time in ns.
pub(crate) fn now_ns() -> u64 {
    // SAFETY: ktime_get_ns has no preconditions.
    unsafe { sys::bes_ktime_ns() }
}

/// Sleeps (process context only).
pub(crate) fn msleep(ms: u32) {
    // SAFETY: msleep may sleep; every caller runs in process context.
    unsafe { sys::bes_msleep(ms) }
}

/// zlib/IEEE CRC-32 (the kernel's `crc32_le`), as the firmware loader's `Crc32`.
pub(crate) struct KernelCrc;

impl bes2600_fw::Crc32 for KernelCrc {
    fn crc32(&self, data: &[u8]) -> u32 {
        // SAFETY: data is readable for its length during the call.
        unsafe { sys::bes_crc32(data.as_ptr(), data.len()) }
    }
}

/// A random locally administered unicast MAC address.
pub(crate) fn random_mac() -> [u8; 6] {
    let mut mac = [0u8; 6];
    // SAFETY: `mac` is 6 writable bytes.
    unsafe { sys::bes_random_mac(mac.as_mut_ptr()) };
    mac
}

/// `local-mac-address` of the `bestechnic,bes2600-sdio` DT node, if any.
pub(crate) fn dt_mac() -> Option<[u8; 6]> {
    let mut mac = [0u8; 6];
    // SAFETY: `mac` is 6 writable bytes.
    let r = unsafe { sys::bes_dt_mac(mac.as_mut_ptr()) };
    (r == 0).then_some(mac)
}

// ------------------------------------------------------------------ in-place boxing

/// Allocates a `KBox<T>` and lets `init` write the value straight into it, on a large
/// temporary stack.
///
/// The engine and the chip model are tens of KiB and only have by-value constructors;
/// built with the kernel's flags, `Engine::new` needs ~120 KiB of stack, far beyond the
/// 16 KiB kernel stack. Until those crates offer in-place initialisation, the construction
/// runs on a 512 KiB vmalloc'ed stack with IRQs off (`bes_call_on_big_stack`), so `init`
/// must not sleep. `init` must return the reference that `MaybeUninit::write` gave back
/// (checked), which proves the slot is initialised.
pub(crate) fn kbox_in_place<T, F>(init: F) -> Result<KBox<T>>
where
    F: FnOnce(&mut MaybeUninit<T>) -> &mut T,
{
    struct Job<'a, T, F> {
        f: Option<F>,
        slot: &'a mut MaybeUninit<T>,
        ok: bool,
    }
    extern "C" fn tramp<T, F: FnOnce(&mut MaybeUninit<T>) -> &mut T>(arg: *mut c_void) {
        // SAFETY: `arg` is the `&mut Job` passed below, exclusively ours for the call.
        let job = unsafe { &mut *arg.cast::<Job<'_, T, F>>() };
        if let Some(f) = job.f.take() {
            let want: *const T = job.slot.as_ptr();
            let done: *const T = f(&mut *job.slot);
            job.ok = ptr::eq(want, done);
        }
    }
    let mut b = KBox::<T>::new_uninit(GFP_KERNEL)?;
    let mut job = Job {
        f: Some(init),
        slot: &mut *b,
        ok: false,
    };
    // SAFETY: tramp matches the callback type; `job` outlives the synchronous call.
    check(unsafe {
        sys::bes_call_on_big_stack(Some(tramp::<T, F>), ptr::addr_of_mut!(job).cast())
    })?;
    if !job.ok {
        // Not provably initialised: leak rather than risk dropping garbage.
        core::mem::forget(b);
        return Err(EINVAL);
    }
    // SAFETY: `init` returned the `&mut T` that `MaybeUninit::write` produced for this very
    // slot (pointer equality checked in tramp), so the value is initialised.
    Ok(unsafe { b.assume_init() })
}

// ------------------------------------------------------------------ set-once cell for BH state

/// State owned by the bottom-half thread alone.
///
/// Only [`bes_rs_bh_main`] (running on that thread) and the device teardown (after the
/// thread has been stopped) obtain `&mut` access.
pub(crate) struct BhCell<T>(UnsafeCell<T>);

// SAFETY: access is confined to one thread at a time (the BH thread while it runs, the
// teardown path after `kthread_stop` returned), see the type's documentation.
unsafe impl<T: Send> Sync for BhCell<T> {}

impl<T> BhCell<T> {
    /// Wraps the state.
    pub(crate) fn new(v: T) -> Self {
        Self(UnsafeCell::new(v))
    }
}

// ------------------------------------------------------------------ mac80211 hw

/// An `ieee80211_hw` (owned: freed on drop; unregistered first if it was registered).
pub(crate) struct Hw {
    ptr: NonNull<sys::ieee80211_hw>,
    registered: AtomicBool,
}

// SAFETY: mac80211 functions we call on the hw are safe from any context we use them in.
unsafe impl Send for Hw {}
// SAFETY: as above; the shim's helpers take their own locks where mac80211 needs them.
unsafe impl Sync for Hw {}

/// A copyable reference to the hw for the BH and the ops (valid while the device lives).
#[derive(Clone, Copy)]
pub(crate) struct HwRef(NonNull<sys::ieee80211_hw>);

// SAFETY: see `Hw`.
unsafe impl Send for HwRef {}
// SAFETY: see `Hw`.
unsafe impl Sync for HwRef {}

impl Hw {
    /// Allocates the hw with the band/rates/flags of spec §3.9 (driver pointer set later).
    pub(crate) fn alloc() -> Result<Self> {
        // SAFETY: a NULL driver pointer is allowed until registration.
        let p = unsafe { sys::bes_hw_alloc(ptr::null_mut()) };
        let ptr = NonNull::new(p).ok_or(ENOMEM)?;
        Ok(Self {
            ptr,
            registered: AtomicBool::new(false),
        })
    }

    /// The copyable reference.
    pub(crate) fn r(&self) -> HwRef {
        HwRef(self.ptr)
    }

    /// Stores the driver pointer mac80211 ops get back.
    fn set_drv(&self, drv: *mut c_void) {
        // SAFETY: hw is valid; not registered yet, so no op runs concurrently.
        unsafe { sys::bes_hw_set_drv(self.ptr.as_ptr(), drv) }
    }

    /// Makes the SDIO function the wiphy's parent device.
    pub(crate) fn set_sdio_parent(&self, func: SdioFunc) {
        // SAFETY: both pointers are valid; the function outlives the device.
        unsafe { sys::bes_hw_set_sdio_parent(self.ptr.as_ptr(), func.0.as_ptr()) }
    }

    /// Registers with mac80211 (creates the wiphy and `wlan0`).
    pub(crate) fn register(&self, mac: [u8; 6], ht_mcs_mask: u16) -> Result {
        if self.registered.load(Ordering::Acquire) {
            return Err(EBUSY);
        }
        let info = sys::bes_band_info { mac, ht_mcs_mask };
        // SAFETY: hw is valid and not registered; info lives across the call. Only the
        // probe/init path registers, once.
        check(unsafe { sys::bes_hw_register(self.ptr.as_ptr(), &info) })?;
        self.registered.store(true, Ordering::Release);
        Ok(())
    }

    /// Unregisters (idempotent).
    pub(crate) fn unregister(&self) {
        if self.registered.swap(false, Ordering::AcqRel) {
            // SAFETY: registered exactly once before; the swap makes this run once.
            unsafe { sys::bes_hw_unregister(self.ptr.as_ptr()) };
        }
    }
}

impl Drop for Hw {
    fn drop(&mut self) {
        self.unregister();
        // SAFETY: allocated by bes_hw_alloc, freed once; nothing uses it afterwards.
        unsafe { sys::bes_hw_free(self.ptr.as_ptr()) };
    }
}

impl HwRef {
    /// Reports the end of a hardware scan.
    pub(crate) fn scan_completed(self, aborted: bool) {
        // SAFETY: hw is valid while the device lives.
        unsafe { sys::bes_hw_scan_completed(self.0.as_ptr(), aborted) }
    }

    /// Asks mac80211 to replay its state into the (reset) firmware.
    pub(crate) fn restart(self) {
        // SAFETY: hw is valid and registered while the BH runs.
        unsafe { sys::bes_hw_restart(self.0.as_ptr()) }
    }

    /// Next frame to transmit, if any.
    pub(crate) fn tx_dequeue(self) -> Option<Skb> {
        // SAFETY: hw is valid; BH context (may take mac80211's TXQ locks).
        let p = unsafe { sys::bes_tx_dequeue(self.0.as_ptr()) };
        NonNull::new(p).map(|ptr| Skb { ptr, hw: self })
    }

    /// Whether frames wait in the driver's direct queue.
    pub(crate) fn tx_pending(self) -> bool {
        // SAFETY: hw is valid.
        unsafe { sys::bes_tx_pending(self.0.as_ptr()) != 0 }
    }

    /// Drops every frame in the direct queue.
    pub(crate) fn tx_purge(self) {
        // SAFETY: hw is valid.
        unsafe { sys::bes_tx_purge(self.0.as_ptr()) }
    }

    /// Sends the recovery uevent of contracts.md.
    pub(crate) fn uevent_recovery(self, cause: &CStr, count: u64) {
        // SAFETY: hw is valid; `cause` is NUL-terminated and lives across the call.
        unsafe { sys::bes_uevent_recovery(self.0.as_ptr(), cause.as_char_ptr(), count) }
    }

    /// Requests a firmware file (process context).
    pub(crate) fn request_firmware(self, name: &CStr) -> Result<Firmware> {
        self.firmware(name, false)
    }

    /// Requests a firmware file that may be absent, without a log line if it is.
    pub(crate) fn request_firmware_optional(self, name: &CStr) -> Option<Firmware> {
        self.firmware(name, true).ok()
    }

    fn firmware(self, name: &CStr, optional: bool) -> Result<Firmware> {
        let mut handle: *mut c_void = ptr::null_mut();
        let mut data: *const u8 = ptr::null();
        let mut len: usize = 0;
        // SAFETY: out-pointers are valid; name is NUL-terminated.
        check(unsafe {
            sys::bes_fw_request(
                self.0.as_ptr(),
                name.as_char_ptr(),
                optional,
                &mut handle,
                &mut data,
                &mut len,
            )
        })?;
        if handle.is_null() || data.is_null() {
            return Err(EINVAL);
        }
        Ok(Firmware { handle, data, len })
    }
}

// ------------------------------------------------------------------ skb (TX)

/// A TX frame taken from mac80211; must end in `tx_status` or `drop`.
pub(crate) struct Skb {
    ptr: NonNull<sys::sk_buff>,
    hw: HwRef,
}

// SAFETY: an skb may be completed from any process/BH context.
unsafe impl Send for Skb {}

impl Skb {
    /// The frame bytes.
    pub(crate) fn data(&self) -> &[u8] {
        let mut len: usize = 0;
        // SAFETY: skb is valid and linear (mac80211 TX frames are), owned by us.
        let p = unsafe { sys::bes_skb_data(self.ptr.as_ptr(), &mut len) };
        if p.is_null() {
            return &[];
        }
        // SAFETY: skb->data points at skb->len readable bytes for the skb's lifetime,
        // which `&self` bounds.
        unsafe { core::slice::from_raw_parts(p, len) }
    }

    /// mac80211 queue (0 VO .. 3 BK).
    pub(crate) fn queue(&self) -> u16 {
        // SAFETY: skb is valid.
        let q = unsafe { sys::bes_skb_queue(self.ptr.as_ptr()) };
        u16::try_from(q).unwrap_or(2)
    }

    /// Reports the TX outcome and gives the skb back to mac80211.
    pub(crate) fn tx_status(self, acked: bool, tries: u8) {
        let me = core::mem::ManuallyDrop::new(self);
        // SAFETY: skb ownership passes to mac80211; ManuallyDrop prevents a second free.
        unsafe { sys::bes_tx_status(me.hw.0.as_ptr(), me.ptr.as_ptr(), acked, c_int::from(tries)) }
    }
}

impl Drop for Skb {
    fn drop(&mut self) {
        // SAFETY: we own the skb; freed once.
        unsafe { sys::bes_tx_drop(self.hw.0.as_ptr(), self.ptr.as_ptr()) }
    }
}

// ------------------------------------------------------------------ RX batch

/// A list of received frames delivered together with `ieee80211_rx_list`.
pub(crate) struct RxBatch(NonNull<sys::bes_rx_batch>);

// SAFETY: used by the BH thread only; the list has no thread affinity.
unsafe impl Send for RxBatch {}

impl RxBatch {
    /// Allocates an empty batch.
    pub(crate) fn new() -> Result<Self> {
        // SAFETY: no preconditions.
        let p = unsafe { sys::bes_rx_batch_alloc() };
        NonNull::new(p).map(Self).ok_or(ENOMEM)
    }

    /// Copies one frame into an skb and queues it.
    pub(crate) fn add(
        &mut self,
        frame: &[u8],
        freq: u16,
        signal: i32,
        rate: i32,
        ht: bool,
        flags: u32,
    ) -> Result {
        // SAFETY: batch is valid; frame is readable for its length during the call.
        check(unsafe {
            sys::bes_rx_batch_add(
                self.0.as_ptr(),
                frame.as_ptr(),
                frame.len(),
                freq,
                signal,
                rate,
                c_int::from(ht),
                flags,
            )
        })
    }

    /// Delivers everything queued (BH thread, process context).
    pub(crate) fn deliver(&mut self, hw: HwRef) {
        // SAFETY: both valid; the shim disables BHs and holds RCU around ieee80211_rx_list.
        unsafe { sys::bes_rx_batch_deliver(hw.0.as_ptr(), self.0.as_ptr()) }
    }
}

impl Drop for RxBatch {
    fn drop(&mut self) {
        // SAFETY: allocated by bes_rx_batch_alloc, freed once.
        unsafe { sys::bes_rx_batch_free(self.0.as_ptr()) }
    }
}

pub(crate) use sys::{
    BES_RX_DECRYPTED as RX_DECRYPTED, BES_RX_IV_STRIPPED as RX_IV_STRIPPED,
    BES_RX_MIC_ERROR as RX_MIC_ERROR,
};

/// Tells mac80211 the connection of `vif` is lost: it disconnects and reports it, so the
/// supplicant associates again (with fresh keys).
///
/// # Safety
///
/// `vif` is the `ieee80211_vif` pointer `add_interface` gave, and `remove_interface` has not
/// run for it yet (the caller holds the lock that `remove_interface` takes to clear it).
pub(crate) unsafe fn connection_loss(vif: usize) {
    // SAFETY: the caller guarantees a live vif; the call only queues work (atomic-safe).
    unsafe { sys::bes_hw_connection_loss(vif as *mut sys::ieee80211_vif) }
}

// ------------------------------------------------------------------ firmware

/// A loaded firmware file.
pub(crate) struct Firmware {
    handle: *mut c_void,
    data: *const u8,
    len: usize,
}

impl Firmware {
    /// The file contents.
    pub(crate) fn data(&self) -> &[u8] {
        // SAFETY: request_firmware returned `len` readable bytes, valid until release.
        unsafe { core::slice::from_raw_parts(self.data, self.len) }
    }
}

impl Drop for Firmware {
    fn drop(&mut self) {
        // SAFETY: handle came from bes_fw_request; released once.
        unsafe { sys::bes_fw_release(self.handle) }
    }
}

// ------------------------------------------------------------------ bottom half

/// The kthread handle (owned: stopped on drop).
pub(crate) struct Bh(NonNull<sys::bes_bh>);

// SAFETY: the shim's bh functions are callable from any context.
unsafe impl Send for Bh {}
// SAFETY: as above.
unsafe impl Sync for Bh {}

/// A non-owning reference used to wake the BH from other contexts.
#[derive(Default)]
pub(crate) struct BhLink(AtomicPtr<sys::bes_bh>);

/// The BH thread's own view of its handle.
#[derive(Clone, Copy)]
pub(crate) struct BhSelf(NonNull<sys::bes_bh>);

impl Bh {
    /// Starts the BH kthread for `dev`. `dev` must stay valid until the `Bh` is dropped,
    /// which [`DeviceHandle`] guarantees (it stops the BH before freeing the device).
    fn start(dev: *mut c_void, name: &CStr) -> Result<Self> {
        // SAFETY: name is NUL-terminated; dev outlives the thread (see above).
        let p = unsafe { sys::bes_bh_start(dev, name.as_char_ptr()) };
        NonNull::new(p).map(Self).ok_or(ENOMEM)
    }
}

impl Drop for Bh {
    fn drop(&mut self) {
        // SAFETY: stops the thread and waits for it; frees the handle once.
        unsafe { sys::bes_bh_stop(self.0.as_ptr()) }
    }
}

impl BhLink {
    /// Wakes the BH if it is running.
    pub(crate) fn wake(&self) {
        let p = self.0.load(Ordering::Acquire);
        if !p.is_null() {
            // SAFETY: set while the BH runs and cleared before it is stopped.
            unsafe { sys::bes_bh_wake(p) }
        }
    }
}

impl BhSelf {
    /// Whether this BH thread has been asked to stop (only meaningful on the BH thread).
    pub(crate) fn should_stop() -> bool {
        // SAFETY: kthread_should_stop is only called from the BH kthread (its callers run
        // inside bes_rs_bh_main).
        unsafe { sys::bes_bh_should_stop() != 0 }
    }

    /// Sleeps until woken or `timeout_ns`; `false` when the thread must exit.
    pub(crate) fn wait(self, timeout_ns: u64) -> bool {
        // SAFETY: called on the BH thread itself while its handle is alive.
        unsafe { sys::bes_bh_wait(self.0.as_ptr(), timeout_ns) != 0 }
    }
}

// ------------------------------------------------------------------ debugfs

/// `/sys/kernel/debug/bes2600/` (removed on drop).
pub(crate) struct DebugDir(NonNull<sys::dentry>);

// SAFETY: debugfs removal may run from any process context.
unsafe impl Send for DebugDir {}
// SAFETY: no shared mutable state.
unsafe impl Sync for DebugDir {}

impl Drop for DebugDir {
    fn drop(&mut self) {
        // SAFETY: created by bes_debugfs_create; removal waits for readers.
        unsafe { sys::bes_debugfs_remove(self.0.as_ptr()) }
    }
}

// ------------------------------------------------------------------ SDIO

/// The SDIO driver registration (unregistered on drop).
pub(crate) struct SdioDriverReg(());

impl SdioDriverReg {
    /// Registers the `bes2600_wlan` SDIO driver (0xBE57:0x2002).
    pub(crate) fn register() -> Result<Self> {
        // SAFETY: no preconditions; paired with the unregister in Drop.
        check(unsafe { sys::bes_sdio_register() })?;
        Ok(Self(()))
    }
}

impl Drop for SdioDriverReg {
    fn drop(&mut self) {
        // SAFETY: registered in `register`.
        unsafe { sys::bes_sdio_unregister() }
    }
}

/// An SDIO function handed to probe; valid until remove returns.
#[derive(Clone, Copy)]
pub(crate) struct SdioFunc(NonNull<sys::sdio_func>);

// SAFETY: the sdio_* helpers claim the host themselves; usable from any process context.
unsafe impl Send for SdioFunc {}
// SAFETY: as above.
unsafe impl Sync for SdioFunc {}

impl SdioFunc {
    /// Enables the function and sets its block size.
    pub(crate) fn enable(self, block: u32) -> Result {
        // SAFETY: func valid between probe and remove.
        check(unsafe { sys::bes_sdio_enable(self.0.as_ptr(), block) })
    }
    /// Disables the function.
    pub(crate) fn disable(self) {
        // SAFETY: func valid.
        unsafe { sys::bes_sdio_disable(self.0.as_ptr()) }
    }
    /// CMD52 read.
    pub(crate) fn readb(self, addr: u32) -> Result<u8> {
        let mut v = 0u8;
        // SAFETY: func valid; out-pointer valid.
        check(unsafe { sys::bes_sdio_readb(self.0.as_ptr(), addr, &mut v) })?;
        Ok(v)
    }
    /// CMD52 write.
    pub(crate) fn writeb(self, addr: u32, v: u8) -> Result {
        // SAFETY: func valid.
        check(unsafe { sys::bes_sdio_writeb(self.0.as_ptr(), addr, v) })
    }
    /// CMD53 read into `buf`.
    pub(crate) fn read(self, addr: u32, buf: &mut [u8]) -> Result {
        // SAFETY: func valid; buf writable for its length.
        check(unsafe { sys::bes_sdio_read(self.0.as_ptr(), addr, buf.as_mut_ptr(), buf.len()) })
    }
    /// CMD53 write of `buf`.
    pub(crate) fn write(self, addr: u32, buf: &[u8]) -> Result {
        // SAFETY: func valid; buf readable for its length.
        check(unsafe { sys::bes_sdio_write(self.0.as_ptr(), addr, buf.as_ptr(), buf.len()) })
    }
    /// One block-mode CMD53 write of `buf` (whole blocks) with address field `addr`.
    pub(crate) fn write_blocks(self, addr: u32, buf: &[u8]) -> Result {
        // SAFETY: func valid; buf readable for its length and, like every bus buffer of
        // the module, kmalloc'ed (the shim maps it with `sg_init_one`).
        check(unsafe { sys::bes_sdio_write_blocks(self.0.as_ptr(), addr, buf.as_ptr(), buf.len()) })
    }
    /// Claims the SDIO interrupt (handler calls `bes_rs_sdio_irq`).
    pub(crate) fn claim_irq(self) -> Result {
        // SAFETY: func valid; drvdata is set before this is called.
        check(unsafe { sys::bes_sdio_claim_irq(self.0.as_ptr()) })
    }
    /// Releases the SDIO interrupt.
    pub(crate) fn release_irq(self) {
        // SAFETY: func valid.
        unsafe { sys::bes_sdio_release_irq(self.0.as_ptr()) }
    }
    /// Resets the card (mmc_hw_reset).
    pub(crate) fn hw_reset(self) -> Result {
        // SAFETY: func valid.
        check(unsafe { sys::bes_sdio_hw_reset(self.0.as_ptr()) })
    }
}

// ------------------------------------------------------------------ device lifetime

/// Owns the heap device shared with C (hw priv, debugfs, the BH thread).
pub(crate) struct DevicePtr {
    ptr: NonNull<Device>,
    bh: Option<Bh>,
    dbg: Option<DebugDir>,
}

// SAFETY: Device is Sync; the pointer is owned.
unsafe impl Send for DevicePtr {}
// SAFETY: as above.
unsafe impl Sync for DevicePtr {}

impl DevicePtr {
    /// Leaks `dev` to C: sets the hw's driver pointer and starts the BH thread on it.
    pub(crate) fn publish(dev: KBox<Device>, name: &CStr) -> Result<Self> {
        let raw = KBox::into_raw(dev);
        // SAFETY: raw came from KBox::into_raw just above and is valid.
        let ptr = unsafe { NonNull::new_unchecked(raw) };
        let mut me = Self {
            ptr,
            bh: None,
            dbg: None,
        };
        let d = me.get();
        d.hw.set_drv(raw.cast());
        let bh = Bh::start(raw.cast(), name)?;
        d.bh_link.0.store(bh.0.as_ptr(), Ordering::Release);
        me.bh = Some(bh);
        Ok(me)
    }

    /// The device.
    pub(crate) fn get(&self) -> &Device {
        // SAFETY: valid from publish until Drop frees it.
        unsafe { self.ptr.as_ref() }
    }

    /// Creates the debugfs files pointing at this device.
    pub(crate) fn create_debugfs(&mut self) {
        // SAFETY: the pointer stays valid until the DebugDir is dropped (in Drop, first).
        let p = unsafe { sys::bes_debugfs_create(self.ptr.as_ptr().cast()) };
        self.dbg = NonNull::new(p).map(DebugDir);
    }

    /// Sets the SDIO function's drvdata to this device.
    pub(crate) fn set_sdio_drvdata(&self, func: SdioFunc) {
        // SAFETY: func valid; cleared in `clear_sdio_drvdata` before the device is freed.
        unsafe { sys::bes_sdio_set_drvdata(func.0.as_ptr(), self.ptr.as_ptr().cast()) }
    }

    /// Clears the SDIO function's drvdata.
    pub(crate) fn clear_sdio_drvdata(&self, func: SdioFunc) {
        // SAFETY: func valid.
        unsafe { sys::bes_sdio_set_drvdata(func.0.as_ptr(), ptr::null_mut()) }
    }

    /// Stops the BH thread (idempotent).
    pub(crate) fn stop_bh(&mut self) {
        self.get()
            .bh_link
            .0
            .store(ptr::null_mut(), Ordering::Release);
        self.bh = None;
    }

    /// Mutable access to the BH state once the BH is stopped (teardown).
    pub(crate) fn with_bh_state<R>(
        &mut self,
        f: impl FnOnce(&mut crate::device::BhState) -> R,
    ) -> Option<R> {
        if self.bh.is_some() {
            return None;
        }
        // SAFETY: the BH thread is stopped (kthread_stop returned), so nothing else
        // accesses the cell; `&mut self` excludes other callers of this method.
        Some(f(unsafe { &mut *self.get().bh_state.0.get() }))
    }
}

impl Drop for DevicePtr {
    fn drop(&mut self) {
        self.dbg = None;
        self.get().hw_unregister();
        self.stop_bh();
        // SAFETY: produced by KBox::into_raw in publish; C no longer holds it (debugfs
        // removed, hw unregistered, BH stopped); freed once.
        drop(unsafe { KBox::from_raw(self.ptr.as_ptr()) });
    }
}

// ------------------------------------------------------------------ entry points from C

/// Recovers the device from the pointer the shim stores (hw priv, debugfs, BH).
///
/// # Safety
///
/// `drv` must be a pointer published by [`DevicePtr::publish`] that is still alive; the shim
/// only passes it while the hw is registered, debugfs exists or the BH runs.
unsafe fn dev<'a>(drv: *mut c_void) -> &'a Device {
    // SAFETY: guaranteed by the caller.
    unsafe { &*drv.cast::<Device>() }
}

#[no_mangle]
extern "C" fn bes_rs_bh_main(drv: *mut c_void, bh: *mut sys::bes_bh) -> c_int {
    let Some(bh) = NonNull::new(bh) else { return 0 };
    // SAFETY: the BH thread runs only while the device is alive (DevicePtr stops it first).
    let d = unsafe { dev(drv) };
    // SAFETY: this thread is the only user of the BH cell while it runs.
    let st = unsafe { &mut *d.bh_state.0.get() };
    d.bh_main(st, BhSelf(bh));
    0
}

#[no_mangle]
extern "C" fn bes_rs_op_start(drv: *mut c_void) -> c_int {
    // SAFETY: mac80211 ops run only while the hw is registered.
    unsafe { dev(drv) }
        .op_start()
        .map_or_else(|e| e.to_errno(), |()| 0)
}

#[no_mangle]
extern "C" fn bes_rs_op_stop(drv: *mut c_void) {
    // SAFETY: as above.
    unsafe { dev(drv) }.op_stop()
}

#[no_mangle]
extern "C" fn bes_rs_op_add_interface(
    drv: *mut c_void,
    vif: *mut sys::ieee80211_vif,
    addr: *const u8,
    typ: c_int,
) -> c_int {
    let mut mac = [0u8; 6];
    if !addr.is_null() {
        // SAFETY: vif->addr is 6 bytes.
        mac.copy_from_slice(unsafe { core::slice::from_raw_parts(addr, 6) });
    }
    // SAFETY: as above.
    unsafe { dev(drv) }
        .op_add_interface(vif as usize, mac, typ)
        .map_or_else(|e| e.to_errno(), |()| 0)
}

#[no_mangle]
extern "C" fn bes_rs_op_remove_interface(drv: *mut c_void, vif: *mut sys::ieee80211_vif) {
    // SAFETY: as above.
    unsafe { dev(drv) }.op_remove_interface(vif as usize)
}

#[no_mangle]
extern "C" fn bes_rs_op_config(drv: *mut c_void, changed: u32, freq: c_int) -> c_int {
    // SAFETY: as above.
    unsafe { dev(drv) }.op_config(changed, freq);
    0
}

#[no_mangle]
extern "C" fn bes_rs_op_bss_info_changed(
    drv: *mut c_void,
    _vif: *mut sys::ieee80211_vif,
    info: *const BssInfo,
    changed: u64,
) {
    if info.is_null() {
        return;
    }
    // SAFETY: the shim passes a pointer to a live stack struct.
    let info = unsafe { &*info };
    // SAFETY: as above.
    unsafe { dev(drv) }.op_bss_info_changed(info, changed)
}

#[no_mangle]
extern "C" fn bes_rs_op_configure_filter(drv: *mut c_void, total: u32) {
    // SAFETY: as above.
    unsafe { dev(drv) }.op_configure_filter(total)
}

#[no_mangle]
extern "C" fn bes_rs_op_sta_add(drv: *mut c_void, _addr: *const u8, aid: u16) -> c_int {
    // SAFETY: as above.
    unsafe { dev(drv) }.op_sta_add(aid);
    0
}

#[no_mangle]
extern "C" fn bes_rs_op_sta_remove(drv: *mut c_void, _addr: *const u8) -> c_int {
    // SAFETY: as above.
    unsafe { dev(drv) }.op_sta_remove();
    0
}

#[no_mangle]
extern "C" fn bes_rs_op_hw_scan(
    drv: *mut c_void,
    _vif: *mut sys::ieee80211_vif,
    req: *const ScanReqC,
) -> c_int {
    if req.is_null() {
        return EINVAL.to_errno();
    }
    // SAFETY: the shim passes a pointer to a live stack struct.
    let req = unsafe { &*req };
    // SAFETY: as above.
    unsafe { dev(drv) }
        .op_hw_scan(req)
        .map_or_else(|e| e.to_errno(), |()| 0)
}

#[no_mangle]
extern "C" fn bes_rs_op_set_key(
    drv: *mut c_void,
    cmd: c_int,
    req: *const KeyReqC,
    entry: *mut u8,
) -> c_int {
    if req.is_null() || entry.is_null() {
        return EINVAL.to_errno();
    }
    // SAFETY: the shim passes a pointer to a live stack struct.
    let req = unsafe { &*req };
    // SAFETY: as above.
    match unsafe { dev(drv) }.op_set_key(cmd != 0, req) {
        Ok(e) => {
            // SAFETY: `entry` points at a live u8 on the shim's stack (checked non-null).
            unsafe { *entry = e };
            0
        }
        Err(e) => e.to_errno(),
    }
}

#[no_mangle]
extern "C" fn bes_rs_op_cancel_hw_scan(drv: *mut c_void) {
    // SAFETY: as above.
    unsafe { dev(drv) }.op_cancel_hw_scan()
}

#[no_mangle]
extern "C" fn bes_rs_op_wake_tx(drv: *mut c_void) {
    // SAFETY: as above.
    unsafe { dev(drv) }.op_wake_tx()
}

#[no_mangle]
extern "C" fn bes_rs_op_flush(drv: *mut c_void, drop: bool) {
    // SAFETY: as above.
    unsafe { dev(drv) }.op_flush(drop)
}

#[no_mangle]
extern "C" fn bes_rs_op_ampdu_action(drv: *mut c_void, action: c_int, tid: u16) -> c_int {
    // SAFETY: as above.
    unsafe { dev(drv) }
        .op_ampdu_action(action, tid)
        .map_or_else(|e| e.to_errno(), |()| 0)
}

#[no_mangle]
extern "C" fn bes_rs_sdio_irq(drv: *mut c_void) {
    // SAFETY: drvdata is set while the device lives and cleared before it is freed.
    unsafe { dev(drv) }.on_bus_irq()
}

#[no_mangle]
extern "C" fn bes_rs_sdio_probe(func: *mut sys::sdio_func) -> c_int {
    let Some(f) = NonNull::new(func) else {
        return EINVAL.to_errno();
    };
    match DeviceHandle::create_sdio(SdioFunc(f)) {
        Ok(h) => keep_sdio(h).map_or_else(|e| e.to_errno(), |()| 0),
        Err(e) => e.to_errno(),
    }
}

/// The one SDIO device (the PineTab2 has exactly one BES2600), owned between probe and
/// remove.
static SDIO_DEV: AtomicPtr<DeviceHandle> = AtomicPtr::new(ptr::null_mut());

fn keep_sdio(h: DeviceHandle) -> Result {
    let raw = KBox::into_raw(KBox::new(h, GFP_KERNEL)?);
    if SDIO_DEV
        .compare_exchange(ptr::null_mut(), raw, Ordering::AcqRel, Ordering::Acquire)
        .is_err()
    {
        // SAFETY: raw came from KBox::into_raw above and was not published.
        drop(unsafe { KBox::from_raw(raw) });
        return Err(EBUSY);
    }
    Ok(())
}

#[no_mangle]
extern "C" fn bes_rs_sdio_remove(func: *mut sys::sdio_func) {
    let _ = func;
    let p = SDIO_DEV.swap(ptr::null_mut(), Ordering::AcqRel);
    if !p.is_null() {
        // SAFETY: p came from KBox::into_raw in keep_sdio and was just unpublished.
        drop(unsafe { KBox::from_raw(p) });
    }
}

#[no_mangle]
extern "C" fn bes_rs_debugfs_render(
    drv: *mut c_void,
    which: c_int,
    buf: *mut c_char,
    cap: usize,
) -> usize {
    if buf.is_null() {
        return 0;
    }
    // SAFETY: the shim passes a kmalloc'ed buffer of `cap` bytes, exclusively ours.
    let out = unsafe { core::slice::from_raw_parts_mut(buf.cast::<u8>(), cap) };
    // SAFETY: debugfs files exist only while the device lives.
    crate::debugfs::render(unsafe { dev(drv) }, which, out)
}
