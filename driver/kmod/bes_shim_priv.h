/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bes_shim_priv.h - what the shim's C files share and Rust never sees: the kernel headers,
 * the Rust callback table and the hw's private area.
 */
#ifndef BES_SHIM_PRIV_H
#define BES_SHIM_PRIV_H

#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/crc32.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/etherdevice.h>
#include <linux/firmware.h>
#include <linux/freezer.h>
#include <linux/fs.h>
#include <linux/kstrtox.h>
#include <linux/kthread.h>
#include <linux/mmc/card.h>
#include <linux/mmc/host.h>
#include <linux/mmc/core.h>
#include <linux/mmc/sdio.h>
#include <linux/mmc/sdio_func.h>
#include <linux/scatterlist.h>
#include <linux/mmc/sdio_ids.h>
#include <linux/module.h>
#include <linux/netdevice.h>
#include <linux/of.h>
#include <linux/seq_file.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/version.h>
#include <linux/vmalloc.h>
#include <linux/wait.h>
#include <net/mac80211.h>

#include "bes_shim.h"

/*
 * The Rust driver's entry points, set once by bes_sdio_register() before any callback can
 * run (the SDIO driver is not registered yet) and never changed: a driver table, no device
 * state.
 */
extern const struct bes_rs_ops *bes_rs;

struct bes_hw_priv {
	void *drv;
	struct sk_buff_head direct;	/* frames mac80211 hands to .tx (no TXQ) */
	struct ieee80211_supported_band band;
	struct ieee80211_channel channels[BES_N_CHANNELS];
	struct ieee80211_rate rates[BES_N_RATES];
	struct ieee80211_supported_band band_5g;	/* bitrates: the OFDM tail of rates[] */
	struct ieee80211_channel channels_5g[BES_N_CHANNELS_5G];
	/* The rate of the last acked data frame as the firmware reported it (txedRate), for
	 * sta_statistics: BIT(31) valid | band << 16 | ht << 8 | index (0: none yet). */
	u32 last_tx_rate;
};

static inline void *bes_drv(struct ieee80211_hw *hw)
{
	return ((struct bes_hw_priv *)hw->priv)->drv;
}

#endif /* BES_SHIM_PRIV_H */
