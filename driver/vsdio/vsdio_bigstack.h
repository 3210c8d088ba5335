/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vsdio_bigstack.h - run one call on a temporary 512 KiB stack (arm64), for the test-only
 * bes2600_vsdio.ko (bes2600.ko no longer needs it: issue 15).
 *
 * Why: the simulated chip (the card's Card::new) only has a by-value constructor; with the
 * kernel's rustc flags it needs ~120 KiB of stack, and kernel stacks are 16 KiB. IRQs are
 * off for the call so that no exception entry sees the foreign stack pointer; the callee
 * must not sleep.
 */
#ifndef VSDIO_BIGSTACK_H
#define VSDIO_BIGSTACK_H

#include <linux/irqflags.h>
#include <linux/vmalloc.h>

#define VSDIO_BIG_STACK (512 * 1024)

static inline int vsdio_big_stack_run(void (*fn)(void *), void *arg)
{
	void *stk = vmalloc(VSDIO_BIG_STACK);
	unsigned long flags;

	if (!stk)
		return -ENOMEM;
	local_irq_save(flags);
	asm volatile(
		"mov	x19, sp\n"
		"mov	sp, %[top]\n"
		"mov	x0, %[arg]\n"
		"blr	%[fn]\n"
		"mov	sp, x19\n"
		:
		: [top] "r" ((unsigned long)stk + VSDIO_BIG_STACK), [arg] "r" (arg), [fn] "r" (fn)
		: "x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11",
		  "x12", "x13", "x14", "x15", "x16", "x17", "x18", "x19", "x30", "cc", "memory");
	local_irq_restore(flags);
	vfree(stk);
	return 0;
}

#endif /* VSDIO_BIGSTACK_H */
