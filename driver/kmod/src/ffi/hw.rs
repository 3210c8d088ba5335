// SPDX-License-Identifier: GPL-2.0-only
//! The mac80211 device (`ieee80211_hw`) and the station interface (`ieee80211_vif`).

use core::ffi::c_void;
use core::ptr::{self, NonNull};
use core::sync::atomic::{AtomicBool, Ordering};

use bes2600_engine::mac::channel::{channel_to_freq, Channel, CHANNELS_5G};
use bes2600_engine::mac::rates::OFDM_FIRST;
use bes2600_wire::wsm::common::Band as WsmBand;
use kernel::prelude::*;
use kernel::sync::{new_spinlock, SpinLock};

use super::firmware::Firmware;
use super::sdio::SdioFunc;
use super::skb::Skb;
use super::{check, sys};

/// An `ieee80211_hw` (owned: freed on drop; unregistered first if it was registered).
///
/// # Invariants
///
/// `ptr` came from `ieee80211_alloc_hw` (through `bes_hw_alloc`) and is freed only by this
/// value's `Drop`. `registered` is true exactly while `ieee80211_register_hw` has succeeded
/// and `ieee80211_unregister_hw` has not run.
pub(crate) struct Hw {
    ptr: NonNull<sys::ieee80211_hw>,
    registered: AtomicBool,
}

// SAFETY: The mac80211 functions called on the hw (register, unregister, scan completion,
// restart, TX dequeue/status, uevent) may be called from any process context; the shim takes
// the locks mac80211 needs itself.
unsafe impl Send for Hw {}
// SAFETY: As for `Send`: no method hands out interior references, and `registered` is atomic.
unsafe impl Sync for Hw {}

/// One channel of the registered band.
#[derive(Clone, Copy)]
pub(crate) struct BandChannel {
    /// Centre frequency, MHz.
    pub(crate) freq_mhz: u16,
    /// Channel number (mac80211's `hw_value`).
    pub(crate) number: u16,
}

/// One bitrate of the registered band.
#[derive(Clone, Copy)]
pub(crate) struct BandRate {
    /// 100 kb/s units.
    pub(crate) bitrate: u16,
    /// The firmware's rate number (mac80211's `hw_value`).
    pub(crate) hw_value: u16,
    /// Short preamble allowed.
    pub(crate) short_preamble: bool,
}

/// What the hw registers: the permanent address and the 2.4 GHz band (the 5 GHz band comes
/// from the engine's tables in [`Hw::register`]: its channels are the vendor's fixed list and
/// its bitrates the OFDM part of these).
pub(crate) struct Band {
    /// Permanent MAC address.
    pub(crate) mac: [u8; 6],
    /// Bit n: HT MCS n received.
    pub(crate) ht_mcs_mask: u16,
    /// The channels, in order.
    pub(crate) channels: [BandChannel; sys::BES_N_CHANNELS as usize],
    /// The bitrates; the index is mac80211's `rate_idx`.
    pub(crate) rates: [BandRate; sys::BES_N_RATES as usize],
}

/// A copyable reference to the hw for the BH and the ops.
///
/// # Invariants
///
/// The pointer is a live `ieee80211_hw` for as long as the device that owns the [`Hw`] lives;
/// a `HwRef` is only held inside that device (its BH state), which is dropped before the
/// [`Hw`].
#[derive(Clone, Copy)]
pub(crate) struct HwRef(pub(super) NonNull<sys::ieee80211_hw>);

// SAFETY: See `Hw`.
unsafe impl Send for HwRef {}
// SAFETY: See `Hw`.
unsafe impl Sync for HwRef {}

impl Hw {
    /// Allocates the hw with the band/rates/flags of spec §3.9 (driver pointer set later).
    pub(crate) fn alloc() -> Result<Self> {
        // SAFETY: A NULL driver pointer is allowed: no op can run before registration, and
        // `DevicePtr::publish` sets the real one before that.
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
    pub(super) fn set_drv(&self, drv: *mut c_void) {
        // SAFETY: The hw is valid (type invariant) and not registered yet, so no op reads the
        // pointer concurrently.
        unsafe { sys::bes_hw_set_drv(self.ptr.as_ptr(), drv) }
    }

    /// Makes the SDIO function the wiphy's parent device.
    pub(crate) fn set_sdio_parent(&self, func: SdioFunc) {
        // SAFETY: Both pointers are valid (type invariants); the function outlives the hw,
        // which is freed before remove returns.
        unsafe { sys::bes_hw_set_sdio_parent(self.ptr.as_ptr(), func.0.as_ptr()) }
    }

    /// Registers with mac80211 (creates the wiphy and `wlan0`) with the 2.4 GHz band of
    /// `band` and the chip's 5 GHz band ([`CHANNELS_5G`], bitrates from [`OFDM_FIRST`] of
    /// `band.rates`, the same HT capabilities).
    ///
    /// # Errors
    ///
    /// `EBUSY` if already registered; `EINVAL` if a 5 GHz table channel has no frequency (an
    /// engine table bug); `ieee80211_register_hw`'s error otherwise.
    pub(crate) fn register(&self, band: &Band) -> Result {
        if self.registered.load(Ordering::Acquire) {
            return Err(EBUSY);
        }
        let mut channels_5g = [sys::bes_channel { freq: 0, number: 0 }; CHANNELS_5G.len()];
        for (slot, number) in channels_5g.iter_mut().zip(CHANNELS_5G) {
            let freq = channel_to_freq(Channel {
                band: WsmBand::Band5G,
                number,
            })
            .ok_or(EINVAL)?;
            *slot = sys::bes_channel { freq, number };
        }
        let info = sys::bes_band_info {
            mac: band.mac,
            ht_mcs_mask: band.ht_mcs_mask,
            channels: band.channels.map(|c| sys::bes_channel {
                freq: c.freq_mhz,
                number: c.number,
            }),
            rates: band.rates.map(|r| sys::bes_rate {
                bitrate: r.bitrate,
                hw_value: r.hw_value,
                short_preamble: r.short_preamble,
            }),
            channels_5g,
            // CAST: OFDM_FIRST is 4, an index into the 12-entry rate table.
            rates_5g_first: OFDM_FIRST as u8,
        };
        // SAFETY: The hw is valid and not registered (checked above; only the probe path
        // registers, once); `info` lives across the call.
        check(unsafe { sys::bes_hw_register(self.ptr.as_ptr(), &info) })?;
        self.registered.store(true, Ordering::Release);
        Ok(())
    }

    /// Creates the debugfs files under the wiphy's directory; they go with the wiphy at
    /// unregistration, so no handle is kept.
    pub(crate) fn create_debugfs(&self) {
        if !self.registered.load(Ordering::Acquire) {
            return;
        }
        // SAFETY: The hw is valid and registered (checked above), so its wiphy directory
        // exists; the files' private pointer is the hw's driver pointer, a device that lives
        // until after `unregister`, which removes the files.
        unsafe { sys::bes_debugfs_create(self.ptr.as_ptr()) }
    }

    /// Unregisters (idempotent).
    pub(crate) fn unregister(&self) {
        if self.registered.swap(false, Ordering::AcqRel) {
            // SAFETY: The hw was registered exactly once before; the swap makes this run once.
            unsafe { sys::bes_hw_unregister(self.ptr.as_ptr()) };
        }
    }
}

impl Drop for Hw {
    fn drop(&mut self) {
        self.unregister();
        // SAFETY: Allocated by `bes_hw_alloc` and freed only here (type invariant); nothing
        // uses it afterwards.
        unsafe { sys::bes_hw_free(self.ptr.as_ptr()) };
    }
}

impl HwRef {
    /// Reports the end of a hardware scan.
    pub(crate) fn scan_completed(self, aborted: bool) {
        // SAFETY: The hw is valid while the device lives (type invariant).
        unsafe { sys::bes_hw_scan_completed(self.0.as_ptr(), aborted) }
    }

    /// Asks mac80211 to replay its state into the (reset) firmware.
    pub(crate) fn restart(self) {
        // SAFETY: The hw is valid (type invariant); the caller checked it is registered.
        unsafe { sys::bes_hw_restart(self.0.as_ptr()) }
    }

    /// Next frame to transmit, if any, and the number of spinlocks taken to find it.
    pub(crate) fn tx_dequeue(self) -> (Option<Skb>, u32) {
        let mut locks = 0;
        // SAFETY: The hw is valid (type invariant); the BH runs in process context, where
        // the shim may take mac80211's TXQ locks; `locks` is a valid out-pointer.
        let p = unsafe { sys::bes_tx_dequeue(self.0.as_ptr(), &mut locks) };
        (NonNull::new(p).map(|ptr| Skb { ptr, hw: self }), locks)
    }

    /// Whether frames wait in the driver's direct queue.
    pub(crate) fn tx_pending(self) -> bool {
        // SAFETY: The hw is valid (type invariant); the check is lockless.
        unsafe { sys::bes_tx_pending(self.0.as_ptr()) != 0 }
    }

    /// Drops every frame in the direct queue.
    pub(crate) fn tx_purge(self) {
        // SAFETY: The hw is valid (type invariant); the queue has its own lock.
        unsafe { sys::bes_tx_purge(self.0.as_ptr()) }
    }

    /// Sends the recovery uevent of contracts.md.
    pub(crate) fn uevent_recovery(self, cause: &CStr, count: u64) {
        // SAFETY: The hw is valid (type invariant); `cause` is NUL-terminated and lives
        // across the call.
        unsafe { sys::bes_uevent_recovery(self.0.as_ptr(), cause.as_char_ptr(), count) }
    }

    /// Requests a firmware file (process context).
    pub(crate) fn request_firmware(self, name: &CStr) -> Result<Firmware> {
        Firmware::request(self, name, false)
    }

    /// Requests a firmware file that may be absent, without a log line if it is.
    pub(crate) fn request_firmware_optional(self, name: &CStr) -> Option<Firmware> {
        Firmware::request(self, name, true).ok()
    }
}

/// Identity of an interface mac80211 added (compared, never dereferenced).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct VifId(usize);

/// The one station interface, held between `add_interface` and `remove_interface`.
///
/// # Invariants
///
/// The slot holds a vif pointer only between the adapter's `add_interface` (which stores it
/// after the driver accepted it) and `remove_interface` (which clears it before mac80211 frees
/// the vif); both change it under the lock, and [`Vif::connection_loss`] uses it under the
/// same lock, so the pointer is live whenever it is used.
pub(crate) struct Vif(Pin<KBox<SpinLock<Option<NonNull<sys::ieee80211_vif>>>>>);

// SAFETY: The pointer is only used under the lock, while live (type invariant).
unsafe impl Send for Vif {}
// SAFETY: As for `Send`.
unsafe impl Sync for Vif {}

impl Vif {
    /// An empty slot.
    pub(crate) fn new() -> Result<Self> {
        Ok(Self(KBox::pin_init(
            new_spinlock!(None, "bes2600::vif"),
            GFP_KERNEL,
        )?))
    }

    pub(super) fn id(p: *mut sys::ieee80211_vif) -> VifId {
        VifId(p as usize)
    }

    pub(super) fn set(&self, p: NonNull<sys::ieee80211_vif>) {
        *self.0.lock() = Some(p);
    }

    pub(super) fn clear(&self, p: *mut sys::ieee80211_vif) {
        let mut g = self.0.lock();
        if g.is_some_and(|v| v.as_ptr() == p) {
            *g = None;
        }
    }

    /// Tells mac80211 the connection of the station interface is lost (if there is one): it
    /// disconnects and reports it, so the supplicant associates again (with fresh keys).
    pub(crate) fn connection_loss(&self) {
        let g = self.0.lock();
        if let Some(v) = *g {
            // SAFETY: The vif is live while it is in the slot, and the lock is held across
            // the call (type invariant); `ieee80211_connection_loss` only queues work, so it
            // may be called under a spinlock.
            unsafe { sys::bes_hw_connection_loss(v.as_ptr()) }
        }
    }
}

/// Interface type of `add_interface` (`enum nl80211_iftype`, as far as the driver tells them
/// apart).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum IfType {
    /// `NL80211_IFTYPE_STATION`.
    Station,
    /// Anything else.
    Other,
}

impl IfType {
    pub(super) fn from_c(t: sys::bes_iftype) -> Self {
        if t == sys::bes_iftype_BES_IFTYPE_STATION {
            Self::Station
        } else {
            Self::Other
        }
    }
}

/// The `bss_info_changed` flags the driver acts on (`BSS_CHANGED_*`, mapped by the shim).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct BssChanged(u32);

impl BssChanged {
    /// `BSS_CHANGED_BSSID`.
    pub(crate) const BSSID: Self = Self(sys::bes_bss_changed_BES_BSS_CHANGED_BSSID);

    pub(super) fn from_c(bits: u32) -> Self {
        Self(bits)
    }

    /// The bits, numbered as `bes2600_engine::mac::bss::changed` (checked below).
    pub(crate) fn bits(self) -> u32 {
        self.0
    }

    /// Whether every flag of `other` is set.
    pub(crate) fn contains(self, other: Self) -> bool {
        self.0 & other.0 == other.0
    }
}

// The shim's BSS_CHANGED bits are the engine's `changed` bits (issue 16 §3).
const _: () = {
    use bes2600_engine::mac::bss::changed as c;
    assert!(sys::bes_bss_changed_BES_BSS_CHANGED_BSSID == c::BSSID);
    assert!(sys::bes_bss_changed_BES_BSS_CHANGED_PS == bes2600_engine::mac::pm::CHANGED_PS);
    assert!(sys::bes_bss_changed_BES_BSS_CHANGED_ASSOC == c::ASSOC);
    assert!(sys::bes_bss_changed_BES_BSS_CHANGED_ERP_CTS_PROT == c::ERP_CTS_PROT);
    assert!(sys::bes_bss_changed_BES_BSS_CHANGED_ERP_PREAMBLE == c::ERP_PREAMBLE);
    assert!(sys::bes_bss_changed_BES_BSS_CHANGED_ERP_SLOT == c::ERP_SLOT);
    assert!(sys::bes_bss_changed_BES_BSS_CHANGED_HT == c::HT);
    assert!(sys::bes_bss_changed_BES_BSS_CHANGED_BASIC_RATES == c::BASIC_RATES);
    assert!(sys::bes_bss_changed_BES_BSS_CHANGED_BEACON_INT == c::BEACON_INT);
    assert!(sys::bes_bss_changed_BES_BSS_CHANGED_CQM == c::CQM);
    assert!(sys::bes_bss_changed_BES_BSS_CHANGED_ARP_FILTER == c::ARP_FILTER);
};

/// `ampdu_action`'s action (`enum ieee80211_ampdu_mlme_action`, the TX stop variants folded).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum AmpduAction {
    /// `IEEE80211_AMPDU_RX_START`.
    RxStart,
    /// `IEEE80211_AMPDU_RX_STOP`.
    RxStop,
    /// `IEEE80211_AMPDU_TX_START`.
    TxStart,
    /// Every TX stop and flush variant.
    TxStop,
    /// `IEEE80211_AMPDU_TX_OPERATIONAL`.
    TxOperational,
}

impl AmpduAction {
    pub(super) fn from_c(a: sys::bes_ampdu_action) -> Self {
        match a {
            sys::bes_ampdu_action_BES_AMPDU_RX_START => Self::RxStart,
            sys::bes_ampdu_action_BES_AMPDU_RX_STOP => Self::RxStop,
            sys::bes_ampdu_action_BES_AMPDU_TX_START => Self::TxStart,
            sys::bes_ampdu_action_BES_AMPDU_TX_OPERATIONAL => Self::TxOperational,
            _ => Self::TxStop,
        }
    }
}

/// `set_key`'s command (`enum set_key_cmd`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum KeyCmd {
    /// `SET_KEY`.
    Set,
    /// `DISABLE_KEY`.
    Disable,
}

impl KeyCmd {
    pub(super) fn from_c(c: sys::bes_key_cmd) -> Option<Self> {
        match c {
            sys::bes_key_cmd_BES_KEY_SET => Some(Self::Set),
            sys::bes_key_cmd_BES_KEY_DISABLE => Some(Self::Disable),
            _ => None,
        }
    }
}
