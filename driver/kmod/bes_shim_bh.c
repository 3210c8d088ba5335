// SPDX-License-Identifier: GPL-2.0-only
/* bes_shim_bh.c - the bottom-half kthread (see bes_shim.h). */
#include "bes_shim_priv.h"

/* ---------------------------------------------------------------- bottom half */

struct bes_bh {
	struct task_struct *task;
	wait_queue_head_t wq;
	atomic_t kick;
	/* System sleep: asked to park (park), held at a wait (parked, under park_wq). */
	atomic_t park;
	atomic_t parked;
	wait_queue_head_t park_wq;
	void *drv;
};

/*
 * The BH is not freezable. The freezer runs before any device suspends, but mac80211's own
 * suspend (the wiphy is a child of the SDIO function, so it suspends first) still needs the
 * BH: it cancels a running hardware scan and waits for its completion (else ieee80211_resume
 * warns "resume with hardware scan still in progress"), leaves the BSS and flushes. Frozen
 * with a command in flight, the BH also woke to an expired command deadline and reset the
 * chip (measured with a freezable BH: 1 warning and 4 firmware reloads in 10 cycles). So the
 * driver's own suspend, which runs after mac80211's, parks it instead (bes_bh_park).
 */
static int bes_bh_thread(void *data)
{
	struct bes_bh *bh = data;

	return bes_rs->bh_main(bh->drv, bh);
}

struct bes_bh *bes_bh_start(void *drv, const char *name)
{
	struct bes_bh *bh = kzalloc(sizeof(*bh), GFP_KERNEL);

	if (!bh)
		return NULL;
	init_waitqueue_head(&bh->wq);
	init_waitqueue_head(&bh->park_wq);
	atomic_set(&bh->kick, 1);
	bh->drv = drv;
	bh->task = kthread_create(bes_bh_thread, bh, "%s", name);
	if (IS_ERR(bh->task)) {
		kfree(bh);
		return NULL;
	}
	/* Held so kthread_stop_put() is safe even if the thread function returned early. */
	get_task_struct(bh->task);
	wake_up_process(bh->task);
	return bh;
}

/* The shortest wait at which the BH may park (see bes_bh_wait). */
#define BES_BH_PARK_MIN_NS (10 * NSEC_PER_MSEC)

/* Holds the BH here while it is asked to park; it then runs a pass at once. */
static void bes_bh_hold(struct bes_bh *bh)
{
	atomic_set(&bh->parked, 1);
	wake_up_all(&bh->park_wq);
	wait_event_idle(bh->wq, !atomic_read(&bh->park) || kthread_should_stop());
	atomic_set(&bh->parked, 0);
	atomic_set(&bh->kick, 1);
}

int bes_bh_wait(struct bes_bh *bh, u64 timeout_ns)
{
	long t = timeout_ns >= (u64)NSEC_PER_SEC * 3600 ? MAX_SCHEDULE_TIMEOUT
						     : (long)nsecs_to_jiffies(timeout_ns);
	bool parkable = timeout_ns >= BES_BH_PARK_MIN_NS;

	/*
	 * Parked only between passes, and only once the firmware holds nothing of ours: while
	 * messages are in flight the BH polls every 2 ms (POLL_NS, device/bh.rs), and a command
	 * parked in flight would meet its deadline expired at resume (a firmware-hang recovery).
	 */
	if (parkable && atomic_read(&bh->park)) {
		bes_bh_hold(bh);
		return !kthread_should_stop();
	}
	/* Work left: give the CPU away if someone needs it, but do not sleep. */
	if (timeout_ns == 0) {
		cond_resched();
		atomic_set(&bh->kick, 0);
		return !kthread_should_stop();
	}
	if (t == 0)
		t = 1;
	wait_event_interruptible_timeout(bh->wq, atomic_read(&bh->kick) ||
					 (parkable && atomic_read(&bh->park)) ||
					 kthread_should_stop(), t);
	if (parkable && atomic_read(&bh->park)) {
		bes_bh_hold(bh);
		return !kthread_should_stop();
	}
	atomic_set(&bh->kick, 0);
	return !kthread_should_stop();
}

int bes_bh_should_stop(void)
{
	return kthread_should_stop();
}

int bes_bh_park(struct bes_bh *bh, bes_bool park)
{
	if (!park) {
		atomic_set(&bh->park, 0);
		wake_up_all(&bh->wq);
		return 0;
	}
	atomic_set(&bh->park, 1);
	wake_up_all(&bh->wq);
	/* A pass in progress (a download takes seconds) finishes first. */
	if (!wait_event_timeout(bh->park_wq, atomic_read(&bh->parked), 5 * HZ)) {
		atomic_set(&bh->park, 0);
		wake_up_all(&bh->wq);
		return -EBUSY;
	}
	return 0;
}

void bes_bh_wake(struct bes_bh *bh)
{
	atomic_set(&bh->kick, 1);
	wake_up_interruptible(&bh->wq);
}

void bes_bh_stop(struct bes_bh *bh)
{
	if (!bh)
		return;
	kthread_stop_put(bh->task);
	kfree(bh);
}
