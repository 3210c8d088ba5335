/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bes_shim.h - the thin C shim of bes2600.ko (DESIGN.md §3).
 *
 * Everything here is mechanical: wrappers for kernel macros and static inlines, the
 * sdio_driver and ieee80211_ops tables, skb/rx-list plumbing, debugfs, uevents, the
 * bottom-half kthread. Driver logic lives in Rust (src/).
 *
 * bindgen reads this header alone (module-local, at build time), so it only uses
 * forward-declared kernel structs (opaque on the Rust side) and plain integer types; the
 * Rust code never touches a kernel struct layout, which keeps it kernel-version agnostic.
 *
 * Naming: bes_*     implemented in C (bes_shim.c), called from Rust;
 *         bes_rs_*  implemented in Rust (#[no_mangle] extern "C"), called from C.
 */
#ifndef BES_SHIM_H
#define BES_SHIM_H

#include <linux/types.h>
typedef u8 bes_u8;
typedef u16 bes_u16;
typedef u32 bes_u32;
typedef u64 bes_u64;
typedef bool bes_bool;
typedef size_t bes_size;

struct ieee80211_hw;
struct ieee80211_vif;
struct sk_buff;
struct sdio_func;
struct dentry;
struct bes_bh;
struct bes_rx_batch;

/* ---- module parameters (declared in C: module_param needs the macro machinery) ---- */
int bes_param_fw_type(void);

/* ---- time ---- */
bes_u64 bes_ktime_ns(void);
void bes_msleep(unsigned int ms);
/* zlib/IEEE CRC-32 (init and final XOR 0xFFFFFFFF), for firmware images (spec §2.2). */
bes_u32 bes_crc32(const bes_u8 *data, bes_size len);
void bes_random_mac(bes_u8 mac[6]);

/*
 * Runs fn(arg) on a temporary 512 KiB stack with local IRQs off. Stop-gap for the large
 * by-value constructors of the engine and the chip model (Engine::new needs ~120 KiB of
 * stack when built with the kernel's flags; kernel stacks are 16 KiB). fn must not sleep.
 * Returns -ENOMEM when the stack cannot be allocated.
 */
int bes_call_on_big_stack(void (*fn)(void *), void *arg);

/* ---- bottom half: one kthread per device, woken by the SDIO IRQ and mac80211 ---- */
struct bes_bh *bes_bh_start(void *drv, const char *name);
/* Sleeps until woken or timeout_ns elapsed. Returns 0 when the thread must stop. */
int bes_bh_wait(struct bes_bh *bh, bes_u64 timeout_ns);
void bes_bh_wake(struct bes_bh *bh);
/* Whether the calling BH kthread has been asked to stop. */
int bes_bh_should_stop(void);
void bes_bh_stop(struct bes_bh *bh);

/* ---- firmware files ---- */
/* Returns 0 and a handle; data/len stay valid until bes_fw_release(handle). An optional
 * file logs nothing when it is missing. */
int bes_fw_request(struct ieee80211_hw *hw, const char *name, bes_bool optional, void **handle,
		   const bes_u8 **data, bes_size *len);
void bes_fw_release(void *handle);

/* ---- mac80211 device ---- */
struct bes_band_info {
	bes_u8 mac[6];
	bes_u16 ht_mcs_mask; /* bit n: HT MCS n supported (0xff = MCS0-7) */
};
struct ieee80211_hw *bes_hw_alloc(void *drv);
void bes_hw_set_drv(struct ieee80211_hw *hw, void *drv);
int bes_hw_register(struct ieee80211_hw *hw, const struct bes_band_info *info);
void bes_hw_unregister(struct ieee80211_hw *hw);
void bes_hw_free(struct ieee80211_hw *hw);
void bes_hw_scan_completed(struct ieee80211_hw *hw, bes_bool aborted);
/* After a firmware reset: mac80211 replays interfaces, BSS, stations and keys. */
void bes_hw_restart(struct ieee80211_hw *hw);
void bes_hw_connection_loss(struct ieee80211_vif *vif);
void bes_hw_stop_queues(struct ieee80211_hw *hw);
void bes_hw_wake_queues(struct ieee80211_hw *hw);

/* ---- RX: one batch per burst, delivered with ieee80211_rx_list + netif_receive_skb_list ---- */
struct bes_rx_batch *bes_rx_batch_alloc(void);
void bes_rx_batch_free(struct bes_rx_batch *b);
#define BES_RX_DECRYPTED 0x1
#define BES_RX_MIC_ERROR 0x2
/* IV/ICV (and MIC) already stripped by the firmware: mac80211 must not look for them. */
#define BES_RX_IV_STRIPPED 0x4
/* Copies one 802.11 frame into a new skb with its rx status; -ENOMEM when out of memory. */
int bes_rx_batch_add(struct bes_rx_batch *b, const bes_u8 *frame, bes_size len,
		     bes_u16 freq, int signal_dbm, int rate_idx, int ht, bes_u32 flags);
/* Hands every queued frame to mac80211 in one BH-disabled, RCU-held section. */
void bes_rx_batch_deliver(struct ieee80211_hw *hw, struct bes_rx_batch *b);

/* ---- TX ---- */
/* Next frame from the driver's direct queue, then mac80211's TXQs; NULL when none. */
struct sk_buff *bes_tx_dequeue(struct ieee80211_hw *hw);
int bes_tx_pending(struct ieee80211_hw *hw);
const bes_u8 *bes_skb_data(struct sk_buff *skb, bes_size *len);
/* Hardware queue (0 VO .. 3 BK) and whether the frame wants no ACK. */
int bes_skb_queue(struct sk_buff *skb);
void bes_tx_status(struct ieee80211_hw *hw, struct sk_buff *skb, bes_bool acked, int tries);
void bes_tx_drop(struct ieee80211_hw *hw, struct sk_buff *skb);
void bes_tx_purge(struct ieee80211_hw *hw);

/* ---- debugfs: /sys/kernel/debug/bes2600/{counters,fw_version,recovery} ---- */
enum bes_dbg_file { BES_DBG_COUNTERS = 0, BES_DBG_FW_VERSION = 1, BES_DBG_RECOVERY = 2 };
struct dentry *bes_debugfs_create(void *drv);
void bes_debugfs_remove(struct dentry *dir);

/* ---- uevent on the wiphy device: BES2600_EVENT=recovery BES2600_CAUSE= BES2600_COUNT= ---- */
void bes_uevent_recovery(struct ieee80211_hw *hw, const char *cause, bes_u64 count);

/* ---- SDIO bus (function 1) ---- */
int bes_sdio_register(void);
void bes_sdio_unregister(void);
void bes_sdio_set_drvdata(struct sdio_func *func, void *drv);
void *bes_sdio_get_drvdata(struct sdio_func *func);
int bes_sdio_enable(struct sdio_func *func, bes_u32 block_size);
void bes_sdio_disable(struct sdio_func *func);
int bes_sdio_readb(struct sdio_func *func, bes_u32 addr, bes_u8 *val);
int bes_sdio_writeb(struct sdio_func *func, bes_u32 addr, bes_u8 val);
int bes_sdio_read(struct sdio_func *func, bes_u32 addr, bes_u8 *buf, bes_size len);
int bes_sdio_write(struct sdio_func *func, bes_u32 addr, const bes_u8 *buf, bes_size len);
/* One block-mode CMD53 write of whole blocks (TX, spec errata 2). */
int bes_sdio_write_blocks(struct sdio_func *func, bes_u32 addr, const bes_u8 *buf,
			  bes_size len);
int bes_sdio_claim_irq(struct sdio_func *func);
void bes_sdio_release_irq(struct sdio_func *func);
int bes_sdio_hw_reset(struct sdio_func *func);
/* Reads local-mac-address from the bestechnic,bes2600-sdio DT node; 0 when found. */
int bes_dt_mac(bes_u8 mac[6]);
void bes_hw_set_sdio_parent(struct ieee80211_hw *hw, struct sdio_func *func);

/* ---- implemented in Rust ---- */
int bes_rs_bh_main(void *drv, struct bes_bh *bh);
int bes_rs_op_start(void *drv);
void bes_rs_op_stop(void *drv);
int bes_rs_op_add_interface(void *drv, struct ieee80211_vif *vif, const bes_u8 *addr, int type);
void bes_rs_op_remove_interface(void *drv, struct ieee80211_vif *vif);
int bes_rs_op_config(void *drv, bes_u32 changed, int freq);
struct bes_bss_info {
	bes_u8 bssid[6];
	bes_bool assoc;
	bes_u16 aid;
	bes_u16 beacon_int;
	bes_u8 dtim_period;
	bes_u32 basic_rates;
	int freq;
};
void bes_rs_op_bss_info_changed(void *drv, struct ieee80211_vif *vif,
				const struct bes_bss_info *info, bes_u64 changed);
void bes_rs_op_configure_filter(void *drv, bes_u32 total_flags);
int bes_rs_op_sta_add(void *drv, const bes_u8 *addr, bes_u16 aid);
int bes_rs_op_sta_remove(void *drv, const bes_u8 *addr);
struct bes_scan_req {
	bes_u16 freqs[16];
	int n_freqs;
	bes_u8 ssid[32];
	int ssid_len;
	const bes_u8 *ies;
	bes_size ies_len;
};
/* A key from set_key, copied out of struct ieee80211_key_conf. */
struct bes_key_req {
	bes_u32 cipher;
	bes_u8 key_idx;
	bes_bool pairwise;
	bes_bool has_peer;
	bes_u8 peer[6];
	bes_u8 key[32];
	bes_u8 key_len;
	/* group keys: TKIP iv32 << 16 | iv16, CCMP the 48-bit PN */
	bes_u64 rx_pn;
	/* DISABLE_KEY: the entry SET_KEY returned */
	bes_u8 hw_key_idx;
};
/* cmd: 0 SET_KEY, 1 DISABLE_KEY. Sleeps until the firmware confirmed. On SET_KEY success
 * *entry is the firmware key entry (key->hw_key_idx). */
int bes_rs_op_set_key(void *drv, int cmd, const struct bes_key_req *req, bes_u8 *entry);
int bes_rs_op_hw_scan(void *drv, struct ieee80211_vif *vif, const struct bes_scan_req *req);
void bes_rs_op_cancel_hw_scan(void *drv);
void bes_rs_op_wake_tx(void *drv);
void bes_rs_op_flush(void *drv, bes_bool drop);
/* action: 0 RX start, 1 RX stop, 2 TX start, 3 TX stop, 4 TX operational, other: flush */
int bes_rs_op_ampdu_action(void *drv, int action, bes_u16 tid);
void bes_rs_sdio_irq(void *drv);
int bes_rs_sdio_probe(struct sdio_func *func);
void bes_rs_sdio_remove(struct sdio_func *func);
bes_size bes_rs_debugfs_render(void *drv, int which, char *buf, bes_size cap);

#endif /* BES_SHIM_H */
