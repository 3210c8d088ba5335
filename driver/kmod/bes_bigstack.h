/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bes_bigstack.h - run one call on a temporary 512 KiB stack (arm64), shared by bes2600.ko
 * and the test-only bes2600_vsdio.ko.
 *
 * Why: the engine and the simulated chip only have by-value constructors; with the kernel's
 * rustc flags they need ~120 KiB of stack, kernel stacks are 16 KiB (driver/kmod/README.md
 * "Known limitation"). IRQs are off for the call so that no exception entry sees the
 * foreign stack pointer; the callee must not sleep.
 */
#ifndef BES_BIGSTACK_H
#define BES_BIGSTACK_H

#include <linux/irqflags.h>
#include <linux/vmalloc.h>

#define BES_BIG_STACK (512 * 1024)

static inline int bes_big_stack_run(void (*fn)(void *), void *arg)
{
	void *stk = vmalloc(BES_BIG_STACK);
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
		: [top] "r" ((unsigned long)stk + BES_BIG_STACK), [arg] "r" (arg), [fn] "r" (fn)
		: "x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11",
		  "x12", "x13", "x14", "x15", "x16", "x17", "x18", "x19", "x30", "cc", "memory");
	local_irq_restore(flags);
	vfree(stk);
	return 0;
}

#endif /* BES_BIGSTACK_H */
