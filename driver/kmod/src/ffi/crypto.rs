// SPDX-License-Identifier: GPL-2.0-only
//! Hardware crypto (`bes_shim_crypto.c`): the `nohwcrypt` module parameter and the ICV/MIC
//! room of a TX frame the firmware encrypts.

use kernel::prelude::*;

use super::{sys, Skb};

/// `nohwcrypt=` parameter: `set_key` refuses every key, mac80211 keeps crypto in software.
pub(crate) fn param_nohwcrypt() -> bool {
    // SAFETY: The shim only returns the value of a module parameter; there are no
    // preconditions.
    unsafe { sys::bes_param_nohwcrypt() }
}

impl Skb {
    /// Appends the ICV/MIC room the firmware writes into when mac80211 left this frame to a
    /// hardware key (C:txrx.c:694-710); returns the bytes appended (0 for other frames).
    ///
    /// # Errors
    ///
    /// `ENOSPC` when the skb has no tailroom for it (mac80211 reserves it for keys with
    /// `IEEE80211_KEY_FLAG_RESERVE_TAILROOM`, which `set_key` sets).
    #[allow(
        dead_code,
        reason = "device/host.rs's next_tx calls it (change requested of its editor)"
    )]
    pub(crate) fn add_crypto_room(&mut self) -> Result<u32> {
        // SAFETY: The skb is valid and owned by us (`Skb` invariant), and `&mut self` means
        // no slice from `Skb::data` is alive while its length changes.
        let r = unsafe { sys::bes_skb_crypto_room(self.ptr.as_ptr()) };
        u32::try_from(r).map_err(|_| Error::from_errno(r))
    }
}
