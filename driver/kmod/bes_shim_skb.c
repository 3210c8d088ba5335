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

void bes_tx_drop(struct ieee80211_hw *hw, struct sk_buff *skb)
{
	ieee80211_free_txskb(hw, skb);
}

void bes_tx_purge(struct ieee80211_hw *hw)
{
	struct bes_hw_priv *p = hw->priv;

	ieee80211_purge_tx_queue(hw, &p->direct);
}
