// SPDX-License-Identifier: GPL-2.0-only
//! Small kernel services with no object behind them: the module parameter, time, CRC-32 and
//! MAC addresses.

use super::sys;

/// `fw_type=` parameter.
pub(crate) fn param_fw_type() -> i32 {
    // SAFETY: The shim only returns the value of a module parameter; there are no
    // preconditions.
    unsafe { sys::bes_param_fw_type() }
}

/// Monotonic time in ns.
pub(crate) fn now_ns() -> u64 {
    // SAFETY: `ktime_get_ns` has no preconditions and may be called from any context.
    unsafe { sys::bes_ktime_ns() }
}

/// Sleeps (process context only).
pub(crate) fn msleep(ms: u32) {
    // SAFETY: `msleep` may sleep; every caller runs in process context (probe, mac80211
    // ops that may sleep, or the BH kthread).
    unsafe { sys::bes_msleep(ms) }
}

/// zlib/IEEE CRC-32 (the kernel's `crc32_le`), as the firmware loader's `Crc32`.
pub(crate) struct KernelCrc;

impl bes2600_fw::Crc32 for KernelCrc {
    fn crc32(&self, data: &[u8]) -> u32 {
        // SAFETY: `data` is readable for `data.len()` bytes for the whole call.
        unsafe { sys::bes_crc32(data.as_ptr(), data.len()) }
    }
}

/// A random locally administered unicast MAC address.
pub(crate) fn random_mac() -> [u8; 6] {
    let mut mac = [0u8; 6];
    // SAFETY: `mac` is 6 writable bytes, as `eth_random_addr` needs.
    unsafe { sys::bes_random_mac(mac.as_mut_ptr()) };
    mac
}

/// `local-mac-address` of the `bestechnic,bes2600-sdio` DT node, if any.
pub(crate) fn dt_mac() -> Option<[u8; 6]> {
    let mut mac = [0u8; 6];
    // SAFETY: `mac` is 6 writable bytes, as the shim's DT read needs.
    let r = unsafe { sys::bes_dt_mac(mac.as_mut_ptr()) };
    (r == 0).then_some(mac)
}
