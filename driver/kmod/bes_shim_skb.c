// SPDX-License-Identifier: GPL-2.0-only
/* bes_shim_skb.c - RX batches and TX skbs (see bes_shim.h). */
#include "bes_shim_priv.h"

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

/* The rx status mac80211 reads from skb->cb. */
static void bes_rx_set_status(struct sk_buff *skb, u16 freq, int signal_dbm, int rate_idx,
			      int ht, u32 flags)
{
	struct ieee80211_rx_status *st = IEEE80211_SKB_RXCB(skb);

	memset(st, 0, sizeof(*st));
	st->freq = freq;
	/* The module registers 2.4 and 5 GHz only (bes_hw_register). */
	st->band = freq >= 5000 ? NL80211_BAND_5GHZ : NL80211_BAND_2GHZ;
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
}

int bes_rx_batch_add(struct bes_rx_batch *b, const u8 *frame, size_t len, u16 freq,
		     int signal_dbm, int rate_idx, int ht, u32 flags)
{
	struct sk_buff *skb;

	skb = dev_alloc_skb(len);
	if (!skb)
		return -ENOMEM;
	skb_put_data(skb, frame, len);
	bes_rx_set_status(skb, freq, signal_dbm, rate_idx, ht, flags);
	__skb_queue_tail(&b->q, skb);
	return 0;
}

void bes_rx_batch_purge(struct bes_rx_batch *b)
{
	__skb_queue_purge(&b->q);
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

/* ------------------------------------------- RX without a copy (issue 18) */

/*
 * The linear part of a fragment skb: empty, with room for what the stack pulls into it
 * (net/mac80211/rx.c: the frame control in ieee80211_rx_monitor, the 802.11 header in
 * __ieee80211_rx_handle_packet, header + IV + RFC 1042 SNAP in the fast-RX path; then the
 * IP and UDP/TCP headers). Those pulls copy header bytes, in the kernel, and with this much
 * tailroom they never reallocate the head (which would leave ieee80211_rx_list's cached
 * header pointer stale).
 */
#define BES_RX_HEAD_ROOM 128

/*
 * rx_copy=1 reads every burst into the driver's own buffer and copies each frame into a new
 * skb, as before issue 18: the A/B switch of the CPU measurement (e2e phase 80), writable at
 * run time; it takes effect at the next burst.
 */
static bool rx_copy;
module_param(rx_copy, bool, 0644);
MODULE_PARM_DESC(rx_copy, "Copy each received frame out of the burst buffer (default: no copy)");

bool bes_param_rx_copy(void)
{
	return READ_ONCE(rx_copy);
}

/*
 * rx_pull=N (at most BES_RX_HEAD_ROOM) pulls the first N bytes of each fragment frame into
 * the linear part when the skb is built, in one __pskb_pull_tail, instead of the several
 * pulls mac80211 and IP/UDP make later: an experiment of the CPU measurement (e2e phase 80);
 * 0, the default, leaves every pull to the stack.
 */
static unsigned int rx_pull;
module_param(rx_pull, uint, 0644);
MODULE_PARM_DESC(rx_pull, "Header bytes pulled into each RX skb's linear part at build (0-128)");

void *bes_rx_page_alloc(size_t len, struct page **pagep, size_t *cap)
{
	unsigned int order = get_order(len ? len : 1);
	gfp_t gfp = GFP_KERNEL | __GFP_NOWARN;
	struct page *page;

	/* One compound allocation: the burst is one contiguous CMD53 target (sg_init_one). */
	if (order)
		gfp |= __GFP_COMP | __GFP_NORETRY;
	page = alloc_pages(gfp, order);
	if (!page)
		return NULL;
	*pagep = page;
	*cap = PAGE_SIZE << order;
	return page_address(page);
}

bool bes_rx_page_unshared(struct page *page)
{
	if (page_ref_count(page) != 1)
		return false;
	/*
	 * Every skb over the pages is gone; their last reads of the frames must be ordered
	 * before the next burst's writes into the same pages.
	 */
	smp_mb();
	return true;
}

void bes_rx_page_put(struct page *page)
{
	put_page(page);
}

int bes_rx_batch_add_frag(struct bes_rx_batch *b, struct page *page, size_t off, size_t len,
			  u32 truesize, u16 freq, int signal_dbm, int rate_idx, int ht, u32 flags)
{
	struct sk_buff *skb;
	size_t pull;

	if (!len || off + len > (PAGE_SIZE << compound_order(page)))
		return -EINVAL;
	skb = dev_alloc_skb(BES_RX_HEAD_ROOM);
	if (!skb)
		return -ENOMEM;
	/* The skb's own reference: the frame outlives the burst, the pages are reused only
	 * once every skb is freed (bes_rx_page_unshared). */
	get_page(page);
	skb_add_rx_frag(skb, 0, page, off, len, truesize);
	pull = min_t(size_t, min_t(unsigned int, READ_ONCE(rx_pull), BES_RX_HEAD_ROOM), len);
	if (pull && !__pskb_pull_tail(skb, pull)) {
		kfree_skb(skb);
		return -ENOMEM;
	}
	bes_rx_set_status(skb, freq, signal_dbm, rate_idx, ht, flags);
	__skb_queue_tail(&b->q, skb);
	return 0;
}

/* ---------------------------------------------------------------- TX */

/*
 * *locks counts the spinlocks taken on the way (issue 18's locks per frame), as mac80211
 * takes them in 6.12 and 7.2: the direct queue's lock (also when empty), active_txq_lock[ac]
 * in ieee80211_txq_schedule_start(), in every ieee80211_next_txq() (also the one returning
 * NULL) and in ieee80211_return_txq(); queue_stop_reason_lock and fq->lock in
 * ieee80211_tx_dequeue(). ieee80211_txq_schedule_end() is empty.
 */
struct sk_buff *bes_tx_dequeue(struct ieee80211_hw *hw, unsigned int *locks)
{
	struct bes_hw_priv *p = hw->priv;
	struct ieee80211_txq *txq;
	struct sk_buff *skb;
	int ac;

	skb = skb_dequeue(&p->direct);
	(*locks)++;
	if (skb)
		return skb;
	/* ieee80211_tx_dequeue() must run with softirqs disabled. */
	local_bh_disable();
	for (ac = 0; ac < IEEE80211_NUM_ACS; ac++) {
		ieee80211_txq_schedule_start(hw, ac);
		(*locks)++;
		for (;;) {
			txq = ieee80211_next_txq(hw, ac);
			(*locks)++;
			if (!txq)
				break;
			skb = ieee80211_tx_dequeue(hw, txq);
			*locks += 2;
			ieee80211_return_txq(hw, txq, false);
			(*locks)++;
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
	/* The BH is a kthread: the _ni variant disables BHs around the status path. */
	ieee80211_tx_status_ni(hw, skb);
}

/*
 * mac80211 fills control.rates for every frame of a driver without its own rate control and
 * without IEEE80211_HW_SUPPORTS_RC_TABLE: rate_control_get_rate() ends with
 * ieee80211_get_tx_rates() from the station's rate table, on the slow path
 * (invoke_tx_handlers_early) and the fast path (ieee80211_xmit_fast_finish) alike
 * (net/mac80211/rate.c, tx.c in 6.12). The entries stay untouched until the status: the
 * driver owns the skb, and status.rates is the same memory.
 */
int bes_skb_tx_rates(struct sk_buff *skb, struct bes_tx_rate *rates, bool *band_5g)
{
	struct ieee80211_tx_info *info = IEEE80211_SKB_CB(skb);
	int i;

	*band_5g = info->band == NL80211_BAND_5GHZ;
	for (i = 0; i < IEEE80211_TX_MAX_RATES && i < BES_TX_MAX_RATES; i++) {
		const struct ieee80211_tx_rate *r = &info->control.rates[i];

		if (r->idx < 0 || !r->count)
			break;
		rates[i].idx = r->idx;
		rates[i].count = r->count;
		rates[i].flags = r->flags;
		if (r->flags & IEEE80211_TX_RC_MCS)
			rates[i].kind = BES_RATE_HT;
		else if (r->flags & IEEE80211_TX_RC_VHT_MCS)
			rates[i].kind = BES_RATE_OTHER;
		else
			rates[i].kind = BES_RATE_LEGACY;
	}
	return i;
}

void bes_tx_status_rates(struct ieee80211_hw *hw, struct sk_buff *skb, bool acked,
			 const struct bes_tx_rate *rates, int n)
{
	struct ieee80211_tx_info *info = IEEE80211_SKB_CB(skb);
	bool end = false;
	int i;

	ieee80211_tx_info_clear_status(info);
	if (acked && !(info->flags & IEEE80211_TX_CTL_NO_ACK))
		info->flags |= IEEE80211_TX_STAT_ACK;
	for (i = 0; i < IEEE80211_TX_MAX_RATES; i++) {
		struct ieee80211_tx_rate *r = &info->status.rates[i];

		end = end || i >= n || i >= BES_TX_MAX_RATES || rates[i].count <= 0;
		if (end) {
			/* The list ends at the first unused entry (ieee80211_tx_get_rates). */
			r->idx = -1;
			r->count = 0;
			r->flags = 0;
			continue;
		}
		r->idx = rates[i].idx;
		r->count = min(rates[i].count, IEEE80211_MAX_TX_RETRY);
		r->flags = rates[i].flags;
		if (rates[i].kind == BES_RATE_HT)
			r->flags |= IEEE80211_TX_RC_MCS;
	}
	/*
	 * The last entry is the rate the firmware reports an acked frame went out at: kept for
	 * the station dump (bes_op_sta_statistics), for data frames only, as mac80211 keeps its
	 * own last_rate (management frames go at the lowest basic rate).
	 */
	n = min(n, BES_TX_MAX_RATES);
	if (acked && n > 0 && rates[n - 1].count > 0 && rates[n - 1].kind != BES_RATE_OTHER &&
	    ieee80211_is_data(((struct ieee80211_hdr *)skb->data)->frame_control))
		WRITE_ONCE(((struct bes_hw_priv *)hw->priv)->last_tx_rate,
			   BIT(31) | (u32)info->band << 16 |
			   (u32)(rates[n - 1].kind == BES_RATE_HT) << 8 | (u8)rates[n - 1].idx);
	ieee80211_tx_status_ni(hw, skb);
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
