// SPDX-License-Identifier: GPL-2.0-only
//! The callbacks the C shim calls (`struct bes_rs_ops`), generic over the [`Driver`] the
//! device implements, as `rust/kernel/net/phy.rs` builds a `phy_driver` from its `Driver`
//! trait. Each callback recovers `&T` from the pointer C stores and calls the trait.

use core::ffi::{c_char, c_int, c_void};
use core::marker::PhantomData;
use core::ptr::NonNull;

use kernel::prelude::*;

use bes2600_engine::mac::edca::TxQueueConf;

use super::bh::{BhCell, BhLink, BhSelf};
use super::debugfs::DbgFile;
use super::firmware::Firmware;
use super::hw::{AmpduAction, BssChanged, Hw, IfType, KeyCmd, Vif, VifId};
use super::sdio::SdioFunc;
use super::sys::{self, bes_bss_info, bes_key_req, bes_scan_req};

/// What the device implements; the adapter maps every shim callback onto one method.
///
/// Probe and remove are associated functions: they create and destroy the device. The other
/// methods run on a live device (`&self`); mac80211 ops may sleep unless noted.
pub(crate) trait Driver: Sync + Sized + 'static {
    /// What only the BH thread touches (the engine, the bus).
    type BhState: Send;

    /// What probe creates and remove drops: owns the device (its `Drop` is the teardown).
    type Owner: Send;

    /// Probe of SDIO function 1: creates and publishes the device.
    fn probe(func: SdioFunc) -> Result<Self::Owner>;

    /// The mac80211 hw the device owns.
    fn hw(&self) -> &Hw;
    /// Wakes the BH from other contexts.
    fn bh_link(&self) -> &BhLink;
    /// The BH thread's state.
    fn bh_cell(&self) -> &BhCell<Self::BhState>;
    /// The station interface slot (filled and cleared by the adapter).
    fn vif(&self) -> &Vif;
    /// Unregisters the hw (teardown, before the BH stops).
    fn unregister(&self);

    /// The file of `DevicePtr::request_firmware_async` (`None`: missing). Runs in a worker.
    fn firmware_loaded(&self, fw: Option<Firmware>);
    /// System suspend: `keep_power` when the card stays powered (the firmware survives).
    fn pm_suspend(&self, keep_power: bool);
    /// System resume.
    fn pm_resume(&self);
    /// The BH thread's body; returns when asked to stop.
    fn bh_main(&self, st: &mut Self::BhState, me: BhSelf);
    /// The SDIO interrupt (the MMC core's IRQ thread; must not sleep long).
    fn sdio_irq(&self);
    /// Renders debugfs file `which` into `out`; returns the length.
    fn debugfs_render(&self, which: DbgFile, out: &mut [u8]) -> usize;

    /// `start`.
    fn start(&self) -> Result;
    /// `stop`.
    fn stop(&self);
    /// `add_interface`; the adapter records the vif in [`Driver::vif`] when this succeeds.
    fn add_interface(&self, vif: VifId, addr: [u8; 6], typ: IfType) -> Result;
    /// `remove_interface`; the vif is already out of [`Driver::vif`].
    fn remove_interface(&self, vif: VifId);
    /// `config` with the current channel's centre frequency (0: none).
    fn config(&self, changed: u32, freq: i32);
    /// `bss_info_changed`.
    fn bss_info_changed(&self, info: &bes_bss_info, changed: BssChanged);
    /// `configure_filter` with the flags the shim kept.
    fn configure_filter(&self, total: u32);
    /// `sta_add`.
    fn sta_add(&self, aid: u16) -> Result;
    /// `sta_remove`.
    fn sta_remove(&self) -> Result;
    /// `set_key`: `Ok(entry)` is the firmware key entry (`hw_key_idx`).
    fn set_key(&self, cmd: KeyCmd, req: &bes_key_req) -> Result<u8>;
    /// `hw_scan`.
    fn hw_scan(&self, req: &bes_scan_req) -> Result;
    /// `cancel_hw_scan`.
    fn cancel_hw_scan(&self);
    /// `tx` and `wake_tx_queue` (atomic context: must not sleep).
    fn wake_tx(&self);
    /// `flush`.
    fn flush(&self, drop: bool);
    /// `ampdu_action`.
    fn ampdu_action(&self, action: AmpduAction, tid: u16) -> Result;
    /// `conf_tx` for mac80211 queue `queue` (TXOP in 32 µs units).
    fn conf_tx(&self, queue: u16, p: TxQueueConf) -> Result;
    /// `set_rts_threshold` (`u32::MAX`: off).
    fn set_rts_threshold(&self, value: u32) -> Result;
}

/// Turns a `Result` into the shim's return code.
fn ret(r: Result) -> c_int {
    r.map_or_else(|e| e.to_errno(), |()| 0)
}

/// The callback table for `T`.
pub(crate) struct Adapter<T: Driver>(PhantomData<T>);

impl<T: Driver> Adapter<T> {
    const VTABLE: sys::bes_rs_ops = sys::bes_rs_ops {
        sdio_probe: Some(Self::sdio_probe),
        sdio_remove: Some(Self::sdio_remove),
        sdio_irq: Some(Self::sdio_irq),
        bh_main: Some(Self::bh_main),
        fw_loaded: Some(Self::fw_loaded),
        pm_suspend: Some(Self::pm_suspend),
        pm_resume: Some(Self::pm_resume),
        debugfs_render: Some(Self::debugfs_render),
        op_start: Some(Self::op_start),
        op_stop: Some(Self::op_stop),
        op_add_interface: Some(Self::op_add_interface),
        op_remove_interface: Some(Self::op_remove_interface),
        op_config: Some(Self::op_config),
        op_bss_info_changed: Some(Self::op_bss_info_changed),
        op_configure_filter: Some(Self::op_configure_filter),
        op_sta_add: Some(Self::op_sta_add),
        op_sta_remove: Some(Self::op_sta_remove),
        op_set_key: Some(Self::op_set_key),
        op_hw_scan: Some(Self::op_hw_scan),
        op_cancel_hw_scan: Some(Self::op_cancel_hw_scan),
        op_wake_tx: Some(Self::op_wake_tx),
        op_flush: Some(Self::op_flush),
        op_ampdu_action: Some(Self::op_ampdu_action),
        op_conf_tx: Some(Self::op_conf_tx),
        op_set_rts_threshold: Some(Self::op_set_rts_threshold),
    };

    /// The `'static` table handed to `bes_sdio_register`.
    pub(super) fn vtable() -> &'static sys::bes_rs_ops {
        &Self::VTABLE
    }

    /// Recovers the device from the pointer the shim stores.
    ///
    /// # Safety
    ///
    /// `drv` must be a pointer published by `DevicePtr::<T>::publish` that is still alive:
    /// the shim passes it only while the hw is registered (ops), debugfs exists (render), the
    /// BH runs (bh_main) or drvdata is set (irq), and `DevicePtr` ends all four before it
    /// frees the device.
    unsafe fn dev<'a>(drv: *mut c_void) -> &'a T {
        // SAFETY: Guaranteed by the caller.
        unsafe { &*drv.cast::<T>() }
    }

    /// # Safety
    ///
    /// `func` is the function the MMC core probes; `owner` is writable.
    unsafe extern "C" fn sdio_probe(func: *mut sys::sdio_func, owner: *mut *mut c_void) -> c_int {
        let Some(f) = NonNull::new(func) else {
            return EINVAL.to_errno();
        };
        if owner.is_null() {
            return EINVAL.to_errno();
        }
        // INVARIANT: the MMC core keeps `func` valid until remove returns.
        let boxed =
            T::probe(SdioFunc(f)).and_then(|o| KBox::new(o, GFP_KERNEL).map_err(Into::into));
        match boxed {
            Ok(b) => {
                // SAFETY: `owner` is the shim's writable out-pointer (checked non-null); the
                // shim hands the value back to `sdio_remove` exactly once.
                unsafe { *owner = KBox::into_raw(b).cast() };
                0
            }
            Err(e) => e.to_errno(),
        }
    }

    /// # Safety
    ///
    /// `owner` is what `sdio_probe` stored for this function, passed back once.
    unsafe extern "C" fn sdio_remove(_func: *mut sys::sdio_func, owner: *mut c_void) {
        if !owner.is_null() {
            // SAFETY: `owner` came from `KBox::into_raw` in `sdio_probe` and the shim passes
            // it back once, so ownership returns here; dropping it tears the device down.
            drop(unsafe { KBox::from_raw(owner.cast::<T::Owner>()) });
        }
    }

    /// # Safety
    ///
    /// `drv` is the drvdata `DevicePtr::set_sdio_drvdata` stored (see [`Self::dev`]).
    unsafe extern "C" fn sdio_irq(drv: *mut c_void) {
        // SAFETY: drvdata is set while the device lives and cleared before it is freed.
        unsafe { Self::dev(drv) }.sdio_irq()
    }

    /// # Safety
    ///
    /// Runs on the BH kthread `bh` that `DevicePtr::publish` started for `drv`.
    unsafe extern "C" fn bh_main(drv: *mut c_void, bh: *mut sys::bes_bh) -> c_int {
        let Some(bh) = NonNull::new(bh) else { return 0 };
        // SAFETY: The BH thread runs only while the device is alive (`DevicePtr` stops it
        // before freeing the device).
        let d = unsafe { Self::dev(drv) };
        // SAFETY: This thread is the only user of the BH cell while it runs (`BhCell`
        // invariant: teardown touches it only after the thread was stopped).
        let st = unsafe { &mut *d.bh_cell().0.get() };
        // INVARIANT: `bh` is this thread's own handle, alive until the thread returns.
        d.bh_main(st, BhSelf(bh));
        0
    }

    /// # Safety
    ///
    /// `drv` is the drvdata `DevicePtr::set_sdio_drvdata` stored (see [`Self::dev`]).
    unsafe extern "C" fn pm_suspend(drv: *mut c_void, keep_power: bool) {
        // SAFETY: drvdata is set while the device lives and cleared before it is freed; the
        // PM core does not suspend a device while its remove runs.
        unsafe { Self::dev(drv) }.pm_suspend(keep_power)
    }

    /// # Safety
    ///
    /// As [`Self::pm_suspend`].
    unsafe extern "C" fn pm_resume(drv: *mut c_void) {
        // SAFETY: As in `pm_suspend`.
        unsafe { Self::dev(drv) }.pm_resume()
    }

    /// # Safety
    ///
    /// `drv` is the device of a pending `FwAsync`; `handle` (if not NULL) is a `struct
    /// firmware` with `len` bytes at `data`, now ours.
    unsafe extern "C" fn fw_loaded(
        drv: *mut c_void,
        handle: *mut c_void,
        data: *const u8,
        len: usize,
    ) {
        // SAFETY: The shim passes the firmware's own handle, data and size, and releases
        // nothing itself.
        let fw = unsafe { Firmware::from_raw(handle, data, len) };
        // SAFETY: `FwAsync`'s owner keeps the device alive until this call returned.
        unsafe { Self::dev(drv) }.firmware_loaded(fw)
    }

    /// # Safety
    ///
    /// `drv` is a live device (see [`Self::dev`]); `buf` is `cap` writable bytes.
    unsafe extern "C" fn debugfs_render(
        drv: *mut c_void,
        which: sys::bes_dbg_file,
        buf: *mut c_char,
        cap: usize,
    ) -> usize {
        let Some(which) = DbgFile::from_c(which) else {
            return 0;
        };
        if buf.is_null() {
            return 0;
        }
        // SAFETY: The shim passes a kmalloc'ed buffer of `cap` bytes, exclusively ours for
        // the call.
        let out = unsafe { core::slice::from_raw_parts_mut(buf.cast::<u8>(), cap) };
        // SAFETY: debugfs files exist only while the device lives.
        unsafe { Self::dev(drv) }.debugfs_render(which, out)
    }

    /// # Safety
    ///
    /// mac80211 op: `drv` is the hw's driver pointer (see [`Self::dev`]).
    unsafe extern "C" fn op_start(drv: *mut c_void) -> c_int {
        // SAFETY: mac80211 ops run only while the hw is registered.
        ret(unsafe { Self::dev(drv) }.start())
    }

    /// # Safety
    ///
    /// As [`Self::op_start`].
    unsafe extern "C" fn op_stop(drv: *mut c_void) {
        // SAFETY: mac80211 ops run only while the hw is registered.
        unsafe { Self::dev(drv) }.stop()
    }

    /// # Safety
    ///
    /// As [`Self::op_start`]; `vif` is the interface being added, `addr` its 6-byte address.
    unsafe extern "C" fn op_add_interface(
        drv: *mut c_void,
        vif: *mut sys::ieee80211_vif,
        addr: *const u8,
        typ: sys::bes_iftype,
    ) -> c_int {
        let Some(v) = NonNull::new(vif) else {
            return EINVAL.to_errno();
        };
        let mut mac = [0u8; 6];
        if !addr.is_null() {
            // SAFETY: `vif->addr` is 6 readable bytes.
            mac.copy_from_slice(unsafe { core::slice::from_raw_parts(addr, 6) });
        }
        // SAFETY: mac80211 ops run only while the hw is registered.
        let d = unsafe { Self::dev(drv) };
        let r = d.add_interface(Vif::id(vif), mac, IfType::from_c(typ));
        if r.is_ok() {
            // INVARIANT: mac80211 keeps the vif alive until `op_remove_interface` clears it.
            d.vif().set(v);
        }
        ret(r)
    }

    /// # Safety
    ///
    /// As [`Self::op_start`].
    unsafe extern "C" fn op_remove_interface(drv: *mut c_void, vif: *mut sys::ieee80211_vif) {
        // SAFETY: mac80211 ops run only while the hw is registered.
        let d = unsafe { Self::dev(drv) };
        // INVARIANT: cleared before mac80211 frees the vif.
        d.vif().clear(vif);
        d.remove_interface(Vif::id(vif))
    }

    /// # Safety
    ///
    /// As [`Self::op_start`].
    unsafe extern "C" fn op_config(drv: *mut c_void, changed: u32, freq: c_int) -> c_int {
        // SAFETY: mac80211 ops run only while the hw is registered.
        unsafe { Self::dev(drv) }.config(changed, freq);
        0
    }

    /// # Safety
    ///
    /// As [`Self::op_start`]; `info` points at a live struct on the shim's stack.
    unsafe extern "C" fn op_bss_info_changed(
        drv: *mut c_void,
        _vif: *mut sys::ieee80211_vif,
        info: *const bes_bss_info,
        changed: u32,
    ) {
        if info.is_null() {
            return;
        }
        // SAFETY: The shim passes a pointer to a live stack struct for the call.
        let info = unsafe { &*info };
        // SAFETY: mac80211 ops run only while the hw is registered.
        unsafe { Self::dev(drv) }.bss_info_changed(info, BssChanged::from_c(changed))
    }

    /// # Safety
    ///
    /// As [`Self::op_start`].
    unsafe extern "C" fn op_configure_filter(drv: *mut c_void, total: u32) {
        // SAFETY: mac80211 ops run only while the hw is registered.
        unsafe { Self::dev(drv) }.configure_filter(total)
    }

    /// # Safety
    ///
    /// As [`Self::op_start`].
    unsafe extern "C" fn op_sta_add(drv: *mut c_void, _addr: *const u8, aid: u16) -> c_int {
        // SAFETY: mac80211 ops run only while the hw is registered.
        ret(unsafe { Self::dev(drv) }.sta_add(aid))
    }

    /// # Safety
    ///
    /// As [`Self::op_start`].
    unsafe extern "C" fn op_sta_remove(drv: *mut c_void, _addr: *const u8) -> c_int {
        // SAFETY: mac80211 ops run only while the hw is registered.
        ret(unsafe { Self::dev(drv) }.sta_remove())
    }

    /// # Safety
    ///
    /// As [`Self::op_start`]; `req` and `entry` point at live objects on the shim's stack.
    unsafe extern "C" fn op_set_key(
        drv: *mut c_void,
        cmd: sys::bes_key_cmd,
        req: *const bes_key_req,
        entry: *mut u8,
    ) -> c_int {
        let Some(cmd) = KeyCmd::from_c(cmd) else {
            return EINVAL.to_errno();
        };
        if req.is_null() || entry.is_null() {
            return EINVAL.to_errno();
        }
        // SAFETY: The shim passes a pointer to a live stack struct for the call.
        let req = unsafe { &*req };
        // SAFETY: mac80211 ops run only while the hw is registered.
        match unsafe { Self::dev(drv) }.set_key(cmd, req) {
            Ok(e) => {
                // SAFETY: `entry` points at a live u8 on the shim's stack (checked non-null).
                unsafe { *entry = e };
                0
            }
            Err(e) => e.to_errno(),
        }
    }

    /// # Safety
    ///
    /// As [`Self::op_start`]; `req` points at a live struct on the shim's stack.
    unsafe extern "C" fn op_hw_scan(
        drv: *mut c_void,
        _vif: *mut sys::ieee80211_vif,
        req: *const bes_scan_req,
    ) -> c_int {
        if req.is_null() {
            return EINVAL.to_errno();
        }
        // SAFETY: The shim passes a pointer to a live stack struct for the call.
        let req = unsafe { &*req };
        // SAFETY: mac80211 ops run only while the hw is registered.
        ret(unsafe { Self::dev(drv) }.hw_scan(req))
    }

    /// # Safety
    ///
    /// As [`Self::op_start`].
    unsafe extern "C" fn op_cancel_hw_scan(drv: *mut c_void) {
        // SAFETY: mac80211 ops run only while the hw is registered.
        unsafe { Self::dev(drv) }.cancel_hw_scan()
    }

    /// # Safety
    ///
    /// As [`Self::op_start`].
    unsafe extern "C" fn op_wake_tx(drv: *mut c_void) {
        // SAFETY: mac80211 ops run only while the hw is registered.
        unsafe { Self::dev(drv) }.wake_tx()
    }

    /// # Safety
    ///
    /// As [`Self::op_start`].
    unsafe extern "C" fn op_flush(drv: *mut c_void, drop: bool) {
        // SAFETY: mac80211 ops run only while the hw is registered.
        unsafe { Self::dev(drv) }.flush(drop)
    }

    /// # Safety
    ///
    /// As [`Self::op_start`].
    unsafe extern "C" fn op_ampdu_action(
        drv: *mut c_void,
        action: sys::bes_ampdu_action,
        tid: u16,
    ) -> c_int {
        // SAFETY: mac80211 ops run only while the hw is registered.
        ret(unsafe { Self::dev(drv) }.ampdu_action(AmpduAction::from_c(action), tid))
    }

    /// # Safety
    ///
    /// As [`Self::op_start`].
    unsafe extern "C" fn op_conf_tx(
        drv: *mut c_void,
        queue: u16,
        aifs: u8,
        cw_min: u16,
        cw_max: u16,
        txop: u16,
        uapsd: bool,
    ) -> c_int {
        let p = TxQueueConf {
            aifs,
            cw_min,
            cw_max,
            txop,
            uapsd,
        };
        // SAFETY: mac80211 ops run only while the hw is registered.
        ret(unsafe { Self::dev(drv) }.conf_tx(queue, p))
    }

    /// # Safety
    ///
    /// As [`Self::op_start`].
    unsafe extern "C" fn op_set_rts_threshold(drv: *mut c_void, value: u32) -> c_int {
        // SAFETY: mac80211 ops run only while the hw is registered.
        ret(unsafe { Self::dev(drv) }.set_rts_threshold(value))
    }
}
