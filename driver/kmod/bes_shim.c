// SPDX-License-Identifier: GPL-2.0-only
/*
 * bes_shim.c - the thin C shim of bes2600.ko (see bes_shim.h for the rules): module
 * parameters and small services. The shim is one file per kernel object: bes_shim_bh.c
 * (kthread), bes_shim_fw.c (firmware), bes_shim_mac80211.c (hw, ops, debugfs, uevent),
 * bes_shim_skb.c (RX/TX skbs), bes_shim_sdio.c (SDIO driver and function).
 *
 * Kernel-version differences live only in the shim (and nowhere in Rust):
 *   - ieee80211_ops.config gained an `int radio_idx` argument in 6.17
 *     (6.12 local test kernel: config(hw, changed); 6.18 linux-yocto: config(hw, radio_idx,
 *     changed)).
 *   - ieee80211_ops.stop has taken `bool suspend` since 6.11; older kernels are not
 *     supported (the module needs CONFIG_RUST features of 6.12 anyway).
 *   - 6.12 requires non-chanctx drivers to use the ieee80211_emulate_*chanctx ops; they
 *     exist unchanged in 6.18 and 7.2.
 *   - The Rust module! macro's author key changed spelling in 6.13 (`author` ->
 *     `authors: [..]`), so MODULE_AUTHOR is declared here instead (both kernels).
 * Kernels built and run by the e2e: Debian 6.12 (clang) and Debian 7.2 (GCC, the Yocto
 * way); wrynose's linux-yocto 6.18 lies between them (driver/kmod/README.md).
 */
#include "bes_shim_priv.h"

const struct bes_rs_ops *bes_rs;

/* ---------------------------------------------------------------- module parameters */

static int fw_type;
module_param(fw_type, int, 0444);
MODULE_PARM_DESC(fw_type, "firmware: 0 signal (default), 1 nosignal, 2 btrf");

/*
 * The Rust module! macro spells the author key `author: "..."` up to 6.12 and
 * `authors: ["..."]` from 6.13 on, and accepts neither spelling on the other kernel; the
 * modinfo tag itself has not changed, so it is declared here once for both.
 */
MODULE_AUTHOR("bes2600-rs developers");

int bes_param_fw_type(void)
{
	return fw_type;
}

u64 bes_ktime_ns(void)
{
	return ktime_get_ns();
}

void bes_msleep(unsigned int ms)
{
	msleep(ms);
}

u32 bes_crc32(const u8 *data, size_t len)
{
	return ~crc32_le(~0U, data, len);
}

void bes_random_mac(u8 mac[6])
{
	eth_random_addr(mac);
}
