// SPDX-License-Identifier: GPL-2.0-only
/*
 * vsdio_host.c - a virtual MMC host controller whose one slot holds a simulated BES2600
 * SDIO card (test-only; DESIGN §3 "The simulated chip: a virtual SDIO card under the real
 * MMC core").
 *
 * The MMC core drives this host like any controller: it powers the slot, enumerates the
 * card (CMD5/3/7, CCCR, FBR, CIS) and binds bes2600.ko through its SDIO device table. Every
 * request is answered synchronously by the Rust card (vsdio_rs_*), under one mutex. A
 * kthread clocks the card every millisecond and raises the SDIO interrupt with
 * sdio_signal_irq(), like a host whose controller latched the card's DAT1 interrupt; the
 * interrupt stays masked until the core acks it (ack_sdio_irq), as dw_mmc does.
 *
 * The host is a platform driver ("bes2600-vsdio") bound to a platform device of the same
 * name that module init registers, so it can be unbound and bound again through sysfs as
 * the recovery helper (`bes2600-fw bus-reset`) does with dw_mmc on the PineTab2: unbind
 * removes the card (bes2600.ko's remove) and powers the slot off, bind enumerates a
 * cold-started chip. The card, its contract counters, the trace and debugfs belong to the
 * module (struct vsdio) and outlive every rebind; the host (struct vsdio_host, the
 * mmc_host's priv) lives from probe to remove.
 *
 * Bus trace (debugfs bes2600_vsdio/trace; format in README.md): one line per command,
 * power-up and reset, and per level change of the wake line (vsdio_gpio.c), timestamps from
 * ktime_get_ns().
 *
 * System sleep: the host keeps the card powered (pm_caps MMC_PM_KEEP_POWER, as the
 * PineTab2's sdmmc1 with keep-power-in-suspend), so a driver that asks for it keeps its
 * firmware; the card's clock keeps running, as the chip does while the host sleeps.
 *
 * Kernel-version differences: none so far (6.12 and 7.2 share every mmc_host_ops member
 * and helper used here).
 */
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/mmc/core.h>
#include <linux/mmc/host.h>
#include <linux/mmc/sd.h>
#include <linux/mmc/sdio.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/platform_device.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "vsdio_bigstack.h"
#include "vsdio.h"
#include "vsdio_air.h"

static unsigned int rate_kbps = 10000;
module_param(rate_kbps, uint, 0444);
MODULE_PARM_DESC(rate_kbps, "PHY rate of the simulated AP's UDP stream, kbit/s (0: none)");

static bool privacy;
module_param(privacy, bool, 0444);
MODULE_PARM_DESC(privacy, "the simulated AP runs static WEP");

MODULE_AUTHOR("bes2600-rs developers");

unsigned int vsdio_param_rate_kbps(void)
{
	return rate_kbps;
}

bool vsdio_param_privacy(void)
{
	return privacy;
}

int vsdio_call_on_big_stack(void (*fn)(void *), void *arg)
{
	return vsdio_big_stack_run(fn, arg);
}

/* Largest data phase: 128 blocks (the vendor's transfers stay within 32 KiB). */
#define VSDIO_MAX_BLOCKS 128
#define VSDIO_BOUNCE (VSDIO_MAX_BLOCKS * 512)
/* Trace capacity; lines past it are counted, not kept. */
#define VSDIO_TRACE_BYTES (8 << 20)
#define VSDIO_TRACE_LINE 96
#define VSDIO_NAME "bes2600-vsdio"

struct vsdio_host;

/*
 * What outlives a rebind of the host: the card (the chip model, its contract counters),
 * the slot's card-detect state, the bus trace and the debugfs files. One instance, from
 * module init to exit; the host is bound and unbound beneath it.
 */
struct vsdio {
	struct mutex lock;		/* everything below, and every call into the card */
	void *card;
	u8 *bounce;
	u64 t0;
	bool present;			/* card in the slot (get_cd); the removal fault clears it */
	char *trace;
	size_t trace_len;
	u64 trace_dropped;
	bool trace_on;
	struct dentry *dir;
	struct platform_device *pdev;
	struct vsdio_host *host;	/* the bound host, NULL while unbound */
	u64 probes;			/* binds of the host so far */
	u64 removes;			/* unbinds */
};

static struct vsdio vsdio;

/* One bind of the platform device: the mmc_host (its priv) and the card's clock. */
struct vsdio_host {
	struct mmc_host *mmc;
	struct vsdio *vs;
	/* SDIO interrupt: enabled by the core, armed until signalled, re-armed by the ack. */
	atomic_t irq_enabled;
	atomic_t irq_armed;
	struct task_struct *clock;
};

static u64 vsdio_now(struct vsdio *vs)
{
	return ktime_get_ns() - vs->t0;
}

/* Appends one formatted trace line (lock held). */
static __printf(2, 3) void vsdio_trace(struct vsdio *vs, const char *fmt, ...)
{
	char line[VSDIO_TRACE_LINE];
	va_list ap;
	int n;

	if (!vs->trace_on)
		return;
	va_start(ap, fmt);
	n = vscnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (vs->trace_len + n > VSDIO_TRACE_BYTES) {
		vs->trace_dropped++;
		return;
	}
	memcpy(vs->trace + vs->trace_len, line, n);
	vs->trace_len += n;
}

static void vsdio_trace_err(struct vsdio *vs, int err)
{
	/* The format has no error field: a failed command gets an " err=" suffix. */
	if (err && vs->trace_on && vs->trace_len > 0 && vs->trace_len < VSDIO_TRACE_BYTES - 16) {
		vs->trace_len--; /* the newline */
		vsdio_trace(vs, " err=%d\n", err);
	}
}

/* CMD53: the data phase goes through the bounce buffer; the trace line names its first
 * four bytes (a WSM or boot-ROM header) so a reader can tell the message. A data CRC error
 * is the data's (data->error), as a controller reports it; no response is the command's. */
static int vsdio_data(struct vsdio *vs, struct mmc_command *cmd, struct mmc_data *data)
{
	size_t len = (size_t)data->blksz * data->blocks;
	bool write = data->flags & MMC_DATA_WRITE;
	int ret;

	if (len > VSDIO_BOUNCE || len < 4) {
		ret = -EINVAL;
		goto trace;
	}
	if (write && sg_copy_to_buffer(data->sg, data->sg_len, vs->bounce, len) != len) {
		ret = -EINVAL;
		goto trace;
	}
	ret = vsdio_rs_cmd53(vs->card, vsdio_now(vs), cmd->arg, data->blksz, data->blocks,
			     vs->bounce, len, &cmd->resp[0]);
	if (ret == -EILSEQ) {
		data->error = ret;
		ret = 0;
	} else if (!ret && !write &&
		   sg_copy_from_buffer(data->sg, data->sg_len, vs->bounce, len) != len) {
		ret = -EINVAL;
	}
	if (!ret && !data->error)
		data->bytes_xfered = len;
trace:
	vsdio_trace(vs, "%llu CMD53 arg=0x%08x blksz=%u blocks=%u bytes=%zu head=%*phN\n",
		    ktime_get_ns(), cmd->arg, data->blksz, data->blocks, len,
		    len >= 4 ? 4 : 0, vs->bounce);
	return ret;
}

static void vsdio_request(struct mmc_host *mmc, struct mmc_request *mrq)
{
	struct vsdio_host *h = mmc_priv(mmc);
	struct vsdio *vs = h->vs;
	struct mmc_command *cmd = mrq->cmd;

	mutex_lock(&vs->lock);
	if (!vs->present) {
		cmd->error = -ENOMEDIUM;
	} else if (mrq->data) {
		cmd->error = vsdio_data(vs, cmd, mrq->data);
		vsdio_trace_err(vs, cmd->error ? cmd->error : mrq->data->error);
	} else {
		cmd->error = vsdio_rs_command(vs->card, vsdio_now(vs), cmd->opcode, cmd->arg,
					      &cmd->resp[0]);
		if (cmd->opcode == SD_IO_RW_DIRECT)
			vsdio_trace(vs, "%llu CMD52 arg=0x%08x resp=0x%02x\n", ktime_get_ns(),
				    cmd->arg, cmd->resp[0] & 0xff);
		else
			vsdio_trace(vs, "%llu CMD%u arg=0x%08x\n", ktime_get_ns(), cmd->opcode,
				    cmd->arg);
		vsdio_trace_err(vs, cmd->error);
	}
	vsdio_air_poll(vs->card);
	mutex_unlock(&vs->lock);
	mmc_request_done(mmc, mrq);
}

/* The wake line moved (vsdio_gpio.c): the card's MCU follows it. */
void vsdio_wake_set(bool level)
{
	struct vsdio *vs = &vsdio;

	mutex_lock(&vs->lock);
	if (vsdio_rs_wake(vs->card, vsdio_now(vs), level))
		vsdio_trace(vs, "%llu GPIO wake=%d\n", ktime_get_ns(), level ? 1 : 0);
	mutex_unlock(&vs->lock);
}

static void vsdio_power(struct vsdio *vs, bool on)
{
	mutex_lock(&vs->lock);
	/* An empty slot powers nothing: a removed card stays off until it is back. */
	if (vsdio_rs_power(vs->card, on && vs->present))
		vsdio_trace(vs, "%llu RESET\n", ktime_get_ns());
	mutex_unlock(&vs->lock);
}

static void vsdio_set_ios(struct mmc_host *mmc, struct mmc_ios *ios)
{
	struct vsdio_host *h = mmc_priv(mmc);

	/* Clock, timing and width only matter to the card through CCCR 0x07. */
	vsdio_power(h->vs, ios->power_mode != MMC_POWER_OFF);
}

static int vsdio_get_cd(struct mmc_host *mmc)
{
	struct vsdio_host *h = mmc_priv(mmc);

	return READ_ONCE(h->vs->present);
}

static int vsdio_get_ro(struct mmc_host *mmc)
{
	return 0;
}

static void vsdio_enable_sdio_irq(struct mmc_host *mmc, int enable)
{
	struct vsdio_host *h = mmc_priv(mmc);

	atomic_set(&h->irq_enabled, !!enable);
	if (enable)
		atomic_set(&h->irq_armed, 1);
}

static void vsdio_ack_sdio_irq(struct mmc_host *mmc)
{
	struct vsdio_host *h = mmc_priv(mmc);

	atomic_set(&h->irq_armed, 1);
}

/* The card's reset line: a power cycle of the chip (spec §5.5). */
static void vsdio_card_hw_reset(struct mmc_host *mmc)
{
	struct vsdio_host *h = mmc_priv(mmc);

	vsdio_power(h->vs, false);
	vsdio_power(h->vs, true);
}

static const struct mmc_host_ops vsdio_ops = {
	.request = vsdio_request,
	.set_ios = vsdio_set_ios,
	.get_cd = vsdio_get_cd,
	.get_ro = vsdio_get_ro,
	.enable_sdio_irq = vsdio_enable_sdio_irq,
	.ack_sdio_irq = vsdio_ack_sdio_irq,
	.card_hw_reset = vsdio_card_hw_reset,
};

/* Clocks the card and raises its interrupt; the interrupt is level, so it is re-raised
 * after each ack for as long as the card holds it. */
static int vsdio_clock(void *data)
{
	struct vsdio_host *h = data;
	struct vsdio *vs = h->vs;
	bool irq;

	while (!kthread_should_stop()) {
		usleep_range(1000, 1100);
		mutex_lock(&vs->lock);
		irq = vs->present && vsdio_rs_tick(vs->card, vsdio_now(vs));
		vsdio_air_poll(vs->card);
		mutex_unlock(&vs->lock);
		if (irq && atomic_read(&h->irq_enabled) && atomic_xchg(&h->irq_armed, 0))
			sdio_signal_irq(h->mmc);
	}
	return 0;
}

/* ------------------------------------------------------------------ debugfs */

/*
 * The files live on the module-level state, not on the host, so they stay valid across
 * unbind/bind; module exit removes them with debugfs_remove_recursive(), which waits for
 * open files' running handlers before the state is freed.
 */

static ssize_t vsdio_trace_read(struct file *f, char __user *ubuf, size_t n, loff_t *pos)
{
	struct vsdio *vs = f->private_data;
	ssize_t ret;

	mutex_lock(&vs->lock);
	ret = simple_read_from_buffer(ubuf, n, pos, vs->trace, vs->trace_len);
	mutex_unlock(&vs->lock);
	return ret;
}

/* Any write clears the trace (the e2e clears it before loading bes2600.ko). */
static ssize_t vsdio_trace_write(struct file *f, const char __user *ubuf, size_t n,
				 loff_t *pos)
{
	struct vsdio *vs = f->private_data;

	mutex_lock(&vs->lock);
	vs->trace_len = 0;
	vs->trace_dropped = 0;
	mutex_unlock(&vs->lock);
	return n;
}

static const struct file_operations vsdio_trace_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = vsdio_trace_read,
	.write = vsdio_trace_write,
	.llseek = default_llseek,
};

static ssize_t vsdio_contract_read(struct file *f, char __user *ubuf, size_t n, loff_t *pos)
{
	struct vsdio *vs = f->private_data;
	size_t len;
	ssize_t ret;
	u8 *buf = kzalloc(PAGE_SIZE, GFP_KERNEL);

	if (!buf)
		return -ENOMEM;
	mutex_lock(&vs->lock);
	len = vsdio_rs_render(vs->card, buf, PAGE_SIZE);
	len += scnprintf(buf + len, PAGE_SIZE - len,
			 "trace_bytes %zu\ntrace_dropped %llu\nhost_probes %llu\nhost_removes %llu\n"
			 "card_present %d\n",
			 vs->trace_len, vs->trace_dropped, vs->probes, vs->removes, vs->present);
	mutex_unlock(&vs->lock);
	ret = simple_read_from_buffer(ubuf, n, pos, buf, len);
	kfree(buf);
	return ret;
}

static const struct file_operations vsdio_contract_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = vsdio_contract_read,
	.llseek = default_llseek,
};

/* Slot faults: the card leaves the slot, or comes back; the MMC core rescans either way. */
static int vsdio_set_present(struct vsdio *vs, bool present)
{
	mutex_lock(&vs->lock);
	WRITE_ONCE(vs->present, present);
	/* Pulled out, the card loses its power; re-inserted, the MMC core powers it up. */
	if (!present)
		vsdio_rs_power(vs->card, false);
	/* Under the lock: remove() clears vs->host before it removes the mmc_host. */
	if (vs->host)
		mmc_detect_change(vs->host->mmc, 0);
	mutex_unlock(&vs->lock);
	return 0;
}

/*
 * inject: a fault code (README.md "debugfs"). 10 and 11 are the slot's (removal,
 * re-insertion); the others the card's (vsdio_rs_inject).
 */
static ssize_t vsdio_inject_write(struct file *f, const char __user *ubuf, size_t n,
				  loff_t *pos)
{
	struct vsdio *vs = f->private_data;
	u32 code;
	int ret = kstrtou32_from_user(ubuf, n, 0, &code);

	if (ret)
		return ret;
	if (code == 10 || code == 11) {
		ret = vsdio_set_present(vs, code == 11);
	} else {
		mutex_lock(&vs->lock);
		ret = vsdio_rs_inject(vs->card, code);
		mutex_unlock(&vs->lock);
	}
	return ret ? ret : n;
}

static const struct file_operations vsdio_inject_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = vsdio_inject_write,
	.llseek = default_llseek,
};

/* ------------------------------------------------------------------ platform driver */

/*
 * Bind: a new mmc_host on the platform device. The MMC core powers the slot up (a cold
 * start of the chip) and enumerates the card; bes2600.ko's SDIO driver probes it. This
 * is what `bes2600-fw bus-reset` exercises through the driver's bind file, as it rebinds
 * dw_mmc on the PineTab2.
 */
static int vsdio_probe(struct platform_device *pdev)
{
	struct vsdio *vs = &vsdio;
	struct mmc_host *mmc;
	struct vsdio_host *h;
	int ret;

	mmc = mmc_alloc_host(sizeof(*h), &pdev->dev);
	if (!mmc)
		return -ENOMEM;
	h = mmc_priv(mmc);
	h->mmc = mmc;
	h->vs = vs;
	atomic_set(&h->irq_enabled, 0);
	atomic_set(&h->irq_armed, 0);

	mmc->ops = &vsdio_ops;
	mmc->f_min = 400000;
	mmc->f_max = 50000000;
	mmc->ocr_avail = MMC_VDD_32_33 | MMC_VDD_33_34;
	/*
	 * As the PineTab2's sdmmc1 (spec §6.1): 4-bit, in-band SDIO interrupt. Removable,
	 * unlike the tablet's non-removable slot, so that the removal fault reaches the
	 * driver's remove through the MMC core's detect path. HW_RESET makes the core call
	 * card_hw_reset at power-up.
	 */
	mmc->caps = MMC_CAP_4_BIT_DATA | MMC_CAP_SDIO_IRQ | MMC_CAP_HW_RESET;
	mmc->caps2 = MMC_CAP2_NO_SD | MMC_CAP2_NO_MMC | MMC_CAP2_SDIO_IRQ_NOTHREAD;
	/* The slot can stay powered over system sleep (the driver asks with
	 * sdio_set_host_pm_flags); without it the MMC core powers the card off. */
	mmc->pm_caps = MMC_PM_KEEP_POWER;
	mmc->max_segs = 64;
	mmc->max_blk_size = 2048;
	mmc->max_blk_count = VSDIO_MAX_BLOCKS;
	mmc->max_req_size = VSDIO_BOUNCE;
	mmc->max_seg_size = VSDIO_BOUNCE;

	/* The function device's wake line, before the MMC core can enumerate the card. */
	ret = vsdio_gpio_bind(mmc_hostname(mmc));
	if (ret)
		goto err_host;
	h->clock = kthread_run(vsdio_clock, h, VSDIO_NAME);
	if (IS_ERR(h->clock)) {
		ret = PTR_ERR(h->clock);
		goto err_gpio;
	}
	platform_set_drvdata(pdev, h);
	mutex_lock(&vs->lock);
	vs->host = h;
	mutex_unlock(&vs->lock);
	ret = mmc_add_host(mmc);
	if (ret)
		goto err_clock;
	mutex_lock(&vs->lock);
	vs->probes++;
	mutex_unlock(&vs->lock);
	return 0;

err_clock:
	mutex_lock(&vs->lock);
	vs->host = NULL;
	mutex_unlock(&vs->lock);
	kthread_stop(h->clock);
err_gpio:
	vsdio_gpio_unbind();
err_host:
	mmc_free_host(mmc);
	return ret;
}

/*
 * Unbind: the MMC core removes the card (bes2600.ko's remove runs, with the clock still
 * ticking so the card answers) and powers the slot off; then the clock stops and the host
 * is freed (mmc_free_host also cancels a pending SDIO interrupt work). The card state in
 * struct vsdio stays for the next bind.
 */
static void vsdio_remove(struct platform_device *pdev)
{
	struct vsdio_host *h = platform_get_drvdata(pdev);
	struct vsdio *vs = h->vs;

	mutex_lock(&vs->lock);
	vs->host = NULL;
	vs->removes++;
	mutex_unlock(&vs->lock);
	mmc_remove_host(h->mmc);
	vsdio_gpio_unbind();
	kthread_stop(h->clock);
	mmc_free_host(h->mmc);
}

/* 6.12 and 7.2 both have the void remove callback (.remove since 6.11). */
static struct platform_driver vsdio_driver = {
	.probe = vsdio_probe,
	.remove = vsdio_remove,
	.driver = {
		.name = VSDIO_NAME,
	},
};

/* ------------------------------------------------------------------ module life cycle */

int vsdio_module_init(void *card)
{
	struct vsdio *vs = &vsdio;
	bool bound;
	int ret;

	memset(vs, 0, sizeof(*vs));
	mutex_init(&vs->lock);
	vs->card = card;
	vs->t0 = ktime_get_ns();
	vs->present = true;
	vs->trace_on = true;
	vs->bounce = kmalloc(VSDIO_BOUNCE, GFP_KERNEL);
	vs->trace = vmalloc(VSDIO_TRACE_BYTES);
	if (!vs->bounce || !vs->trace) {
		ret = -ENOMEM;
		goto err_mem;
	}

	vs->dir = debugfs_create_dir("bes2600_vsdio", NULL);
	debugfs_create_file("trace", 0600, vs->dir, vs, &vsdio_trace_fops);
	debugfs_create_bool("trace_on", 0600, vs->dir, &vs->trace_on);
	debugfs_create_file("contract", 0400, vs->dir, vs, &vsdio_contract_fops);
	debugfs_create_file("inject", 0200, vs->dir, vs, &vsdio_inject_fops);
	vsdio_air_init(vs->dir, &vs->lock, vs->card);
	/* The wake line exists before any host binds (a driver may probe at once). */
	ret = vsdio_gpio_init();
	if (ret)
		goto err_dbg;

	ret = platform_driver_register(&vsdio_driver);
	if (ret)
		goto err_gpio;
	/* Probes synchronously: the host is up (or failed) when this returns. */
	vs->pdev = platform_device_register_simple(VSDIO_NAME, PLATFORM_DEVID_NONE, NULL, 0);
	if (IS_ERR(vs->pdev)) {
		ret = PTR_ERR(vs->pdev);
		goto err_drv;
	}
	mutex_lock(&vs->lock);
	bound = vs->host;
	mutex_unlock(&vs->lock);
	if (!bound) {
		ret = -ENODEV;
		goto err_pdev;
	}
	return 0;

err_pdev:
	platform_device_unregister(vs->pdev);
err_drv:
	platform_driver_unregister(&vsdio_driver);
err_gpio:
	vsdio_gpio_exit();
err_dbg:
	vsdio_air_exit();
	debugfs_remove_recursive(vs->dir);
err_mem:
	vfree(vs->trace);
	kfree(vs->bounce);
	return ret;
}

void vsdio_module_exit(void)
{
	struct vsdio *vs = &vsdio;

	/* Unbinds the host first (bes2600.ko's remove runs), then nothing calls the card. */
	platform_device_unregister(vs->pdev);
	platform_driver_unregister(&vsdio_driver);
	vsdio_gpio_exit();
	vsdio_air_exit();
	debugfs_remove_recursive(vs->dir);
	vfree(vs->trace);
	kfree(vs->bounce);
}
