// SPDX-License-Identifier: GPL-2.0-only
//! Socket buffers: TX frames taken from mac80211 and the RX batch handed back to it.

use core::ffi::c_int;
use core::ptr::NonNull;

use kernel::prelude::*;

use super::hw::HwRef;
use super::{check, sys};

pub(crate) use sys::{
    BES_RX_DECRYPTED as RX_DECRYPTED, BES_RX_IV_STRIPPED as RX_IV_STRIPPED,
    BES_RX_MIC_ERROR as RX_MIC_ERROR,
};

/// A TX frame taken from mac80211; ends in `tx_status` or `drop`.
///
/// # Invariants
///
/// `ptr` is a linear TX skb that mac80211 handed to the driver (dequeued from a TXQ or the
/// direct queue) and that nobody else completes: ownership ends in [`Skb::tx_status`] or
/// `Drop`, exactly once. `hw` is the hw it belongs to.
pub(crate) struct Skb {
    pub(super) ptr: NonNull<sys::sk_buff>,
    pub(super) hw: HwRef,
}

// SAFETY: An skb we own may be completed from any process context.
unsafe impl Send for Skb {}

impl Skb {
    /// The frame bytes.
    pub(crate) fn data(&self) -> &[u8] {
        let mut len: usize = 0;
        // SAFETY: The skb is valid and owned by us (type invariant).
        let p = unsafe { sys::bes_skb_data(self.ptr.as_ptr(), &mut len) };
        if p.is_null() {
            return &[];
        }
        // SAFETY: `skb->data` points at `skb->len` readable bytes of a linear skb, which stay
        // unchanged while we own it; `&self` bounds the borrow.
        unsafe { core::slice::from_raw_parts(p, len) }
    }

    /// mac80211 queue (0 VO .. 3 BK).
    pub(crate) fn queue(&self) -> u16 {
        // SAFETY: The skb is valid (type invariant).
        let q = unsafe { sys::bes_skb_queue(self.ptr.as_ptr()) };
        u16::try_from(q).unwrap_or(2)
    }

    /// Reports the TX outcome and gives the skb back to mac80211.
    pub(crate) fn tx_status(self, acked: bool, tries: u8) {
        let me = core::mem::ManuallyDrop::new(self);
        // SAFETY: Ownership of the skb passes to mac80211 here (type invariant: we own it);
        // `ManuallyDrop` keeps `Drop` from freeing it a second time.
        unsafe { sys::bes_tx_status(me.hw.0.as_ptr(), me.ptr.as_ptr(), acked, c_int::from(tries)) }
    }
}

impl Drop for Skb {
    fn drop(&mut self) {
        // SAFETY: We own the skb (type invariant) and free it once.
        unsafe { sys::bes_tx_drop(self.hw.0.as_ptr(), self.ptr.as_ptr()) }
    }
}

/// A list of received frames delivered together with `ieee80211_rx_list`.
///
/// # Invariants
///
/// The pointer came from `bes_rx_batch_alloc` and is freed only by `Drop`.
pub(crate) struct RxBatch(NonNull<sys::bes_rx_batch>);

// SAFETY: The batch is a private skb list without thread affinity; only its owner (the BH
// thread) uses it.
unsafe impl Send for RxBatch {}

impl RxBatch {
    /// Allocates an empty batch.
    pub(crate) fn new() -> Result<Self> {
        // SAFETY: `bes_rx_batch_alloc` has no preconditions.
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
        // SAFETY: The batch is valid (type invariant) and exclusively borrowed; `frame` is
        // readable for its length during the call.
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

    /// Frees everything queued (mac80211 is stopped: nobody may get these frames).
    pub(crate) fn purge(&mut self) {
        // SAFETY: The batch is valid (type invariant) and exclusively borrowed.
        unsafe { sys::bes_rx_batch_purge(self.0.as_ptr()) }
    }

    /// Delivers everything queued (BH thread, process context).
    pub(crate) fn deliver(&mut self, hw: HwRef) {
        // SAFETY: Both are valid (type invariants); the shim disables BHs and holds RCU
        // around `ieee80211_rx_list`, as it requires.
        unsafe { sys::bes_rx_batch_deliver(hw.0.as_ptr(), self.0.as_ptr()) }
    }
}

impl Drop for RxBatch {
    fn drop(&mut self) {
        // SAFETY: Allocated by `bes_rx_batch_alloc`, freed once here (type invariant).
        unsafe { sys::bes_rx_batch_free(self.0.as_ptr()) }
    }
}
