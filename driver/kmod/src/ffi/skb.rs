// SPDX-License-Identifier: GPL-2.0-only
//! Socket buffers: TX frames taken from mac80211 and the RX batch handed back to it, and
//! the pages an RX burst is read into so that its frames reach mac80211 without a copy.

use core::ffi::c_int;
use core::ptr::NonNull;

use kernel::prelude::*;

use bes2600_engine::mac::rates::{MacRate, StatusRates};
use bes2600_wire::wsm::common::Band;

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

impl Skb {
    /// The rates mac80211's rate control chose for the frame and the band it goes out on.
    pub(crate) fn tx_rates(&self) -> TxRateList {
        let mut list = TxRateList {
            band_5g: false,
            entries: [TxRateEntry::UNUSED; TX_MAX_RATES],
            len: 0,
        };
        // SAFETY: The skb is valid and owned by us (type invariant); `entries` has room for
        // the `BES_TX_MAX_RATES` entries the shim writes at most, and `band_5g` is valid for
        // a write.
        let n = unsafe {
            sys::bes_skb_tx_rates(
                self.ptr.as_ptr(),
                list.entries.as_mut_ptr().cast::<sys::bes_tx_rate>(),
                &mut list.band_5g,
            )
        };
        list.len = usize::try_from(n).unwrap_or(0).min(TX_MAX_RATES);
        list
    }

    /// Reports the TX outcome with the rates the frame was tried at (`status`, in order,
    /// with their attempts; an entry from `list`, the frame's own rate list, keeps
    /// mac80211's flags) and gives the skb back to mac80211.
    pub(crate) fn tx_status_rates(self, acked: bool, list: &TxRateList, status: &StatusRates) {
        let mut rates = [TxRateEntry::UNUSED; TX_MAX_RATES];
        let mut n = 0;
        for (i, (slot, s)) in rates.iter_mut().zip(status.iter()).enumerate() {
            let listed = s.from.and_then(|k| list.entries().get(usize::from(k)));
            *slot = match listed {
                Some(e) => e.with_count(s.count),
                None => TxRateEntry::new(s.rate, s.count),
            };
            n = i + 1;
        }
        let me = core::mem::ManuallyDrop::new(self);
        // SAFETY: Ownership of the skb passes to mac80211 here (type invariant: we own it);
        // `ManuallyDrop` keeps `Drop` from freeing it a second time. `rates` is readable for
        // `n` entries (`TxRateEntry` is a transparent `bes_tx_rate`) during the call.
        unsafe {
            sys::bes_tx_status_rates(
                me.hw.0.as_ptr(),
                me.ptr.as_ptr(),
                acked,
                rates.as_ptr().cast::<sys::bes_tx_rate>(),
                c_int::try_from(n).unwrap_or(0),
            )
        }
    }
}

impl Drop for Skb {
    fn drop(&mut self) {
        // SAFETY: We own the skb (type invariant) and free it once.
        unsafe { sys::bes_tx_drop(self.hw.0.as_ptr(), self.ptr.as_ptr()) }
    }
}

/// Entries in a TX frame's rate list (mac80211's `IEEE80211_TX_MAX_RATES`).
const TX_MAX_RATES: usize = sys::BES_TX_MAX_RATES as usize;

/// One entry of a TX frame's rate list: a rate of the frame's band, its tries, and
/// mac80211's other flags for it (short GI, 40 MHz, RTS/CTS), which go back unread.
#[derive(Clone, Copy)]
#[repr(transparent)]
struct TxRateEntry(sys::bes_tx_rate);

impl TxRateEntry {
    const UNUSED: Self = Self(sys::bes_tx_rate {
        idx: -1,
        count: 0,
        kind: sys::BES_RATE_OTHER as c_int,
        flags: 0,
    });

    /// An entry of mac80211's list would name this rate with `count` tries; no other flags.
    fn new(rate: MacRate, count: u8) -> Self {
        let (idx, kind) = match rate {
            MacRate::Legacy(i) => (i, sys::BES_RATE_LEGACY),
            MacRate::Ht(mcs) => (mcs, sys::BES_RATE_HT),
        };
        Self(sys::bes_tx_rate {
            idx: c_int::from(idx),
            count: c_int::from(count),
            kind: kind as c_int,
            flags: 0,
        })
    }

    /// The rate: an index into the band's bitrates or an HT MCS; `None` for a kind the
    /// chip has no number for (VHT).
    fn rate(&self) -> Option<MacRate> {
        let idx = u8::try_from(self.0.idx).ok()?;
        match u32::try_from(self.0.kind).ok()? {
            sys::BES_RATE_LEGACY => Some(MacRate::Legacy(idx)),
            sys::BES_RATE_HT => Some(MacRate::Ht(idx)),
            _ => None,
        }
    }

    /// Tries (mac80211 allows at most 31).
    fn count(&self) -> u8 {
        u8::try_from(self.0.count).unwrap_or(0)
    }

    /// The same rate and flags with `count` tries.
    fn with_count(self, count: u8) -> Self {
        Self(sys::bes_tx_rate {
            count: c_int::from(count),
            ..self.0
        })
    }
}

/// A TX frame's rate list as mac80211 left it, and its band.
pub(crate) struct TxRateList {
    band_5g: bool,
    entries: [TxRateEntry; TX_MAX_RATES],
    len: usize,
}

impl TxRateList {
    /// The band the frame goes out on.
    pub(crate) fn band(&self) -> Band {
        if self.band_5g {
            Band::Band5G
        } else {
            Band::Band2G4
        }
    }

    /// The entries, best rate first.
    fn entries(&self) -> &[TxRateEntry] {
        self.entries.get(..self.len).unwrap_or(&[])
    }

    /// The entries as rates and tries, best first, in their slots (`None`: a kind the chip
    /// has no number for, or no entry).
    pub(crate) fn mac_rates(&self) -> [Option<(MacRate, u8)>; TX_MAX_RATES] {
        let mut out = [None; TX_MAX_RATES];
        for (o, e) in out.iter_mut().zip(self.entries()) {
            *o = e.rate().map(|r| (r, e.count()));
        }
        out
    }
}

/// `rx_copy=` parameter: frames are copied out of the engine's burst buffer, no pages lent.
pub(crate) fn param_rx_copy() -> bool {
    // SAFETY: The shim only reads a module parameter; there are no preconditions.
    unsafe { sys::bes_param_rx_copy() }
}

/// Pages one RX burst is read into; the skbs built over its frames hold their own page
/// references, so the pages outlive the burst as long as any frame does.
///
/// # Invariants
///
/// `page` is a page reference this value owns (from `bes_rx_page_alloc`), put once by
/// `Drop`; `va` is its kernel address, mapped and writable for `cap` bytes.
pub(crate) struct RxPage {
    page: NonNull<sys::page>,
    va: NonNull<u8>,
    cap: usize,
}

// SAFETY: A page reference may be held and put from any context; the BH thread is the only
// user of the value.
unsafe impl Send for RxPage {}

impl RxPage {
    /// Allocates pages for a burst of `len` bytes (one compound allocation); `None` when
    /// out of memory.
    pub(crate) fn alloc(len: usize) -> Option<Self> {
        let mut page: *mut sys::page = core::ptr::null_mut();
        let mut cap: usize = 0;
        // SAFETY: Both out-pointers are valid for writes for the call.
        let va = unsafe { sys::bes_rx_page_alloc(len, &mut page, &mut cap) };
        // INVARIANT: On success the shim returns the address of `cap` mapped bytes and the
        // page whose reference we now own.
        Some(Self {
            page: NonNull::new(page)?,
            va: NonNull::new(va.cast::<u8>())?,
            cap,
        })
    }

    /// Usable bytes.
    pub(crate) fn cap(&self) -> usize {
        self.cap
    }

    /// The bytes, writable, when no skb references the pages any more (`None` otherwise:
    /// frames of an earlier burst still live in them).
    pub(crate) fn unshared_mut(&mut self) -> Option<&mut [u8]> {
        // SAFETY: We own a reference, so the page is live (type invariant).
        if !unsafe { sys::bes_rx_page_unshared(self.page.as_ptr()) } {
            return None;
        }
        // SAFETY: `va` is mapped for `cap` bytes (type invariant). Ours is the only
        // reference, and new ones are made only by `RxBatch::add_frag` through `&self`,
        // which this exclusive borrow excludes: nothing else reads or writes the bytes.
        Some(unsafe { core::slice::from_raw_parts_mut(self.va.as_ptr(), self.cap) })
    }

    /// The bytes, read-only.
    pub(crate) fn bytes(&self) -> &[u8] {
        // SAFETY: `va` is mapped for `cap` bytes (type invariant). The skbs that share the
        // pages only read their frames (the stack linearizes before it writes into a frame,
        // net/mac80211/wep.c, wpa.c) and we write only through `unshared_mut`.
        unsafe { core::slice::from_raw_parts(self.va.as_ptr(), self.cap) }
    }
}

impl Drop for RxPage {
    fn drop(&mut self) {
        // SAFETY: We own this reference (type invariant) and put it once.
        unsafe { sys::bes_rx_page_put(self.page.as_ptr()) }
    }
}

/// The rx status of one frame (the `ieee80211_rx_status` fields the shim fills).
#[derive(Clone, Copy)]
pub(crate) struct RxStatus {
    /// Channel centre frequency, MHz.
    pub(crate) freq: u16,
    /// Signal, dBm.
    pub(crate) signal: i32,
    /// Rate index (legacy) or MCS (HT).
    pub(crate) rate: i32,
    /// HT encoding.
    pub(crate) ht: bool,
    /// `RX_DECRYPTED` / `RX_IV_STRIPPED` / `RX_MIC_ERROR`.
    pub(crate) flags: u32,
}

/// A list of received frames delivered together with `ieee80211_rx_list`, and the pages
/// the current burst was read into ([`RxBatch::lend`]).
///
/// # Invariants
///
/// `list` came from `bes_rx_batch_alloc` and is freed only by `Drop`.
pub(crate) struct RxBatch {
    list: NonNull<sys::bes_rx_batch>,
    page: Option<RxPage>,
}

// SAFETY: The batch is a private skb list without thread affinity; only its owner (the BH
// thread) uses it.
unsafe impl Send for RxBatch {}

impl RxBatch {
    /// Allocates an empty batch.
    pub(crate) fn new() -> Result<Self> {
        // SAFETY: `bes_rx_batch_alloc` has no preconditions.
        let p = unsafe { sys::bes_rx_batch_alloc() };
        let list = NonNull::new(p).ok_or(ENOMEM)?;
        Ok(Self { list, page: None })
    }

    /// Pages for the next burst of `len` bytes: the previous burst's when every skb over
    /// them is gone and they are large enough, else new ones (the old ones live on in their
    /// skbs). `None` when out of memory: the caller reads into memory of its own.
    pub(crate) fn lend(&mut self, len: usize) -> Option<&mut [u8]> {
        let reuse = match self.page.as_mut() {
            Some(p) if p.cap() >= len => p.unshared_mut().is_some(),
            _ => false,
        };
        if !reuse {
            // Dropping puts our reference: the pages are freed with their last skb.
            self.page = None;
            self.page = Some(RxPage::alloc(len)?);
        }
        self.page.as_mut()?.unshared_mut()?.get_mut(..len)
    }

    /// The bytes of the pages last lent (empty when none).
    pub(crate) fn lent(&self) -> &[u8] {
        self.page.as_ref().map_or(&[], RxPage::bytes)
    }

    /// Copies one frame into a new skb and queues it.
    ///
    /// # Errors
    ///
    /// `ENOMEM` when no skb could be allocated.
    pub(crate) fn add(&mut self, frame: &[u8], st: RxStatus) -> Result {
        copy_into(self.list, frame, st)
    }

    /// Queues the frame at `range` of the lent pages: as a new skb whose data is a fragment
    /// of the pages (no copy; the skb takes its own page reference and is charged
    /// `truesize`), or, with `copy`, copied into a new skb.
    ///
    /// # Errors
    ///
    /// `EINVAL` when nothing is lent or the range is empty or outside the pages; `ENOMEM`
    /// when no skb could be allocated.
    pub(crate) fn add_lent(
        &mut self,
        range: core::ops::Range<usize>,
        copy: bool,
        truesize: u32,
        st: RxStatus,
    ) -> Result {
        let page = self.page.as_ref().ok_or(EINVAL)?;
        let frame = page.bytes().get(range.clone()).ok_or(EINVAL)?;
        if frame.is_empty() {
            return Err(EINVAL);
        }
        if copy {
            // `frame` lies in the pages we hold a reference to.
            return copy_into(self.list, frame, st);
        }
        // SAFETY: The list is valid (type invariant) and exclusively borrowed; the page is
        // live (we hold a reference), `range` lies inside it (checked above), and the shim
        // takes the skb's own page reference before it returns.
        check(unsafe {
            sys::bes_rx_batch_add_frag(
                self.list.as_ptr(),
                page.page.as_ptr(),
                range.start,
                frame.len(),
                truesize,
                st.freq,
                st.signal,
                st.rate,
                c_int::from(st.ht),
                st.flags,
            )
        })
    }

    /// Frees everything queued (mac80211 is stopped: nobody may get these frames).
    pub(crate) fn purge(&mut self) {
        // SAFETY: The batch is valid (type invariant) and exclusively borrowed.
        unsafe { sys::bes_rx_batch_purge(self.list.as_ptr()) }
    }

    /// Delivers everything queued (BH thread, process context).
    pub(crate) fn deliver(&mut self, hw: HwRef) {
        // SAFETY: Both are valid (type invariants); the shim disables BHs and holds RCU
        // around `ieee80211_rx_list`, as it requires.
        unsafe { sys::bes_rx_batch_deliver(hw.0.as_ptr(), self.list.as_ptr()) }
    }
}

/// Queues a copy of `frame` as a new skb on `list`: the one call behind `RxBatch::add` and
/// `add_lent`'s copy path (a plain field, so `add_lent` may pass it while it borrows the pages).
fn copy_into(list: NonNull<sys::bes_rx_batch>, frame: &[u8], st: RxStatus) -> Result {
    // SAFETY: `list` is an `RxBatch`'s list, valid by its type invariant, and both callers
    // hold that batch exclusively borrowed; `frame` is readable for its length during the call.
    check(unsafe {
        sys::bes_rx_batch_add(
            list.as_ptr(),
            frame.as_ptr(),
            frame.len(),
            st.freq,
            st.signal,
            st.rate,
            c_int::from(st.ht),
            st.flags,
        )
    })
}

impl Drop for RxBatch {
    fn drop(&mut self) {
        // SAFETY: Allocated by `bes_rx_batch_alloc`, freed once here (type invariant); the
        // pages are put after it by the field drop.
        unsafe { sys::bes_rx_batch_free(self.list.as_ptr()) }
    }
}
