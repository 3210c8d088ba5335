// SPDX-License-Identifier: GPL-2.0-only
/* bes_shim_mac80211.c - the ieee80211_hw, its ops table, debugfs under the wiphy and the recovery uevent (see bes_shim.h). */
#include "bes_shim_priv.h"

/* ---------------------------------------------------------------- mac80211 */

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
	WRITE_ONCE(((struct bes_hw_priv *)hw->priv)->last_tx_rate, 0);
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

/* The association state of bss_info_changed (issue 16 §3): what C's handler reads
 * (C:ap.c:620-946), copied out for Rust, and the BSS_CHANGED_* bits it acts on. */
static u32 bes_bss_assoc_info(struct ieee80211_vif *vif, struct ieee80211_bss_conf *info,
			      u64 changed, struct bes_bss_info *bi)
{
	static const struct { u64 k; u32 b; } map[] = {
		{ BSS_CHANGED_ASSOC, BES_BSS_CHANGED_ASSOC },
		{ BSS_CHANGED_ERP_CTS_PROT, BES_BSS_CHANGED_ERP_CTS_PROT },
		{ BSS_CHANGED_ERP_PREAMBLE, BES_BSS_CHANGED_ERP_PREAMBLE },
		{ BSS_CHANGED_ERP_SLOT, BES_BSS_CHANGED_ERP_SLOT },
		{ BSS_CHANGED_HT, BES_BSS_CHANGED_HT },
		{ BSS_CHANGED_BASIC_RATES, BES_BSS_CHANGED_BASIC_RATES },
		{ BSS_CHANGED_BEACON_INT, BES_BSS_CHANGED_BEACON_INT },
		{ BSS_CHANGED_CQM, BES_BSS_CHANGED_CQM },
		{ BSS_CHANGED_ARP_FILTER, BES_BSS_CHANGED_ARP_FILTER },
		{ BSS_CHANGED_PS, BES_BSS_CHANGED_PS },
	};
	struct cfg80211_chan_def *cd = &info->chanreq.oper;
	struct ieee80211_sta *sta = NULL;
	u32 flags = 0;
	int i;

	for (i = 0; i < ARRAY_SIZE(map); i++)
		if (changed & map[i].k)
			flags |= map[i].b;
	ether_addr_copy(bi->addr, vif->addr);
	bi->use_short_preamble = info->use_short_preamble;
	bi->use_short_slot = info->use_short_slot;
	bi->ht_operation_mode = info->ht_operation_mode;
	bi->cqm_rssi_thold = info->cqm_rssi_thold;
	bi->cqm_rssi_hyst = info->cqm_rssi_hyst;
	bi->arp_count = vif->cfg.arp_addr_cnt;
	if (vif->cfg.arp_addr_cnt > 0)
		memcpy(bi->arp_addr, &vif->cfg.arp_addr_list[0], 4);
	rcu_read_lock();
	if (info->bss) {
		/* C's join takes the DTIM from the BSS's TIM element (C:sta.c:2175-2212). */
		const u8 *tim = ieee80211_bss_get_ie(info->bss, WLAN_EID_TIM);

		if (tim && tim[1] >= 2)
			bi->bss_dtim = tim[3];
	}
	if (info->bssid && cd->chan)
		sta = ieee80211_find_sta(vif, info->bssid);
	if (sta) {
		bi->ap_sta = true;
		bi->ap_rates = sta->deflink.supp_rates[cd->chan->band];
		bi->ht = sta->deflink.ht_cap.ht_supported &&
			 cfg80211_get_chandef_type(cd) != NL80211_CHAN_NO_HT;
		bi->ht_greenfield = !!(sta->deflink.ht_cap.cap & IEEE80211_HT_CAP_GRN_FLD);
		bi->ht_ampdu_density = sta->deflink.ht_cap.ampdu_density;
		bi->ht_rx_mcs0 = sta->deflink.ht_cap.mcs.rx_mask[0];
	}
	rcu_read_unlock();
	return flags;
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
		/* mac80211 says power save through vif->cfg.ps (BSS_CHANGED_PS), never CONF_PS,
		 * to a SUPPORTS_DYNAMIC_PS driver (ieee80211_recalc_ps); as C:ap.c:988. */
		.ps = vif->cfg.ps,
		.dynamic_ps_timeout = hw->conf.dynamic_ps_timeout,
	};
	u32 flags = 0;

	if (info->bssid)
		ether_addr_copy(bi.bssid, info->bssid);
	if (changed & BSS_CHANGED_BSSID)
		flags |= BES_BSS_CHANGED_BSSID;
	flags |= bes_bss_assoc_info(vif, info, changed, &bi);
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
	WRITE_ONCE(((struct bes_hw_priv *)hw->priv)->last_tx_rate, 0);
	return bes_rs->op_sta_remove(bes_drv(hw), sta->addr);
}

/*
 * The station dump's "tx bitrate": without HAS_RATE_CONTROL mac80211 fills it at TX time from
 * its own rate-control pick and never from TX status (net/mac80211/tx.c, status.c); the rate
 * the firmware actually used (the confirm's txedRate, kept by bes_tx_status_rates) reaches user
 * space only through sta_statistics, which makes mac80211 skip its own value.
 */
static void bes_op_sta_statistics(struct ieee80211_hw *hw, struct ieee80211_vif *vif,
				  struct ieee80211_sta *sta, struct station_info *sinfo)
{
	struct bes_hw_priv *p = hw->priv;
	u32 v = READ_ONCE(p->last_tx_rate);
	struct ieee80211_supported_band *sb;
	unsigned int band = (v >> 16) & 0xff;
	u8 idx = v & 0xff;

	if (!(v & BIT(31)))
		return;
	if (v & BIT(8)) {
		sinfo->txrate.flags = RATE_INFO_FLAGS_MCS;
		sinfo->txrate.mcs = idx;
		sinfo->txrate.bw = RATE_INFO_BW_20;
	} else {
		sb = band < NUM_NL80211_BANDS ? hw->wiphy->bands[band] : NULL;
		if (!sb || idx >= sb->n_bitrates)
			return;
		sinfo->txrate.legacy = sb->bitrates[idx].bitrate;
	}
	sinfo->filled |= BIT_ULL(NL80211_STA_INFO_TX_BITRATE);
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
	struct sk_buff *skb;
	int i;

	/*
	 * mac80211 calls hw_scan once per band (no SINGLE_SCAN_ON_ALL_BANDS), which is how the
	 * firmware scans (one band per request, C:scan.c:578-591). NO_IR channels are marked so
	 * that the request listens there (C:scan.c:606-609).
	 */
	BUILD_BUG_ON(ARRAY_SIZE(r.freqs) > 8 * sizeof(r.no_ir_mask));
	for (i = 0; i < req->n_channels && r.n_freqs < ARRAY_SIZE(r.freqs); i++) {
		if (req->channels[i]->flags & IEEE80211_CHAN_NO_IR)
			r.no_ir_mask |= 1ULL << r.n_freqs;
		r.freqs[r.n_freqs++] = req->channels[i]->center_freq;
	}
	if (req->n_ssids > 0 && req->ssids[0].ssid_len <= sizeof(r.ssid)) {
		memcpy(r.ssid, req->ssids[0].ssid, req->ssids[0].ssid_len);
		r.ssid_len = req->ssids[0].ssid_len;
	}
	r.ies = req->ie;
	r.ies_len = req->ie_len;
	if (req->n_ssids > 1 && req->ssids[1].ssid_len <= sizeof(r.ssid2)) {
		memcpy(r.ssid2, req->ssids[1].ssid, req->ssids[1].ssid_len);
		r.ssid2_len = req->ssids[1].ssid_len;
	}
	/* The probe-request template, built as C does (C:scan.c:208-215). */
	skb = ieee80211_probereq_get(hw, vif->addr, NULL, 0, req->ie_len);
	if (skb) {
		if (req->ie_len)
			skb_put_data(skb, req->ie, req->ie_len);
		if (skb->len <= sizeof(r.probe)) {
			memcpy(r.probe, skb->data, skb->len);
			r.probe_len = skb->len;
		}
		dev_kfree_skb(skb);
	}
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

static int bes_op_conf_tx(struct ieee80211_hw *hw, struct ieee80211_vif *vif,
			  unsigned int link_id, u16 ac,
			  const struct ieee80211_tx_queue_params *params)
{
	return bes_rs->op_conf_tx(bes_drv(hw), ac, params->aifs, params->cw_min, params->cw_max,
				  params->txop, params->uapsd);
}

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 17, 0)
static int bes_op_set_rts_threshold(struct ieee80211_hw *hw, int radio_idx, u32 value)
#else
static int bes_op_set_rts_threshold(struct ieee80211_hw *hw, u32 value)
#endif
{
	return bes_rs->op_set_rts_threshold(bes_drv(hw), value);
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
	.sta_statistics = bes_op_sta_statistics,
	.set_key = bes_op_set_key,
	.hw_scan = bes_op_hw_scan,
	.cancel_hw_scan = bes_op_cancel_hw_scan,
	.ampdu_action = bes_op_ampdu_action,
	.flush = bes_op_flush,
	.conf_tx = bes_op_conf_tx,
	.set_rts_threshold = bes_op_set_rts_threshold,
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
	p->band_5g.band = NL80211_BAND_5GHZ;
	p->band_5g.channels = p->channels_5g;
	p->band_5g.n_channels = BES_N_CHANNELS_5G;

	ieee80211_hw_set(hw, SIGNAL_DBM);
	ieee80211_hw_set(hw, REPORTS_TX_ACK_STATUS);
	ieee80211_hw_set(hw, AMPDU_AGGREGATION);
	ieee80211_hw_set(hw, MFP_CAPABLE);
	/* The firmware dozes, sends the null frames and fetches from the TIM itself; the
	 * dynamic (fast) PS idle timer is its own too (set-PM 0x81, C:main.c:379-380). */
	ieee80211_hw_set(hw, SUPPORTS_PS);
	ieee80211_hw_set(hw, SUPPORTS_DYNAMIC_PS);
	hw->queues = 4;			/* VO, VI, BE, BK (spec §4.3) */
	hw->max_rates = 4;
	hw->max_rate_tries = 15;
	hw->wiphy->interface_modes = BIT(NL80211_IFTYPE_STATION);
	hw->wiphy->max_scan_ssids = 2;
	hw->wiphy->max_scan_ie_len = 256;
	hw->wiphy->bands[NL80211_BAND_2GHZ] = &p->band;
	hw->wiphy->bands[NL80211_BAND_5GHZ] = &p->band_5g;
	return hw;
}

void bes_hw_set_drv(struct ieee80211_hw *hw, void *drv)
{
	((struct bes_hw_priv *)hw->priv)->drv = drv;
}

/*
 * The vendor's HT capabilities, the same on both bands (C:main.c:148-186): greenfield, 20 and
 * 40 MHz with short GI on both, no RX STBC (STBC_RX_24G/5G = 0, C:Makefile:184-185), 7935-byte
 * A-MSDU, 32 KiB A-MPDU, one stream; C declares 65 Mb/s as the highest RX rate on 5 GHz only.
 */
static void bes_ht_cap(struct ieee80211_sta_ht_cap *ht, u16 mcs_mask, u16 rx_highest)
{
	ht->ht_supported = true;
	ht->cap = IEEE80211_HT_CAP_GRN_FLD | IEEE80211_HT_CAP_SUP_WIDTH_20_40 |
		  IEEE80211_HT_CAP_SGI_20 | IEEE80211_HT_CAP_SGI_40 | IEEE80211_HT_CAP_MAX_AMSDU;
	ht->ampdu_factor = IEEE80211_HT_MAX_AMPDU_32K;
	ht->ampdu_density = IEEE80211_HT_MPDU_DENSITY_NONE;
	ht->mcs.rx_mask[0] = mcs_mask & 0xff;
	ht->mcs.rx_highest = cpu_to_le16(rx_highest);
	ht->mcs.tx_params = IEEE80211_HT_MCS_TX_DEFINED;
}

static void bes_fill_channels(struct ieee80211_channel *dst, const struct bes_channel *src,
			      int n, enum nl80211_band band)
{
	int i;

	for (i = 0; i < n; i++) {
		dst[i].band = band;
		dst[i].center_freq = src[i].freq;
		dst[i].hw_value = src[i].number;
		dst[i].max_power = 20;
	}
}

int bes_hw_register(struct ieee80211_hw *hw, const struct bes_band_info *info)
{
	struct bes_hw_priv *p = hw->priv;
	int i;

	if (info->rates_5g_first >= BES_N_RATES)
		return -EINVAL;
	bes_fill_channels(p->channels, info->channels, BES_N_CHANNELS, NL80211_BAND_2GHZ);
	bes_fill_channels(p->channels_5g, info->channels_5g, BES_N_CHANNELS_5G,
			  NL80211_BAND_5GHZ);
	for (i = 0; i < BES_N_RATES; i++) {
		p->rates[i].bitrate = info->rates[i].bitrate;
		p->rates[i].hw_value = info->rates[i].hw_value;
		p->rates[i].flags = info->rates[i].short_preamble ? IEEE80211_RATE_SHORT_PREAMBLE : 0;
	}
	/* The 5 GHz bitrates are the OFDM tail of the same table (C:main.c:76-77, 169-170). */
	p->band_5g.bitrates = p->rates + info->rates_5g_first;
	p->band_5g.n_bitrates = BES_N_RATES - info->rates_5g_first;
	if (info->ht_mcs_mask) {
		bes_ht_cap(&p->band.ht_cap, info->ht_mcs_mask, 0);
		bes_ht_cap(&p->band_5g.ht_cap, info->ht_mcs_mask, 65);
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

/*
 * Under the wiphy's directory (ieee80211/<phy>/bes2600), which wiphy_unregister() removes
 * with everything in it: the files live exactly as long as the registration.
 */
void bes_debugfs_create(struct ieee80211_hw *hw)
{
	struct dentry *dir = debugfs_create_dir("bes2600", hw->wiphy->debugfsdir);
	void *drv = bes_drv(hw);

	if (IS_ERR(dir))
		return;
	debugfs_create_file("counters", 0444, dir, drv, &bes_dbg_counters_fops);
	debugfs_create_file("fw_version", 0444, dir, drv, &bes_dbg_fw_version_fops);
	debugfs_create_file("recovery", 0444, dir, drv, &bes_dbg_recovery_fops);
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
