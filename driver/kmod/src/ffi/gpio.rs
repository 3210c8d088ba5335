// SPDX-License-Identifier: GPL-2.0-only
//! The chip's wake line: GPIO `wakeup` of the SDIO function (DT `wakeup-gpios`, spec §1.8).

use core::ptr::{self, NonNull};

use kernel::prelude::*;

use super::sdio::SdioFunc;
use super::{check, sys};

/// The wake line, held asserted from [`WakeLine::assert`] until it is dropped, which drives
/// it inactive and gives it back.
///
/// # Invariants
///
/// The pointer is the descriptor `bes_gpio_wake_get` returned, not yet put; `Drop` puts it
/// once.
pub(crate) struct WakeLine(NonNull<sys::gpio_desc>);

// SAFETY: A GPIO descriptor may be used from any process context; the shim uses the
// `_cansleep` accessor and the driver only touches the line from probe and remove.
unsafe impl Send for WakeLine {}
// SAFETY: As for `Send`: `&WakeLine` gives no access at all.
unsafe impl Sync for WakeLine {}

impl WakeLine {
    /// Requests the function's wake line and asserts it. `Ok(None)`: the board has none.
    ///
    /// # Errors
    ///
    /// Any error of the GPIO lookup other than "no such line" (`-EPROBE_DEFER` included).
    pub(crate) fn assert(func: SdioFunc) -> Result<Option<Self>> {
        let mut desc = ptr::null_mut();
        // SAFETY: The function is valid between probe and remove (`SdioFunc` invariant);
        // the out-pointer is valid for the call.
        check(unsafe { sys::bes_gpio_wake_get(func.0.as_ptr(), &mut desc) })?;
        let Some(d) = NonNull::new(desc) else {
            return Ok(None);
        };
        // SAFETY: `d` was just returned by `bes_gpio_wake_get` and is not put.
        unsafe { sys::bes_gpio_wake_set(d.as_ptr(), true) };
        Ok(Some(Self(d)))
    }
}

impl Drop for WakeLine {
    fn drop(&mut self) {
        // SAFETY: The descriptor is live (type invariant); after the put nobody uses it.
        unsafe {
            sys::bes_gpio_wake_set(self.0.as_ptr(), false);
            sys::bes_gpio_wake_put(self.0.as_ptr());
        }
    }
}
