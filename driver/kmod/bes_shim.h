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
 * Naming: bes_*       implemented in C (bes_shim.c), called from Rust;
 *         bes_rs_ops  the table of Rust entry points C calls (filled by src/ffi/adapter.rs).
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
struct bes_bh;
struct bes_rx_batch;
struct bes_rs_ops;
struct bes_fw_async;

/* ---- module parameters (declared in C: module_param needs the macro machinery) ---- */
int bes_param_fw_type(void);
/* nohwcrypt=1 (bes_shim_crypto.c): set_key refuses every key, crypto stays in mac80211. */
bes_bool bes_param_nohwcrypt(void);

/* ---- time ---- */
bes_u64 bes_ktime_ns(void);
void bes_msleep(unsigned int ms);
/* zlib/IEEE CRC-32 (init and final XOR 0xFFFFFFFF), for firmware images (spec §2.2). */
bes_u32 bes_crc32(const bes_u8 *data, bes_size len);
void bes_random_mac(bes_u8 mac[6]);

/* ---- bottom half: one kthread per device, woken by the SDIO IRQ and mac80211 ---- */
struct bes_bh *bes_bh_start(void *drv, const char *name);
/* Sleeps until woken or timeout_ns elapsed. Returns 0 when the thread must stop. */
int bes_bh_wait(struct bes_bh *bh, bes_u64 timeout_ns);
void bes_bh_wake(struct bes_bh *bh);
/* Whether the calling BH kthread has been asked to stop. */
int bes_bh_should_stop(void);
void bes_bh_stop(struct bes_bh *bh);
/* System sleep: park (true) holds the BH at its next wait between passes, and returns once
 * it is held (0) or after 5 s (-EBUSY, not parked); park (false) lets it run again. */
int bes_bh_park(struct bes_bh *bh, bes_bool park);

/* ---- firmware files ---- */
/* Returns 0 and a handle; data/len stay valid until bes_fw_release(handle). An optional
 * file logs nothing when it is missing. */
int bes_fw_request(struct ieee80211_hw *hw, const char *name, bes_bool optional, void **handle,
		   const bes_u8 **data, bes_size *len);
void bes_fw_release(void *handle);
/* request_firmware_nowait(): the ops' fw_loaded(drv, ...) runs later in a worker; NULL when
 * the request could not be queued. bes_fw_async_wait() waits for that call and frees. */
struct bes_fw_async *bes_fw_request_async(struct ieee80211_hw *hw, const char *name, void *drv);
void bes_fw_async_wait(struct bes_fw_async *a);

/* ---- mac80211 device ---- */
/* The 2.4 GHz band as registered; the tables come from Rust (bes2600_engine::mac). */
#define BES_N_CHANNELS 14
#define BES_N_RATES 12
/* The 5 GHz band: the vendor's 37 channels (C:main.c:121-141), bitrates from rates[rates_5g_first]. */
#define BES_N_CHANNELS_5G 37
struct bes_channel {
	bes_u16 freq;	/* centre frequency, MHz */
	bes_u16 number;	/* channel number (hw_value) */
};
struct bes_rate {
	bes_u16 bitrate;	/* 100 kb/s */
	bes_u16 hw_value;	/* the firmware's rate number */
	bes_bool short_preamble;
};
struct bes_band_info {
	bes_u8 mac[6];
	bes_u16 ht_mcs_mask; /* bit n: HT MCS n supported (0xff = MCS0-7) */
	struct bes_channel channels[BES_N_CHANNELS];
	struct bes_rate rates[BES_N_RATES];
	struct bes_channel channels_5g[BES_N_CHANNELS_5G];
	bes_u8 rates_5g_first;	/* index in rates[] of 6 Mb/s: 5 GHz has no DSSS/CCK */
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
/* Frees every queued frame (RX while mac80211 is stopped). */
void bes_rx_batch_purge(struct bes_rx_batch *b);
/* Hands every queued frame to mac80211 in one BH-disabled, RCU-held section. */
void bes_rx_batch_deliver(struct ieee80211_hw *hw, struct bes_rx_batch *b);
/* RX without a copy (issue 18): a burst is read into pages, and each frame becomes an skb
 * whose data is a fragment of them. */
struct page;
/* Module parameter rx_copy: copy frames out of the driver's own burst buffer instead. */
bes_bool bes_param_rx_copy(void);
/* Pages for a burst of len bytes, one compound allocation; their address, the page in *page
 * and the usable bytes in *cap; NULL when out of memory. The caller owns one reference. */
void *bes_rx_page_alloc(bes_size len, struct page **page, bes_size *cap);
/* Whether the caller's reference is the only one (every skb over the pages is freed). */
bes_bool bes_rx_page_unshared(struct page *page);
void bes_rx_page_put(struct page *page);
/* Queues len bytes at off of the pages as a new skb's fragment, taking a page reference for
 * it (no copy); truesize is what the skb is charged. -EINVAL out of bounds, -ENOMEM. */
int bes_rx_batch_add_frag(struct bes_rx_batch *b, struct page *page, bes_size off,
			  bes_size len, bes_u32 truesize, bes_u16 freq, int signal_dbm,
			  int rate_idx, int ht, bes_u32 flags);

/* ---- TX ---- */
/* Next frame from the driver's direct queue, then mac80211's TXQs; NULL when none.
 * Adds the number of spinlocks it took to *locks. */
struct sk_buff *bes_tx_dequeue(struct ieee80211_hw *hw, unsigned int *locks);
int bes_tx_pending(struct ieee80211_hw *hw);
const bes_u8 *bes_skb_data(struct sk_buff *skb, bes_size *len);
/* Hardware queue (0 VO .. 3 BK) and whether the frame wants no ACK. */
int bes_skb_queue(struct sk_buff *skb);
void bes_tx_status(struct ieee80211_hw *hw, struct sk_buff *skb, bes_bool acked, int tries);
/* One entry of a TX frame's rate list (ieee80211_tx_info control.rates, later status.rates). */
#define BES_TX_MAX_RATES 4
#define BES_RATE_LEGACY 0	/* idx: index into the band's bitrates */
#define BES_RATE_HT 1		/* idx: HT MCS */
#define BES_RATE_OTHER 2	/* VHT: the chip has no number for it */
struct bes_tx_rate {
	int idx;
	int count;		/* tries */
	int kind;		/* BES_RATE_* */
	bes_u16 flags;		/* mac80211's IEEE80211_TX_RC_* bits, given back unchanged */
};
/* The rate list mac80211's rate control left in the frame (entries up to the first unused
 * one, at most BES_TX_MAX_RATES) and its band (*band_5g); returns the number of entries. */
int bes_skb_tx_rates(struct sk_buff *skb, struct bes_tx_rate *rates, bes_bool *band_5g);
/* As bes_tx_status, reporting the n (<= BES_TX_MAX_RATES) rates the frame was tried at, in
 * order, with their attempts; a BES_RATE_HT entry is reported as an MCS. */
void bes_tx_status_rates(struct ieee80211_hw *hw, struct sk_buff *skb, bes_bool acked,
			 const struct bes_tx_rate *rates, int n);
void bes_tx_drop(struct ieee80211_hw *hw, struct sk_buff *skb);
void bes_tx_purge(struct ieee80211_hw *hw);
/* A frame for a hardware key gets the ICV/MIC room the firmware writes into (bes_shim_crypto.c,
 * C:txrx.c:694-710): bytes appended, 0 for other frames, -ENOSPC without tailroom. */
int bes_skb_crypto_room(struct sk_buff *skb);

/* ---- debugfs: /sys/kernel/debug/ieee80211/<phy>/bes2600/{counters,fw_version,recovery} ---- */
enum bes_dbg_file { BES_DBG_COUNTERS = 1, BES_DBG_FW_VERSION = 2, BES_DBG_RECOVERY = 3 };
/* After registration; removed with the wiphy by bes_hw_unregister(). */
void bes_debugfs_create(struct ieee80211_hw *hw);

/* ---- uevent on the wiphy device: BES2600_EVENT=recovery BES2600_CAUSE= BES2600_COUNT= ---- */
void bes_uevent_recovery(struct ieee80211_hw *hw, const char *cause, bes_u64 count);

/* ---- SDIO bus (function 1) ---- */
/* Registers the SDIO driver; every callback goes through `ops` (static, outlives the driver). */
int bes_sdio_register(const struct bes_rs_ops *ops);
void bes_sdio_unregister(void);
/* The `drv` the SDIO interrupt handler passes to sdio_irq (NULL: ignore interrupts). */
void bes_sdio_set_drvdata(struct sdio_func *func, void *drv);
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
/* The wake line (bes_shim_gpio.c): GPIO "wakeup" of the function (DT wakeup-gpios, spec
 * §1.8), requested inactive. 0 with *desc NULL: the board has none. Set and put take NULL. */
struct gpio_desc;
int bes_gpio_wake_get(struct sdio_func *func, struct gpio_desc **desc);
void bes_gpio_wake_set(struct gpio_desc *desc, bes_bool active);
void bes_gpio_wake_put(struct gpio_desc *desc);

/* ---- implemented in Rust: the callback table, registered with the SDIO driver ---- */
/*
 * Kernel constants the Rust side acts on, mapped by the shim from the kernel's own names
 * (nl80211_iftype, BSS_CHANGED_*, ieee80211_ampdu_mlme_action, set_key_cmd), so that Rust
 * never re-spells a kernel number and the binding stays kernel-independent.
 */
enum bes_iftype { BES_IFTYPE_STATION = 1, BES_IFTYPE_OTHER = 2 };
/* The bss_info_changed flags the driver acts on (a bit set). */
enum bes_bss_changed {
	BES_BSS_CHANGED_BSSID = 1 << 0,
	/* The association state (issue 16 §3), numbered as bes2600_engine::mac::bss::changed. */
	BES_BSS_CHANGED_ASSOC = 1 << 1,
	BES_BSS_CHANGED_ERP_CTS_PROT = 1 << 2,
	BES_BSS_CHANGED_ERP_PREAMBLE = 1 << 3,
	BES_BSS_CHANGED_ERP_SLOT = 1 << 4,
	BES_BSS_CHANGED_HT = 1 << 5,
	BES_BSS_CHANGED_BASIC_RATES = 1 << 6,
	BES_BSS_CHANGED_BEACON_INT = 1 << 7,
	BES_BSS_CHANGED_CQM = 1 << 8,
	BES_BSS_CHANGED_ARP_FILTER = 1 << 9,
	/* Power save (vif->cfg.ps), numbered as bes2600_engine::mac::pm::CHANGED_PS. */
	BES_BSS_CHANGED_PS = 1 << 11,
};
enum bes_ampdu_action {
	BES_AMPDU_RX_START = 1,
	BES_AMPDU_RX_STOP = 2,
	BES_AMPDU_TX_START = 3,
	BES_AMPDU_TX_STOP = 4,
	BES_AMPDU_TX_OPERATIONAL = 5,
};
enum bes_key_cmd { BES_KEY_SET = 1, BES_KEY_DISABLE = 2 };
struct bes_bss_info {
	bes_u8 bssid[6];
	bes_bool assoc;
	bes_u16 aid;
	bes_u16 beacon_int;
	bes_u8 dtim_period;
	bes_u32 basic_rates;
	int freq;
	/* Association state (issue 16 §3): the vif's address, ERP, the AP's station entry
	 * (rates over the band's bitrates, HT capabilities), the HT operation mode, CQM and
	 * the first ARP filter address (network order) with the interface's address count. */
	bes_u8 addr[6];
	bes_bool use_short_preamble;
	bes_bool use_short_slot;
	bes_bool ap_sta;
	bes_bool ht;
	bes_bool ht_greenfield;
	bes_u8 ht_ampdu_density;
	bes_u8 ht_rx_mcs0;
	bes_u16 ht_operation_mode;
	bes_u32 ap_rates;
	int cqm_rssi_thold;
	bes_u32 cqm_rssi_hyst;
	bes_u8 arp_addr[4];
	int arp_count;
	/* The DTIM period of the BSS's TIM element (0: none seen), as C's join takes it. */
	bes_u8 bss_dtim;
	/* Power save (issue 15 §4): vif->cfg.ps, and hw->conf.dynamic_ps_timeout in ms. */
	bes_bool ps;
	int dynamic_ps_timeout;
};
struct bes_scan_req {
	bes_u16 freqs[48];	/* one band's channels (mac80211 scans band by band), WSM's limit */
	int n_freqs;
	bes_u64 no_ir_mask;	/* bit i: freqs[i] is IEEE80211_CHAN_NO_IR (listen only) */
	bes_u8 ssid[32];
	int ssid_len;
	const bes_u8 *ies;
	bes_size ies_len;
	/* The second SSID of the request (wiphy max_scan_ssids = 2, spec §3.3). */
	bes_u8 ssid2[32];
	int ssid2_len;
	/* The probe-request template: ieee80211_probereq_get() plus the request's IEs
	 * (C:scan.c:208-215); probe_len 0 when it does not fit. */
	bes_u8 probe[512];
	bes_size probe_len;
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
/*
 * The Rust driver's entry points (rust/kernel/net/phy.rs style: Rust fills this table from a
 * trait, C calls through it). `drv` is the pointer given to bes_hw_set_drv(),
 * bes_sdio_set_drvdata(), bes_bh_start() and bes_debugfs_create().
 */
struct bes_rs_ops {
	/* *owner: what remove gets back (the device's owner; no global device pointer). */
	int (*sdio_probe)(struct sdio_func *func, void **owner);
	void (*sdio_remove)(struct sdio_func *func, void *owner);
	void (*sdio_irq)(void *drv);
	int (*bh_main)(void *drv, struct bes_bh *bh);
	/* System sleep (SDIO dev_pm_ops): keep_power tells whether the card stays powered
	 * (MMC_PM_KEEP_POWER); without it the firmware is gone at resume. */
	void (*pm_suspend)(void *drv, bes_bool keep_power);
	void (*pm_resume)(void *drv);
	/* The file of bes_fw_request_async(): handle NULL when it is missing; the handle is
	 * Rust's to bes_fw_release(). Runs in a worker (process context). */
	void (*fw_loaded)(void *drv, void *handle, const bes_u8 *data, bes_size len);
	bes_size (*debugfs_render)(void *drv, enum bes_dbg_file which, char *buf, bes_size cap);
	int (*op_start)(void *drv);
	void (*op_stop)(void *drv);
	int (*op_add_interface)(void *drv, struct ieee80211_vif *vif, const bes_u8 *addr,
				enum bes_iftype type);
	void (*op_remove_interface)(void *drv, struct ieee80211_vif *vif);
	int (*op_config)(void *drv, bes_u32 changed, int freq);
	/* changed: enum bes_bss_changed bits */
	void (*op_bss_info_changed)(void *drv, struct ieee80211_vif *vif,
				    const struct bes_bss_info *info, bes_u32 changed);
	void (*op_configure_filter)(void *drv, bes_u32 total_flags);
	int (*op_sta_add)(void *drv, const bes_u8 *addr, bes_u16 aid);
	int (*op_sta_remove)(void *drv, const bes_u8 *addr);
	/* Sleeps until the firmware confirmed. On BES_KEY_SET success *entry is the firmware
	 * key entry (key->hw_key_idx). */
	int (*op_set_key)(void *drv, enum bes_key_cmd cmd, const struct bes_key_req *req,
			  bes_u8 *entry);
	int (*op_hw_scan)(void *drv, struct ieee80211_vif *vif, const struct bes_scan_req *req);
	void (*op_cancel_hw_scan)(void *drv);
	void (*op_wake_tx)(void *drv);
	void (*op_flush)(void *drv, bes_bool drop);
	/* Any other mlme action arrives as BES_AMPDU_TX_STOP (all TX stop/flush variants). */
	int (*op_ampdu_action)(void *drv, enum bes_ampdu_action action, bes_u16 tid);
	/* conf_tx for mac80211 queue `queue` (0 VO, 1 VI, 2 BE, 3 BK); txop in 32 us units. */
	int (*op_conf_tx)(void *drv, bes_u16 queue, bes_u8 aifs, bes_u16 cw_min, bes_u16 cw_max,
			  bes_u16 txop, bes_bool uapsd);
	/* set_rts_threshold: bytes, (u32)-1 for off. */
	int (*op_set_rts_threshold)(void *drv, bes_u32 value);
};

#endif /* BES_SHIM_H */
