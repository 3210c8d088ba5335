// SPDX-License-Identifier: GPL-2.0-only
//! In-place boxing: large values written straight into their heap allocation.

use core::mem::MaybeUninit;
use core::ptr;

use kernel::prelude::*;

/// Allocates a `KBox<T>` and lets `init` write the value straight into it.
///
/// For the engine (~60 KiB, two burst buffers): `Engine::init_in_place` is inlined into
/// `init` and stores the fields into the allocation, so no copy of the value exists on the
/// 16 KiB kernel stack (the caller's frame is ~1.1 KiB, driver/kmod/README.md). The memory
/// is kmalloc'ed because the engine's burst buffers are SDIO transfer buffers (the shim maps
/// them with `sg_init_one`, which needs the linear map). `init` must return the reference
/// that `MaybeUninit::write` gave back (checked), which proves the slot is initialised.
pub(crate) fn kbox_in_place<T, F>(init: F) -> Result<KBox<T>>
where
    F: FnOnce(&mut MaybeUninit<T>) -> &mut T,
{
    let mut b = KBox::<T>::new_uninit(GFP_KERNEL)?;
    let want: *const T = b.as_ptr();
    let done: *const T = init(&mut b);
    if !ptr::eq(want, done) {
        // Not provably initialised: leak rather than risk dropping garbage.
        core::mem::forget(b);
        return Err(EINVAL);
    }
    // SAFETY: `init` returned the `&mut T` that `MaybeUninit::write` produced for this very
    // slot (pointer equality checked above), so the value is initialised.
    Ok(unsafe { b.assume_init() })
}
