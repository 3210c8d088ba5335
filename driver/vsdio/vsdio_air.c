// SPDX-License-Identifier: GPL-2.0-only
/*
 * vsdio_air.c - the simulated chip's air as debugfs bes2600_vsdio/air (issue 16; test only).
 *
 * Loaded with air=1, the card's chip runs in air mode: its built-in AP is off and its radio
 * transmits the driver's frames and its own scan probes as air records, and hears what is
 * written back (driver/sim/src/radio.rs). A medium in user space (hwsim-medium bridge)
 * carries the records to and from mac80211_hwsim radios.
 *
 *   read()  whole records the chip transmitted, as many as fit (never a partial one); blocks
 *           until there is one (O_NONBLOCK: -EAGAIN); -EMSGSIZE if the buffer cannot hold
 *           the next record (MAX_RECORD_LEN in air.rs is enough); 0 once the module is going.
 *   write() one or more whole records the chip hears; returns the bytes of the whole records
 *           taken (at most 64 KiB: a longer write, or one whose last record is cut, is
 *           partial and the writer writes the rest); -EINVAL at a malformed record (the
 *           records before it were heard). While the chip's RX buffers are full the write
 *           waits (up to VSDIO_AIR_HOLD_MS), then the chip drops and counts the overflow.
 *   poll()  EPOLLIN when transmitted records wait; always writable.
 *
 * debugfs bes2600_vsdio/air_stats: the radio's counters (air_tx, air_rx, drops...).
 *
 * The record format lives in driver/sim/src/air.rs only. The chip is called through
 * vsdio_rs_air_* (src/air.rs) under the module mutex, like every other card call.
 * Readers wait on a flag that vsdio_air_poll() sets, under that mutex, from the card's
 * 1 ms clock and after every SDIO request, so a reader never takes the mutex while it sleeps.
 */
#include <linux/atomic.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/wait.h>

#include "vsdio_air.h"

static bool air;
module_param(air, bool, 0444);
MODULE_PARM_DESC(air, "air mode: no built-in AP; the chip's radio is debugfs bes2600_vsdio/air");

/* Largest read or write handled at once (many records; the medium reads in a loop). */
#define VSDIO_AIR_IO_MAX (64 * 1024)
/* Longest a write waits for the chip's RX buffers before frames are dropped. */
#define VSDIO_AIR_HOLD_MS 200

static struct {
	bool on;		/* the file exists (air=1 and init ran) */
	struct mutex *lock;	/* the module mutex; guards card */
	void *card;
	wait_queue_head_t wq;
	atomic_t ready;		/* transmitted records wait (set and cleared under lock) */
	bool gone;		/* module exit: readers return 0 */
	bool crypto;		/* vsdio_crypto_init() succeeded */
} va;

bool vsdio_param_air(void)
{
	return air;
}

void vsdio_air_poll(void *card)
{
	if (!va.on || !vsdio_rs_air_pending(card))
		return;
	atomic_set(&va.ready, 1);
	wake_up_interruptible(&va.wq);
}

static ssize_t vsdio_air_read(struct file *f, char __user *ubuf, size_t n, loff_t *pos)
{
	size_t len = min_t(size_t, n, VSDIO_AIR_IO_MAX);
	ssize_t got;
	u8 *buf;

	if (!len)
		return 0;
	buf = kvmalloc(len, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	for (;;) {
		if (READ_ONCE(va.gone)) {
			got = 0;
			break;
		}
		mutex_lock(va.lock);
		got = vsdio_rs_air_take(va.card, buf, len);
		if (!vsdio_rs_air_pending(va.card))
			atomic_set(&va.ready, 0);
		mutex_unlock(va.lock);
		if (got)
			break;
		if (f->f_flags & O_NONBLOCK) {
			got = -EAGAIN;
			break;
		}
		if (wait_event_interruptible(va.wq, atomic_read(&va.ready) || READ_ONCE(va.gone))) {
			got = -ERESTARTSYS;
			break;
		}
	}
	/* Records taken but not delivered are lost, as frames a receiver missed. */
	if (got > 0 && copy_to_user(ubuf, buf, got))
		got = -EFAULT;
	kvfree(buf);
	return got;
}

static ssize_t vsdio_air_write(struct file *f, const char __user *ubuf, size_t n, loff_t *pos)
{
	unsigned long give_up = jiffies + msecs_to_jiffies(VSDIO_AIR_HOLD_MS);
	ssize_t ret = -ERESTARTSYS;
	size_t done = 0;
	ssize_t r;
	u8 *buf;

	if (!n)
		return 0;
	/* Longer writes are taken in part (whole records only); the writer writes the rest. */
	n = min_t(size_t, n, VSDIO_AIR_IO_MAX);
	buf = vmemdup_user(ubuf, n);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	while (done < n) {
		/*
		 * Frames for the host wait while the chip's RX buffers are full (the card's clock
		 * lets the driver drain them every millisecond), as a busy receiver holds off a
		 * medium; after VSDIO_AIR_HOLD_MS the chip drops what does not fit, and counts it.
		 */
		bool hold = time_before(jiffies, give_up) && !READ_ONCE(va.gone);

		mutex_lock(va.lock);
		r = vsdio_rs_air_give(va.card, buf + done, n - done, hold);
		mutex_unlock(va.lock);
		if (r < 0) {
			/* A cut record after whole ones: a partial write; else the error. */
			ret = r;
			break;
		}
		done += r;
		if (done >= n || !hold)
			break;
		if (!r) {
			/* Held: the RX buffers are full. */
			if (signal_pending(current))
				break;
			usleep_range(500, 1000);
		}
	}
	kvfree(buf);
	/* Whole records taken count as written, whatever stopped the rest. */
	return done ? (ssize_t)done : ret;
}

static __poll_t vsdio_air_fpoll(struct file *f, struct poll_table_struct *wait)
{
	__poll_t mask = EPOLLOUT | EPOLLWRNORM;
	bool pending;

	poll_wait(f, &va.wq, wait);
	/*
	 * Asked of the chip, not read from the flag: the flag can outlive the records (a reset,
	 * or frames that expired unread), and a blocking read after a stale EPOLLIN would
	 * stall a single-threaded medium.
	 */
	mutex_lock(va.lock);
	pending = vsdio_rs_air_pending(va.card);
	if (!pending)
		atomic_set(&va.ready, 0);
	mutex_unlock(va.lock);
	if (pending)
		mask |= EPOLLIN | EPOLLRDNORM;
	if (READ_ONCE(va.gone))
		mask |= EPOLLHUP;
	return mask;
}

static ssize_t vsdio_air_stats_read(struct file *f, char __user *ubuf, size_t n, loff_t *pos)
{
	u8 *buf = kzalloc(PAGE_SIZE, GFP_KERNEL);
	size_t len;
	ssize_t ret;

	if (!buf)
		return -ENOMEM;
	mutex_lock(va.lock);
	len = vsdio_rs_air_render(va.card, buf, PAGE_SIZE);
	mutex_unlock(va.lock);
	ret = simple_read_from_buffer(ubuf, n, pos, buf, len);
	kfree(buf);
	return ret;
}

static const struct file_operations vsdio_air_stats_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = vsdio_air_stats_read,
	.llseek = default_llseek,
};

static const struct file_operations vsdio_air_fops = {
	.owner = THIS_MODULE,
	.open = nonseekable_open,
	.read = vsdio_air_read,
	.write = vsdio_air_write,
	.poll = vsdio_air_fpoll,
};

void vsdio_air_init(struct dentry *dir, struct mutex *lock, void *card)
{
	if (!air)
		return;
	va.lock = lock;
	va.card = card;
	init_waitqueue_head(&va.wq);
	atomic_set(&va.ready, 0);
	va.gone = false;
	debugfs_create_file("air", 0600, dir, NULL, &vsdio_air_fops);
	debugfs_create_file("air_stats", 0400, dir, NULL, &vsdio_air_stats_fops);
	va.on = true;
	/* The chip's crypto hardware; without it protected frames are refused either way. */
	va.crypto = vsdio_crypto_init() == 0;
	if (va.crypto) {
		mutex_lock(lock);
		vsdio_rs_air_crypto(card);
		mutex_unlock(lock);
	} else {
		pr_warn("bes2600_vsdio: no ccm(aes): the chip's CCMP is off\n");
	}
}

/* Readers leave before debugfs_remove_recursive() waits for them. */
void vsdio_air_exit(void)
{
	if (!va.on)
		return;
	WRITE_ONCE(va.gone, true);
	wake_up_interruptible_all(&va.wq);
	/* Nothing calls the card any more (module exit) or ever did (failed load). */
	if (va.crypto)
		vsdio_crypto_exit();
	va.crypto = false;
}
