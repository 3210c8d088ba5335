// SPDX-License-Identifier: GPL-2.0-only
/*
 * bes_shim.c - the thin C shim of bes2600.ko; see bes_shim.h for the rules.
 *
 * Kernel-version differences live only in this file (and nowhere in Rust):
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
#include <linux/atomic.h>
#include <linux/crc32.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/etherdevice.h>
#include <linux/firmware.h>
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
static const struct bes_rs_ops *bes_rs;

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
MODULE_FIRMWARE("bes2600/best2002_fw_boot_sdio.bin");
MODULE_FIRMWARE("bes2600/best2002_fw_sdio.bin");
MODULE_FIRMWARE("bes2600/best2002_fw_sdio_nosignal.bin");
MODULE_FIRMWARE("bes2600/best2002_fw_sdio_btrf.bin");
MODULE_ALIAS("bes2600_wlan");

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

/* ---------------------------------------------------------------- bottom half */

struct bes_bh {
	struct task_struct *task;
	wait_queue_head_t wq;
	atomic_t kick;
	void *drv;
};

static int bes_bh_thread(void *data)
{
	struct bes_bh *bh = data;

	return bes_rs->bh_main(bh->drv, bh);
}

struct bes_bh *bes_bh_start(void *drv, const char *name)
{
	struct bes_bh *bh = kzalloc(sizeof(*bh), GFP_KERNEL);

	if (!bh)
		return NULL;
	init_waitqueue_head(&bh->wq);
	atomic_set(&bh->kick, 1);
	bh->drv = drv;
	bh->task = kthread_create(bes_bh_thread, bh, "%s", name);
	if (IS_ERR(bh->task)) {
		kfree(bh);
		return NULL;
	}
	/* Held so kthread_stop_put() is safe even if the thread function returned early. */
	get_task_struct(bh->task);
	wake_up_process(bh->task);
	return bh;
}

int bes_bh_wait(struct bes_bh *bh, u64 timeout_ns)
{
	long t = timeout_ns >= (u64)NSEC_PER_SEC * 3600 ? MAX_SCHEDULE_TIMEOUT
						     : (long)nsecs_to_jiffies(timeout_ns);

	if (t == 0)
		t = 1;
	wait_event_interruptible_timeout(bh->wq,
					 atomic_read(&bh->kick) || kthread_should_stop(), t);
	atomic_set(&bh->kick, 0);
	return !kthread_should_stop();
}

int bes_bh_should_stop(void)
{
	return kthread_should_stop();
}

void bes_bh_wake(struct bes_bh *bh)
{
	atomic_set(&bh->kick, 1);
	wake_up_interruptible(&bh->wq);
}

void bes_bh_stop(struct bes_bh *bh)
{
	if (!bh)
		return;
	kthread_stop_put(bh->task);
	kfree(bh);
}

/* ---------------------------------------------------------------- firmware */

int bes_fw_request(struct ieee80211_hw *hw, const char *name, bool optional, void **handle,
		   const u8 **data, size_t *len)
{
	const struct firmware *fw;
	struct device *dev = wiphy_dev(hw->wiphy);
	/* An optional file gives no log line when it is missing. */
	int ret = optional ? firmware_request_nowarn(&fw, name, dev) :
			     request_firmware(&fw, name, dev);

	if (ret)
		return ret;
	*handle = (void *)fw;
	*data = fw->data;
	*len = fw->size;
	return 0;
}

void bes_fw_release(void *handle)
{
	release_firmware(handle);
}

/* ---------------------------------------------------------------- mac80211 */

struct bes_hw_priv {
	void *drv;
	struct sk_buff_head direct;	/* frames mac80211 hands to .tx (no TXQ) */
	struct ieee80211_supported_band band;
	struct ieee80211_channel channels[BES_N_CHANNELS];
	struct ieee80211_rate rates[BES_N_RATES];
};

static inline void *bes_drv(struct ieee80211_hw *hw)
{
	return ((struct bes_hw_priv *)hw->priv)->drv;
}

static void bes_op_tx(struct ieee80211_hw *hw, struct ieee80211_tx_control *control,
		      struct sk_buff *skb)
{
	struct bes_hw_priv *p = hw->priv;

	skb_queue_tail(&p->direct, skb);
	bes_rs->op_wake_tx(p->drv);
}

static int bes_op_start(struct ieee80211_hw *hw)
{
	return bes_rs->op_start(bes_drv(hw));
}

static void bes_op_stop(struct ieee80211_hw *hw, bool suspend)
{
	bes_rs->op_stop(bes_drv(hw));
}

static int bes_op_add_interface(struct ieee80211_hw *hw, struct ieee80211_vif *vif)
{
	enum bes_iftype type = vif->type == NL80211_IFTYPE_STATION ? BES_IFTYPE_STATION :
								     BES_IFTYPE_OTHER;

	return bes_rs->op_add_interface(bes_drv(hw), vif, vif->addr, type);
}

static void bes_op_remove_interface(struct ieee80211_hw *hw, struct ieee80211_vif *vif)
{
	bes_rs->op_remove_interface(bes_drv(hw), vif);
}

static int bes_hw_freq(struct ieee80211_hw *hw)
{
	return hw->conf.chandef.chan ? hw->conf.chandef.chan->center_freq : 0;
}

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 17, 0)
static int bes_op_config(struct ieee80211_hw *hw, int radio_idx, u32 changed)
#else
static int bes_op_config(struct ieee80211_hw *hw, u32 changed)
#endif
{
	return bes_rs->op_config(bes_drv(hw), changed, bes_hw_freq(hw));
}

static void bes_op_bss_info_changed(struct ieee80211_hw *hw, struct ieee80211_vif *vif,
				    struct ieee80211_bss_conf *info, u64 changed)
{
	struct bes_bss_info bi = {
		.assoc = vif->cfg.assoc,
		.aid = vif->cfg.aid,
		.beacon_int = info->beacon_int,
		.dtim_period = info->dtim_period,
		.basic_rates = info->basic_rates,
		.freq = bes_hw_freq(hw),
	};
	u32 flags = 0;

	if (info->bssid)
		ether_addr_copy(bi.bssid, info->bssid);
	if (changed & BSS_CHANGED_BSSID)
		flags |= BES_BSS_CHANGED_BSSID;
	if (flags)
		bes_rs->op_bss_info_changed(bes_drv(hw), vif, &bi, flags);
}

#define BES_SUPPORTED_FILTERS (FIF_ALLMULTI | FIF_BCN_PRBRESP_PROMISC | FIF_OTHER_BSS | \
			       FIF_PROBE_REQ)

static void bes_op_configure_filter(struct ieee80211_hw *hw, unsigned int changed_flags,
				    unsigned int *total_flags, u64 multicast)
{
	*total_flags &= BES_SUPPORTED_FILTERS;
	bes_rs->op_configure_filter(bes_drv(hw), *total_flags);
}

static int bes_op_sta_add(struct ieee80211_hw *hw, struct ieee80211_vif *vif,
			  struct ieee80211_sta *sta)
{
	return bes_rs->op_sta_add(bes_drv(hw), sta->addr, sta->aid);
}

static int bes_op_sta_remove(struct ieee80211_hw *hw, struct ieee80211_vif *vif,
			     struct ieee80211_sta *sta)
{
	return bes_rs->op_sta_remove(bes_drv(hw), sta->addr);
}

static int bes_op_set_key(struct ieee80211_hw *hw, enum set_key_cmd cmd,
			  struct ieee80211_vif *vif, struct ieee80211_sta *sta,
			  struct ieee80211_key_conf *key)
{
	struct bes_key_req r = {};
	struct ieee80211_key_seq seq = {};
	u8 entry = 0;
	int ret, i;

	if (key->keylen > sizeof(r.key))
		return -EOPNOTSUPP;
	r.cipher = key->cipher;
	r.key_idx = key->keyidx;
	r.pairwise = !!(key->flags & IEEE80211_KEY_FLAG_PAIRWISE);
	if (sta) {
		r.has_peer = true;
		ether_addr_copy(r.peer, sta->addr);
	}
	memcpy(r.key, key->key, key->keylen);
	r.key_len = key->keylen;
	r.hw_key_idx = key->hw_key_idx;
	if (cmd == SET_KEY && !r.pairwise) {
		switch (key->cipher) {
		case WLAN_CIPHER_SUITE_TKIP:
			ieee80211_get_key_rx_seq(key, 0, &seq);
			r.rx_pn = ((u64)seq.tkip.iv32 << 16) | seq.tkip.iv16;
			break;
		case WLAN_CIPHER_SUITE_CCMP:
			ieee80211_get_key_rx_seq(key, 0, &seq);
			/* pn[0] is the most significant byte */
			for (i = 0; i < IEEE80211_CCMP_PN_LEN; i++)
				r.rx_pn = (r.rx_pn << 8) | seq.ccmp.pn[i];
			break;
		}
	}
	ret = bes_rs->op_set_key(bes_drv(hw), cmd == SET_KEY ? BES_KEY_SET : BES_KEY_DISABLE, &r,
				 &entry);
	if (ret == 0 && cmd == SET_KEY) {
		key->hw_key_idx = entry;
		/* The firmware writes IV, ICV and the TKIP MIC into the space mac80211 leaves. */
		key->flags |= IEEE80211_KEY_FLAG_PUT_IV_SPACE | IEEE80211_KEY_FLAG_RESERVE_TAILROOM;
	}
	return ret;
}

static int bes_op_hw_scan(struct ieee80211_hw *hw, struct ieee80211_vif *vif,
			  struct ieee80211_scan_request *hw_req)
{
	struct cfg80211_scan_request *req = &hw_req->req;
	struct bes_scan_req r = {};
	int i;

	for (i = 0; i < req->n_channels && r.n_freqs < ARRAY_SIZE(r.freqs); i++)
		if (req->channels[i]->band == NL80211_BAND_2GHZ)
			r.freqs[r.n_freqs++] = req->channels[i]->center_freq;
	if (req->n_ssids > 0 && req->ssids[0].ssid_len <= sizeof(r.ssid)) {
		memcpy(r.ssid, req->ssids[0].ssid, req->ssids[0].ssid_len);
		r.ssid_len = req->ssids[0].ssid_len;
	}
	r.ies = req->ie;
	r.ies_len = req->ie_len;
	return bes_rs->op_hw_scan(bes_drv(hw), vif, &r);
}

static void bes_op_cancel_hw_scan(struct ieee80211_hw *hw, struct ieee80211_vif *vif)
{
	bes_rs->op_cancel_hw_scan(bes_drv(hw));
}

static void bes_op_wake_tx_queue(struct ieee80211_hw *hw, struct ieee80211_txq *txq)
{
	bes_rs->op_wake_tx(bes_drv(hw));
}

static int bes_op_ampdu_action(struct ieee80211_hw *hw, struct ieee80211_vif *vif,
			       struct ieee80211_ampdu_params *params)
{
	enum bes_ampdu_action action;

	switch (params->action) {
	case IEEE80211_AMPDU_RX_START: action = BES_AMPDU_RX_START; break;
	case IEEE80211_AMPDU_RX_STOP: action = BES_AMPDU_RX_STOP; break;
	case IEEE80211_AMPDU_TX_START: action = BES_AMPDU_TX_START; break;
	case IEEE80211_AMPDU_TX_OPERATIONAL: action = BES_AMPDU_TX_OPERATIONAL; break;
	default: action = BES_AMPDU_TX_STOP; break;	/* STOP_CONT/FLUSH/FLUSH_CONT */
	}
	return bes_rs->op_ampdu_action(bes_drv(hw), action, params->tid);
}

static void bes_op_flush(struct ieee80211_hw *hw, struct ieee80211_vif *vif, u32 queues,
			 bool drop)
{
	bes_rs->op_flush(bes_drv(hw), drop);
}

static const struct ieee80211_ops bes_ops = {
	.tx = bes_op_tx,
	.wake_tx_queue = bes_op_wake_tx_queue,
	.start = bes_op_start,
	.stop = bes_op_stop,
	.add_interface = bes_op_add_interface,
	.remove_interface = bes_op_remove_interface,
	.config = bes_op_config,
	.bss_info_changed = bes_op_bss_info_changed,
	.configure_filter = bes_op_configure_filter,
	.sta_add = bes_op_sta_add,
	.sta_remove = bes_op_sta_remove,
	.set_key = bes_op_set_key,
	.hw_scan = bes_op_hw_scan,
	.cancel_hw_scan = bes_op_cancel_hw_scan,
	.ampdu_action = bes_op_ampdu_action,
	.flush = bes_op_flush,
	/* no channel contexts in the firmware: mac80211's emulation (required since 6.9) */
	.add_chanctx = ieee80211_emulate_add_chanctx,
	.remove_chanctx = ieee80211_emulate_remove_chanctx,
	.change_chanctx = ieee80211_emulate_change_chanctx,
	.switch_vif_chanctx = ieee80211_emulate_switch_vif_chanctx,
};

struct ieee80211_hw *bes_hw_alloc(void *drv)
{
	struct ieee80211_hw *hw = ieee80211_alloc_hw(sizeof(struct bes_hw_priv), &bes_ops);
	struct bes_hw_priv *p;

	if (!hw)
		return NULL;
	p = hw->priv;
	p->drv = drv;
	skb_queue_head_init(&p->direct);
	/* Channels and rates are filled in at registration (bes_hw_register). */
	p->band.band = NL80211_BAND_2GHZ;
	p->band.channels = p->channels;
	p->band.n_channels = BES_N_CHANNELS;
	p->band.bitrates = p->rates;
	p->band.n_bitrates = BES_N_RATES;

	ieee80211_hw_set(hw, SIGNAL_DBM);
	ieee80211_hw_set(hw, REPORTS_TX_ACK_STATUS);
	ieee80211_hw_set(hw, AMPDU_AGGREGATION);
	ieee80211_hw_set(hw, MFP_CAPABLE);
	hw->queues = 4;			/* VO, VI, BE, BK (spec §4.3) */
	hw->max_rates = 4;
	hw->max_rate_tries = 15;
	hw->wiphy->interface_modes = BIT(NL80211_IFTYPE_STATION);
	hw->wiphy->max_scan_ssids = 2;
	hw->wiphy->max_scan_ie_len = 256;
	hw->wiphy->bands[NL80211_BAND_2GHZ] = &p->band;
	return hw;
}

void bes_hw_set_drv(struct ieee80211_hw *hw, void *drv)
{
	((struct bes_hw_priv *)hw->priv)->drv = drv;
}

int bes_hw_register(struct ieee80211_hw *hw, const struct bes_band_info *info)
{
	struct bes_hw_priv *p = hw->priv;
	struct ieee80211_sta_ht_cap *ht = &p->band.ht_cap;
	int i;

	for (i = 0; i < BES_N_CHANNELS; i++) {
		p->channels[i].band = NL80211_BAND_2GHZ;
		p->channels[i].center_freq = info->channels[i].freq;
		p->channels[i].hw_value = info->channels[i].number;
		p->channels[i].max_power = 20;
	}
	for (i = 0; i < BES_N_RATES; i++) {
		p->rates[i].bitrate = info->rates[i].bitrate;
		p->rates[i].hw_value = info->rates[i].hw_value;
		p->rates[i].flags = info->rates[i].short_preamble ? IEEE80211_RATE_SHORT_PREAMBLE : 0;
	}
	if (info->ht_mcs_mask) {
		ht->ht_supported = true;
		ht->cap = IEEE80211_HT_CAP_SGI_20 | IEEE80211_HT_CAP_GRN_FLD |
			  (1 << IEEE80211_HT_CAP_RX_STBC_SHIFT) |
			  IEEE80211_HT_CAP_MAX_AMSDU;
		ht->ampdu_factor = IEEE80211_HT_MAX_AMPDU_32K;
		ht->ampdu_density = IEEE80211_HT_MPDU_DENSITY_NONE;
		ht->mcs.rx_mask[0] = info->ht_mcs_mask & 0xff;
		ht->mcs.rx_highest = 0;
		ht->mcs.tx_params = IEEE80211_HT_MCS_TX_DEFINED;
	}
	SET_IEEE80211_PERM_ADDR(hw, (u8 *)info->mac);
	return ieee80211_register_hw(hw);
}

void bes_hw_unregister(struct ieee80211_hw *hw)
{
	ieee80211_unregister_hw(hw);
}

void bes_hw_free(struct ieee80211_hw *hw)
{
	struct bes_hw_priv *p = hw->priv;

	ieee80211_purge_tx_queue(hw, &p->direct);
	ieee80211_free_hw(hw);
}

void bes_hw_scan_completed(struct ieee80211_hw *hw, bool aborted)
{
	struct cfg80211_scan_info info = { .aborted = aborted };

	ieee80211_scan_completed(hw, &info);
}

void bes_hw_restart(struct ieee80211_hw *hw)
{
	ieee80211_restart_hw(hw);
}

void bes_hw_connection_loss(struct ieee80211_vif *vif)
{
	ieee80211_connection_loss(vif);
}

void bes_hw_set_sdio_parent(struct ieee80211_hw *hw, struct sdio_func *func)
{
	SET_IEEE80211_DEV(hw, &func->dev);
}

/* ---------------------------------------------------------------- RX */

struct bes_rx_batch {
	struct sk_buff_head q;
};

struct bes_rx_batch *bes_rx_batch_alloc(void)
{
	struct bes_rx_batch *b = kzalloc(sizeof(*b), GFP_KERNEL);

	if (b)
		__skb_queue_head_init(&b->q);
	return b;
}

void bes_rx_batch_free(struct bes_rx_batch *b)
{
	if (!b)
		return;
	__skb_queue_purge(&b->q);
	kfree(b);
}

int bes_rx_batch_add(struct bes_rx_batch *b, const u8 *frame, size_t len, u16 freq,
		     int signal_dbm, int rate_idx, int ht, u32 flags)
{
	struct ieee80211_rx_status *st;
	struct sk_buff *skb;

	skb = dev_alloc_skb(len);
	if (!skb)
		return -ENOMEM;
	skb_put_data(skb, frame, len);
	st = IEEE80211_SKB_RXCB(skb);
	memset(st, 0, sizeof(*st));
	st->freq = freq;
	st->band = NL80211_BAND_2GHZ;
	st->signal = signal_dbm;
	st->rate_idx = rate_idx;
	if (ht)
		st->encoding = RX_ENC_HT;
	/* Types 1-3 keep IV/ICV/MIC in the frame: mac80211 strips them and checks replays. */
	if (flags & BES_RX_DECRYPTED)
		st->flag |= RX_FLAG_DECRYPTED;
	if (flags & BES_RX_IV_STRIPPED)
		st->flag |= RX_FLAG_IV_STRIPPED | RX_FLAG_ICV_STRIPPED | RX_FLAG_MMIC_STRIPPED |
			    RX_FLAG_MIC_STRIPPED;
	if (flags & BES_RX_MIC_ERROR)
		st->flag |= RX_FLAG_DECRYPTED | RX_FLAG_MMIC_ERROR | RX_FLAG_MMIC_STRIPPED;
	__skb_queue_tail(&b->q, skb);
	return 0;
}

void bes_rx_batch_deliver(struct ieee80211_hw *hw, struct bes_rx_batch *b)
{
	struct sk_buff *skb;
	LIST_HEAD(list);

	if (skb_queue_empty(&b->q))
		return;
	/* ieee80211_rx_list() wants BHs off and RCU held; one section for the whole burst. */
	local_bh_disable();
	rcu_read_lock();
	while ((skb = __skb_dequeue(&b->q)))
		ieee80211_rx_list(hw, NULL, skb, &list);
	rcu_read_unlock();
	netif_receive_skb_list(&list);
	local_bh_enable();
}

/* ---------------------------------------------------------------- TX */

struct sk_buff *bes_tx_dequeue(struct ieee80211_hw *hw)
{
	struct bes_hw_priv *p = hw->priv;
	struct ieee80211_txq *txq;
	struct sk_buff *skb;
	int ac;

	skb = skb_dequeue(&p->direct);
	if (skb)
		return skb;
	/* ieee80211_tx_dequeue() must run with softirqs disabled. */
	local_bh_disable();
	for (ac = 0; ac < IEEE80211_NUM_ACS; ac++) {
		ieee80211_txq_schedule_start(hw, ac);
		while ((txq = ieee80211_next_txq(hw, ac))) {
			skb = ieee80211_tx_dequeue(hw, txq);
			ieee80211_return_txq(hw, txq, false);
			if (skb)
				break;
		}
		ieee80211_txq_schedule_end(hw, ac);
		if (skb)
			break;
	}
	local_bh_enable();
	return skb;
}

int bes_tx_pending(struct ieee80211_hw *hw)
{
	struct bes_hw_priv *p = hw->priv;

	return !skb_queue_empty_lockless(&p->direct);
}

const u8 *bes_skb_data(struct sk_buff *skb, size_t *len)
{
	*len = skb->len;
	return skb->data;
}

int bes_skb_queue(struct sk_buff *skb)
{
	return skb_get_queue_mapping(skb);
}

void bes_tx_status(struct ieee80211_hw *hw, struct sk_buff *skb, bool acked, int tries)
{
	struct ieee80211_tx_info *info = IEEE80211_SKB_CB(skb);

	ieee80211_tx_info_clear_status(info);
	if (acked && !(info->flags & IEEE80211_TX_CTL_NO_ACK))
		info->flags |= IEEE80211_TX_STAT_ACK;
	info->status.rates[0].count = tries > 0 ? tries : 1;
	info->status.rates[1].idx = -1;
	ieee80211_tx_status_skb(hw, skb);
}

void bes_tx_drop(struct ieee80211_hw *hw, struct sk_buff *skb)
{
	ieee80211_free_txskb(hw, skb);
}

void bes_tx_purge(struct ieee80211_hw *hw)
{
	struct bes_hw_priv *p = hw->priv;

	ieee80211_purge_tx_queue(hw, &p->direct);
}

/* ---------------------------------------------------------------- debugfs */

#define BES_DBG_BUF 4096

static int bes_dbg_show(struct seq_file *s, enum bes_dbg_file which)
{
	char *buf = kmalloc(BES_DBG_BUF, GFP_KERNEL);
	size_t n;

	if (!buf)
		return -ENOMEM;
	n = bes_rs->debugfs_render(s->private, which, buf, BES_DBG_BUF);
	seq_write(s, buf, min_t(size_t, n, BES_DBG_BUF));
	kfree(buf);
	return 0;
}

static int bes_dbg_counters_show(struct seq_file *s, void *v)
{
	return bes_dbg_show(s, BES_DBG_COUNTERS);
}
DEFINE_SHOW_ATTRIBUTE(bes_dbg_counters);

static int bes_dbg_fw_version_show(struct seq_file *s, void *v)
{
	return bes_dbg_show(s, BES_DBG_FW_VERSION);
}
DEFINE_SHOW_ATTRIBUTE(bes_dbg_fw_version);

static int bes_dbg_recovery_show(struct seq_file *s, void *v)
{
	return bes_dbg_show(s, BES_DBG_RECOVERY);
}
DEFINE_SHOW_ATTRIBUTE(bes_dbg_recovery);

struct dentry *bes_debugfs_create(void *drv)
{
	struct dentry *dir = debugfs_create_dir("bes2600", NULL);

	if (IS_ERR(dir))
		return NULL;
	debugfs_create_file("counters", 0444, dir, drv, &bes_dbg_counters_fops);
	debugfs_create_file("fw_version", 0444, dir, drv, &bes_dbg_fw_version_fops);
	debugfs_create_file("recovery", 0444, dir, drv, &bes_dbg_recovery_fops);
	return dir;
}

void bes_debugfs_remove(struct dentry *dir)
{
	debugfs_remove_recursive(dir);
}

/* ---------------------------------------------------------------- uevent */

void bes_uevent_recovery(struct ieee80211_hw *hw, const char *cause, u64 count)
{
	char cause_env[64], count_env[48];
	char *envp[] = { "BES2600_EVENT=recovery", cause_env, count_env, NULL };

	snprintf(cause_env, sizeof(cause_env), "BES2600_CAUSE=%s", cause);
	snprintf(count_env, sizeof(count_env), "BES2600_COUNT=%llu", count);
	kobject_uevent_env(&hw->wiphy->dev.kobj, KOBJ_CHANGE, envp);
}

/* ---------------------------------------------------------------- SDIO */

static const struct sdio_device_id bes_sdio_ids[] = {
	{ SDIO_DEVICE(0xbe57, 0x2002) },	/* spec §1.1 */
	{ },
};
MODULE_DEVICE_TABLE(sdio, bes_sdio_ids);

/*
 * Per-function state of the shim: the Rust owner (what probe returned, handed back to
 * remove) and the device pointer the interrupt handler passes on. Stored as drvdata, so
 * there is no global device pointer.
 */
struct bes_sdio_ctx {
	void *drv;
	void *owner;
};

static int bes_sdio_probe(struct sdio_func *func, const struct sdio_device_id *id)
{
	struct bes_sdio_ctx *ctx;
	void *owner = NULL;
	int ret;

	if (func->num != 1)	/* only function 1 is the Wi-Fi interface (spec §1.1) */
		return -ENODEV;
	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return -ENOMEM;
	sdio_set_drvdata(func, ctx);
	ret = bes_rs->sdio_probe(func, &owner);
	if (ret) {
		sdio_set_drvdata(func, NULL);
		kfree(ctx);
		return ret;
	}
	ctx->owner = owner;
	return 0;
}

static void bes_sdio_remove(struct sdio_func *func)
{
	struct bes_sdio_ctx *ctx = sdio_get_drvdata(func);

	if (!ctx)
		return;
	bes_rs->sdio_remove(func, ctx->owner);
	sdio_set_drvdata(func, NULL);
	kfree(ctx);
}

static struct sdio_driver bes_sdio_driver = {
	.name = "bes2600_wlan",
	.id_table = bes_sdio_ids,
	.probe = bes_sdio_probe,
	.remove = bes_sdio_remove,
};

int bes_sdio_register(const struct bes_rs_ops *ops)
{
	bes_rs = ops;
	return sdio_register_driver(&bes_sdio_driver);
}

void bes_sdio_unregister(void)
{
	sdio_unregister_driver(&bes_sdio_driver);
}

void bes_sdio_set_drvdata(struct sdio_func *func, void *drv)
{
	struct bes_sdio_ctx *ctx = sdio_get_drvdata(func);

	if (ctx)
		WRITE_ONCE(ctx->drv, drv);
}

int bes_sdio_enable(struct sdio_func *func, u32 block_size)
{
	int ret;

	sdio_claim_host(func);
	ret = sdio_enable_func(func);
	if (!ret)
		ret = sdio_set_block_size(func, block_size);
	sdio_release_host(func);
	return ret;
}

void bes_sdio_disable(struct sdio_func *func)
{
	sdio_claim_host(func);
	sdio_disable_func(func);
	sdio_release_host(func);
}

int bes_sdio_readb(struct sdio_func *func, u32 addr, u8 *val)
{
	int ret;

	sdio_claim_host(func);
	*val = sdio_readb(func, addr, &ret);
	sdio_release_host(func);
	return ret;
}

int bes_sdio_writeb(struct sdio_func *func, u32 addr, u8 val)
{
	int ret;

	sdio_claim_host(func);
	sdio_writeb(func, val, addr, &ret);
	sdio_release_host(func);
	return ret;
}

int bes_sdio_read(struct sdio_func *func, u32 addr, u8 *buf, size_t len)
{
	int ret;

	sdio_claim_host(func);
	ret = sdio_memcpy_fromio(func, buf, addr, len);
	sdio_release_host(func);
	return ret;
}

int bes_sdio_write(struct sdio_func *func, u32 addr, const u8 *buf, size_t len)
{
	int ret;

	sdio_claim_host(func);
	ret = sdio_memcpy_toio(func, addr, (void *)buf, len);
	sdio_release_host(func);
	return ret;
}

/*
 * One block-mode CMD53 write of `len` bytes (whole blocks) with the caller's address field.
 * The vendor sends every Wi-Fi TX write this way, a single 512-byte slot included
 * (C:bes2600_sdio.c:977-1030); sdio_memcpy_toio() would send 512 bytes in byte mode.
 * `buf` must be in the kernel's linear map (kmalloc'ed), as for sdio_memcpy_toio().
 */
int bes_sdio_write_blocks(struct sdio_func *func, u32 addr, const u8 *buf, size_t len)
{
	struct mmc_request mrq = {};
	struct mmc_command cmd = {};
	struct mmc_data data = {};
	struct scatterlist sg;
	unsigned int blksz = func->cur_blksize;
	unsigned int blocks;

	if (!blksz || !len || len % blksz || addr > 0x1ffff)
		return -EINVAL;
	blocks = len / blksz;
	if (blocks > min(func->card->host->max_blk_count, 511u))
		return -EINVAL;
	cmd.opcode = SD_IO_RW_EXTENDED;
	/* write, function, block mode, incrementing address, address field, block count */
	cmd.arg = BIT(31) | func->num << 28 | BIT(27) | BIT(26) | addr << 9 | blocks;
	cmd.flags = MMC_RSP_SPI_R5 | MMC_RSP_R5 | MMC_CMD_ADTC;
	data.blksz = blksz;
	data.blocks = blocks;
	data.flags = MMC_DATA_WRITE;
	data.sg = &sg;
	data.sg_len = 1;
	sg_init_one(&sg, buf, len);
	mrq.cmd = &cmd;
	mrq.data = &data;
	sdio_claim_host(func);
	mmc_set_data_timeout(&data, func->card);
	mmc_wait_for_req(func->card->host, &mrq);
	sdio_release_host(func);
	if (cmd.error)
		return cmd.error;
	if (data.error)
		return data.error;
	if (cmd.resp[0] & R5_ERROR)
		return -EIO;
	if (cmd.resp[0] & R5_FUNCTION_NUMBER)
		return -EINVAL;
	if (cmd.resp[0] & R5_OUT_OF_RANGE)
		return -ERANGE;
	return 0;
}

static void bes_sdio_irq_handler(struct sdio_func *func)
{
	struct bes_sdio_ctx *ctx = sdio_get_drvdata(func);
	void *drv = ctx ? READ_ONCE(ctx->drv) : NULL;

	if (drv)
		bes_rs->sdio_irq(drv);
}

int bes_sdio_claim_irq(struct sdio_func *func)
{
	int ret;

	sdio_claim_host(func);
	ret = sdio_claim_irq(func, bes_sdio_irq_handler);
	sdio_release_host(func);
	return ret;
}

void bes_sdio_release_irq(struct sdio_func *func)
{
	sdio_claim_host(func);
	sdio_release_irq(func);
	sdio_release_host(func);
}

int bes_sdio_hw_reset(struct sdio_func *func)
{
	int ret;

	sdio_claim_host(func);
	ret = mmc_hw_reset(func->card);
	sdio_release_host(func);
	return ret;
}

int bes_dt_mac(u8 mac[6])
{
	struct device_node *np = of_find_compatible_node(NULL, NULL, "bestechnic,bes2600-sdio");
	int ret;

	if (!np)
		return -ENODEV;
	ret = of_property_read_u8_array(np, "local-mac-address", mac, ETH_ALEN);
	of_node_put(np);
	if (!ret && !is_valid_ether_addr(mac))
		ret = -EINVAL;
	return ret;
}
