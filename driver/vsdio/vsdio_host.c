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
 * Bus trace (debugfs bes2600_vsdio/trace; format in README.md): one line per command,
 * power-up and reset, timestamps from ktime_get_ns().
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

#include "bes_bigstack.h"
#include "vsdio.h"

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
	return bes_big_stack_run(fn, arg);
}

/* Largest data phase: 128 blocks (the vendor's transfers stay within 32 KiB). */
#define VSDIO_MAX_BLOCKS 128
#define VSDIO_BOUNCE (VSDIO_MAX_BLOCKS * 512)
/* Trace capacity; lines past it are counted, not kept. */
#define VSDIO_TRACE_BYTES (8 << 20)
#define VSDIO_TRACE_LINE 96

struct vsdio_host {
	struct mmc_host *mmc;
	struct platform_device *pdev;
	struct mutex lock;		/* card, bounce buffer, trace */
	void *card;
	u8 *bounce;
	u64 t0;
	bool present;
	/* SDIO interrupt: enabled by the core, armed until signalled, re-armed by the ack. */
	atomic_t irq_enabled;
	atomic_t irq_armed;
	struct task_struct *clock;
	char *trace;
	size_t trace_len;
	u64 trace_dropped;
	bool trace_on;
	struct dentry *dir;
};

static u64 vsdio_now(struct vsdio_host *h)
{
	return ktime_get_ns() - h->t0;
}

/* Appends one formatted trace line (lock held). */
static __printf(2, 3) void vsdio_trace(struct vsdio_host *h, const char *fmt, ...)
{
	char line[VSDIO_TRACE_LINE];
	va_list ap;
	int n;

	if (!h->trace_on)
		return;
	va_start(ap, fmt);
	n = vscnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (h->trace_len + n > VSDIO_TRACE_BYTES) {
		h->trace_dropped++;
		return;
	}
	memcpy(h->trace + h->trace_len, line, n);
	h->trace_len += n;
}

static void vsdio_trace_err(struct vsdio_host *h, int err)
{
	/* The format has no error field: a failed command gets an " err=" suffix. */
	if (err && h->trace_on && h->trace_len > 0 && h->trace_len < VSDIO_TRACE_BYTES - 16) {
		h->trace_len--; /* the newline */
		vsdio_trace(h, " err=%d\n", err);
	}
}

/* CMD53: the data phase goes through the bounce buffer; the trace line names its first
 * four bytes (a WSM or boot-ROM header) so a reader can tell the message. */
static int vsdio_data(struct vsdio_host *h, struct mmc_command *cmd, struct mmc_data *data)
{
	size_t len = (size_t)data->blksz * data->blocks;
	bool write = data->flags & MMC_DATA_WRITE;
	int ret;

	if (len > VSDIO_BOUNCE || len < 4) {
		ret = -EINVAL;
		goto trace;
	}
	if (write && sg_copy_to_buffer(data->sg, data->sg_len, h->bounce, len) != len) {
		ret = -EINVAL;
		goto trace;
	}
	ret = vsdio_rs_cmd53(h->card, vsdio_now(h), cmd->arg, data->blksz, data->blocks,
			     h->bounce, len, &cmd->resp[0]);
	if (ret == -EILSEQ) {
		data->error = ret;
		ret = 0;
	} else if (!ret && !write &&
		   sg_copy_from_buffer(data->sg, data->sg_len, h->bounce, len) != len) {
		ret = -EINVAL;
	}
	if (!ret && !data->error)
		data->bytes_xfered = len;
trace:
	vsdio_trace(h, "%llu CMD53 arg=0x%08x blksz=%u blocks=%u bytes=%zu head=%*phN\n",
		    ktime_get_ns(), cmd->arg, data->blksz, data->blocks, len,
		    len >= 4 ? 4 : 0, h->bounce);
	return ret;
}

static void vsdio_request(struct mmc_host *mmc, struct mmc_request *mrq)
{
	struct vsdio_host *h = mmc_priv(mmc);
	struct mmc_command *cmd = mrq->cmd;

	mutex_lock(&h->lock);
	if (!h->present) {
		cmd->error = -ENOMEDIUM;
	} else if (mrq->data) {
		cmd->error = vsdio_data(h, cmd, mrq->data);
		vsdio_trace_err(h, cmd->error ? cmd->error : mrq->data->error);
	} else {
		cmd->error = vsdio_rs_command(h->card, vsdio_now(h), cmd->opcode, cmd->arg,
					      &cmd->resp[0]);
		if (cmd->opcode == SD_IO_RW_DIRECT)
			vsdio_trace(h, "%llu CMD52 arg=0x%08x resp=0x%02x\n", ktime_get_ns(),
				    cmd->arg, cmd->resp[0] & 0xff);
		else
			vsdio_trace(h, "%llu CMD%u arg=0x%08x\n", ktime_get_ns(), cmd->opcode,
				    cmd->arg);
		vsdio_trace_err(h, cmd->error);
	}
	mutex_unlock(&h->lock);
	mmc_request_done(mmc, mrq);
}

static void vsdio_power(struct vsdio_host *h, bool on)
{
	mutex_lock(&h->lock);
	if (vsdio_rs_power(h->card, on))
		vsdio_trace(h, "%llu RESET\n", ktime_get_ns());
	mutex_unlock(&h->lock);
}

static void vsdio_set_ios(struct mmc_host *mmc, struct mmc_ios *ios)
{
	/* Clock, timing and width only matter to the card through CCCR 0x07. */
	vsdio_power(mmc_priv(mmc), ios->power_mode != MMC_POWER_OFF);
}

static int vsdio_get_cd(struct mmc_host *mmc)
{
	struct vsdio_host *h = mmc_priv(mmc);

	return READ_ONCE(h->present);
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

	vsdio_power(h, false);
	vsdio_power(h, true);
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
	bool irq;

	while (!kthread_should_stop()) {
		usleep_range(1000, 1100);
		mutex_lock(&h->lock);
		irq = h->present && vsdio_rs_tick(h->card, vsdio_now(h));
		mutex_unlock(&h->lock);
		if (irq && atomic_read(&h->irq_enabled) && atomic_xchg(&h->irq_armed, 0))
			sdio_signal_irq(h->mmc);
	}
	return 0;
}

/* ------------------------------------------------------------------ debugfs */

static ssize_t vsdio_trace_read(struct file *f, char __user *ubuf, size_t n, loff_t *pos)
{
	struct vsdio_host *h = f->private_data;
	ssize_t ret;

	mutex_lock(&h->lock);
	ret = simple_read_from_buffer(ubuf, n, pos, h->trace, h->trace_len);
	mutex_unlock(&h->lock);
	return ret;
}

/* Any write clears the trace (the e2e clears it before loading bes2600.ko). */
static ssize_t vsdio_trace_write(struct file *f, const char __user *ubuf, size_t n,
				 loff_t *pos)
{
	struct vsdio_host *h = f->private_data;

	mutex_lock(&h->lock);
	h->trace_len = 0;
	h->trace_dropped = 0;
	mutex_unlock(&h->lock);
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
	struct vsdio_host *h = f->private_data;
	size_t len;
	ssize_t ret;
	u8 *buf = kzalloc(PAGE_SIZE, GFP_KERNEL);

	if (!buf)
		return -ENOMEM;
	mutex_lock(&h->lock);
	len = vsdio_rs_render(h->card, buf, PAGE_SIZE);
	len += scnprintf(buf + len, PAGE_SIZE - len, "trace_bytes %zu\ntrace_dropped %llu\n",
			 h->trace_len, h->trace_dropped);
	mutex_unlock(&h->lock);
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

/*
 * inject: a fault code. 1 firmware hang, 2 command timeout, 3 connection-loss events,
 * 4 decrypt storm, 5 CRC error, 6 CMD53 timeout, 7 lost interrupt, 8 corrupted length
 * register, 9 reset failure (next power-up), 10 card removal.
 */
static ssize_t vsdio_inject_write(struct file *f, const char __user *ubuf, size_t n,
				  loff_t *pos)
{
	struct vsdio_host *h = f->private_data;
	u32 code;
	int ret = kstrtou32_from_user(ubuf, n, 0, &code);

	if (ret)
		return ret;
	if (code == 10) {
		WRITE_ONCE(h->present, false);
		mmc_detect_change(h->mmc, 0);
		return n;
	}
	mutex_lock(&h->lock);
	ret = vsdio_rs_inject(h->card, code);
	mutex_unlock(&h->lock);
	return ret ? ret : n;
}

static const struct file_operations vsdio_inject_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = vsdio_inject_write,
	.llseek = default_llseek,
};

/* ------------------------------------------------------------------ life cycle */

int vsdio_host_add(void *card, struct vsdio_host **out)
{
	struct platform_device *pdev;
	struct mmc_host *mmc;
	struct vsdio_host *h;
	int ret;

	pdev = platform_device_register_simple("bes2600-vsdio", PLATFORM_DEVID_NONE, NULL, 0);
	if (IS_ERR(pdev))
		return PTR_ERR(pdev);
	mmc = mmc_alloc_host(sizeof(*h), &pdev->dev);
	if (!mmc) {
		ret = -ENOMEM;
		goto err_pdev;
	}
	h = mmc_priv(mmc);
	h->mmc = mmc;
	h->pdev = pdev;
	h->card = card;
	h->t0 = ktime_get_ns();
	h->present = true;
	h->trace_on = true;
	mutex_init(&h->lock);
	h->bounce = kmalloc(VSDIO_BOUNCE, GFP_KERNEL);
	h->trace = vmalloc(VSDIO_TRACE_BYTES);
	if (!h->bounce || !h->trace) {
		ret = -ENOMEM;
		goto err_mem;
	}

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
	mmc->max_segs = 64;
	mmc->max_blk_size = 2048;
	mmc->max_blk_count = VSDIO_MAX_BLOCKS;
	mmc->max_req_size = VSDIO_BOUNCE;
	mmc->max_seg_size = VSDIO_BOUNCE;

	h->dir = debugfs_create_dir("bes2600_vsdio", NULL);
	debugfs_create_file("trace", 0600, h->dir, h, &vsdio_trace_fops);
	debugfs_create_bool("trace_on", 0600, h->dir, &h->trace_on);
	debugfs_create_file("contract", 0400, h->dir, h, &vsdio_contract_fops);
	debugfs_create_file("inject", 0200, h->dir, h, &vsdio_inject_fops);

	h->clock = kthread_run(vsdio_clock, h, "bes2600-vsdio");
	if (IS_ERR(h->clock)) {
		ret = PTR_ERR(h->clock);
		goto err_dbg;
	}
	ret = mmc_add_host(mmc);
	if (ret)
		goto err_clock;
	*out = h;
	return 0;

err_clock:
	kthread_stop(h->clock);
err_dbg:
	debugfs_remove_recursive(h->dir);
err_mem:
	vfree(h->trace);
	kfree(h->bounce);
	mmc_free_host(mmc);
err_pdev:
	platform_device_unregister(pdev);
	return ret;
}

void vsdio_host_remove(struct vsdio_host *h)
{
	struct platform_device *pdev = h->pdev;

	/* Removes the card (bes2600.ko's remove runs) before the clock stops. */
	mmc_remove_host(h->mmc);
	kthread_stop(h->clock);
	debugfs_remove_recursive(h->dir);
	vfree(h->trace);
	kfree(h->bounce);
	mmc_free_host(h->mmc);
	platform_device_unregister(pdev);
}
