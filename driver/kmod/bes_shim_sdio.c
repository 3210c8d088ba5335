// SPDX-License-Identifier: GPL-2.0-only
/* bes_shim_sdio.c - the SDIO driver and function 1 (see bes_shim.h). */
#include "bes_shim_priv.h"

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

/*
 * System sleep. mac80211 has stopped the device before this runs (no WoWLAN: cfg80211
 * disconnects, mac80211 calls .stop); the BH is frozen. Where the host can keep the card
 * powered the firmware stays up (MMC_PM_KEEP_POWER, as cw1200 and the vendor driver,
 * C:bes2600_sdio.c:2113); otherwise the MMC core powers it off and the driver reloads it at
 * resume. A powered-off card must not keep its SDIO interrupt claimed (mmc_sdio_suspend
 * warns): it is released here, and the reload's bus reset claims it again. The wake line
 * stays asserted throughout, as in the vendor's shipped build (spec errata 10).
 */
static int bes_sdio_suspend(struct device *dev)
{
	struct sdio_func *func = dev_to_sdio_func(dev);
	struct bes_sdio_ctx *ctx = sdio_get_drvdata(func);
	bool keep = sdio_get_host_pm_caps(func) & MMC_PM_KEEP_POWER;
	int ret = 0;

	if (keep)
		ret = sdio_set_host_pm_flags(func, MMC_PM_KEEP_POWER);
	if (ret)
		keep = false;
	if (!keep)
		bes_sdio_release_irq(func);
	if (ctx && ctx->drv)
		bes_rs->pm_suspend(ctx->drv, keep);
	return 0;
}

static int bes_sdio_resume(struct device *dev)
{
	struct sdio_func *func = dev_to_sdio_func(dev);
	struct bes_sdio_ctx *ctx = sdio_get_drvdata(func);

	if (ctx && ctx->drv)
		bes_rs->pm_resume(ctx->drv);
	return 0;
}

static DEFINE_SIMPLE_DEV_PM_OPS(bes_sdio_pm, bes_sdio_suspend, bes_sdio_resume);

static struct sdio_driver bes_sdio_driver = {
	.name = "bes2600_wlan",
	.id_table = bes_sdio_ids,
	.probe = bes_sdio_probe,
	.remove = bes_sdio_remove,
	.drv = {
		.pm = pm_sleep_ptr(&bes_sdio_pm),
	},
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
