// SPDX-License-Identifier: GPL-2.0-only
/*
 * bes_shim_crypto.c - hardware crypto glue (issue 16 §2): the nohwcrypt module parameter and
 * the ICV/MIC room of a frame the firmware encrypts.
 *
 * set_key asks for IEEE80211_KEY_FLAG_PUT_IV_SPACE and _RESERVE_TAILROOM as the vendor driver
 * does (C:sta.c:933-934): mac80211 then leaves the IV room after the 802.11 header and keeps
 * tailroom in the skb, but never appends the ICV/MIC bytes. The firmware writes the ICV (and
 * TKIP's Michael MIC) into room the driver appends, as bes2600_tx_h_crypt does
 * (C:txrx.c:694-710: skb_put(icv_len), +8 for TKIP) and mainline cw1200_tx_h_crypt did.
 */
#include <linux/ieee80211.h>
#include <linux/module.h>
#include <linux/skbuff.h>
#include <net/mac80211.h>

#include "bes_shim.h"

/* As ath9k's and iwlwifi's: keys stay in software (set_key answers -EOPNOTSUPP). */
static bool nohwcrypt;
module_param(nohwcrypt, bool, 0444);
MODULE_PARM_DESC(nohwcrypt, "disable hardware crypto: mac80211 encrypts and decrypts in software");

bes_bool bes_param_nohwcrypt(void)
{
	return nohwcrypt;
}

int bes_skb_crypto_room(struct sk_buff *skb)
{
	struct ieee80211_tx_info *info = IEEE80211_SKB_CB(skb);
	struct ieee80211_key_conf *key = info->control.hw_key;
	struct ieee80211_hdr *hdr = (struct ieee80211_hdr *)skb->data;
	unsigned int room;

	if (!key || skb->len < sizeof(hdr->frame_control) ||
	    !ieee80211_has_protected(hdr->frame_control))
		return 0;
	room = key->icv_len;
	if (key->cipher == WLAN_CIPHER_SUITE_TKIP)
		room += 8; /* Michael MIC */
	if (skb_tailroom(skb) < room)
		return -ENOSPC;
	skb_put_zero(skb, room);
	return room;
}
