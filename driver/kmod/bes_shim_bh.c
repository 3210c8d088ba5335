// SPDX-License-Identifier: GPL-2.0-only
/* bes_shim_bh.c - the bottom-half kthread (see bes_shim.h). */
#include "bes_shim_priv.h"

/* ---------------------------------------------------------------- bottom half */

struct bes_bh {
	struct task_struct *task;
	wait_queue_head_t wq;
	atomic_t kick;
	void *drv;
};

static int bes_bh_thread(void *data)
{
	struct bes_bh *bh = data;

	/* System suspend parks the BH at its waits (the freezer), not in the middle of a pass. */
	set_freezable();
	return bes_rs->bh_main(bh->drv, bh);
}

struct bes_bh *bes_bh_start(void *drv, const char *name)
{
	struct bes_bh *bh = kzalloc(sizeof(*bh), GFP_KERNEL);

	if (!bh)
		return NULL;
	init_waitqueue_head(&bh->wq);
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

int bes_bh_wait(struct bes_bh *bh, u64 timeout_ns)
{
	long t = timeout_ns >= (u64)NSEC_PER_SEC * 3600 ? MAX_SCHEDULE_TIMEOUT
						     : (long)nsecs_to_jiffies(timeout_ns);

	/* Work left: give the CPU away if someone needs it, but do not sleep. */
	if (timeout_ns == 0) {
		cond_resched();
		atomic_set(&bh->kick, 0);
		return !kthread_should_stop();
	}
	if (t == 0)
		t = 1;
	wait_event_freezable_timeout(bh->wq, atomic_read(&bh->kick) || kthread_should_stop(), t);
	atomic_set(&bh->kick, 0);
	return !kthread_should_stop();
}

int bes_bh_should_stop(void)
{
	/* The download's steps are freeze points too (it can take seconds). */
	return kthread_freezable_should_stop(NULL);
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
