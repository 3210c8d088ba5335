// SPDX-License-Identifier: GPL-2.0-only
/*
 * vsdio_gpio.c - the chip's wake line (host-to-chip, `wakeup-gpios` on the PineTab2, spec
 * §1.8) as a one-line gpio_chip, "bes2600-vsdio-wake" (test only; issue 14 §2).
 *
 * On the tablet the line is a DT property of the SDIO function's node, so bes2600.ko asks
 * for GPIO "wakeup" on the function device. QEMU's virt board gives the virtual host no DT
 * node, so the host registers a gpiod lookup table instead, keyed by the function device's
 * name ("<mmc host>:<RCA>:1"), which the MMC core derives from the host's name (known once
 * mmc_alloc_host() returned) and the RCA the card publishes. The table goes in before
 * mmc_add_host(), so it is there before the MMC core enumerates the card and bes2600.ko
 * probes; it goes out after mmc_remove_host(), once the function device is gone.
 *
 * The chip lives with the module (it outlives host rebinds, like the card); each level change
 * reaches the card through vsdio_wake_set() (vsdio_host.c), which also writes the bus-trace
 * line `<ns> GPIO wake=<0|1>`. Setting the line takes the module mutex, so the chip sleeps
 * (can_sleep): consumers use the *_cansleep accessors, as bes2600.ko does.
 *
 * Kernel-version difference: gpio_chip.set returns int from 6.18 (void on 6.12).
 */
#include <linux/gpio/driver.h>
#include <linux/gpio/machine.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/version.h>

#include "vsdio.h"

#define VSDIO_GPIO_LABEL "bes2600-vsdio-wake"
/* The relative card address the card publishes with CMD3 (driver/sim/src/card/mod.rs RCA). */
#define VSDIO_CARD_RCA 0x0001

static struct {
	struct gpio_chip gc;
	bool added;
	int level;				/* last level set (the chip has one line) */
	struct gpiod_lookup_table *lookup;	/* while a host is bound */
} vg;

static int vsdio_gpio_get_direction(struct gpio_chip *gc, unsigned int offset)
{
	return GPIO_LINE_DIRECTION_OUT;
}

static int vsdio_gpio_get(struct gpio_chip *gc, unsigned int offset)
{
	return READ_ONCE(vg.level);
}

static void vsdio_gpio_drive(int value)
{
	WRITE_ONCE(vg.level, !!value);
	vsdio_wake_set(!!value);
}

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 18, 0)
static int vsdio_gpio_set(struct gpio_chip *gc, unsigned int offset, int value)
{
	vsdio_gpio_drive(value);
	return 0;
}
#else
static void vsdio_gpio_set(struct gpio_chip *gc, unsigned int offset, int value)
{
	vsdio_gpio_drive(value);
}
#endif

/* An output-only line: gpiod_get(..., GPIOD_OUT_LOW) lands here with the initial level. */
static int vsdio_gpio_direction_output(struct gpio_chip *gc, unsigned int offset, int value)
{
	vsdio_gpio_drive(value);
	return 0;
}

static const char *const vsdio_gpio_names[] = { "wake" };

int vsdio_gpio_init(void)
{
	int ret;

	memset(&vg, 0, sizeof(vg));
	vg.gc.label = VSDIO_GPIO_LABEL;
	vg.gc.owner = THIS_MODULE;
	vg.gc.base = -1;
	vg.gc.ngpio = 1;
	vg.gc.names = vsdio_gpio_names;
	vg.gc.can_sleep = true;
	vg.gc.get_direction = vsdio_gpio_get_direction;
	vg.gc.get = vsdio_gpio_get;
	vg.gc.set = vsdio_gpio_set;
	vg.gc.direction_output = vsdio_gpio_direction_output;
	ret = gpiochip_add_data(&vg.gc, NULL);
	if (ret)
		return ret;
	vg.added = true;
	return 0;
}

void vsdio_gpio_exit(void)
{
	vsdio_gpio_unbind();
	if (vg.added)
		gpiochip_remove(&vg.gc);
	vg.added = false;
}

int vsdio_gpio_bind(const char *host_name)
{
	struct gpiod_lookup_table *t;
	char *dev_id;

	/* The table's entries: one lookup and the terminating empty one. */
	t = kzalloc(struct_size(t, table, 2), GFP_KERNEL);
	dev_id = kasprintf(GFP_KERNEL, "%s:%04x:1", host_name, VSDIO_CARD_RCA);
	if (!t || !dev_id) {
		kfree(t);
		kfree(dev_id);
		return -ENOMEM;
	}
	t->dev_id = dev_id;
	t->table[0] = GPIO_LOOKUP(VSDIO_GPIO_LABEL, 0, "wakeup", GPIO_ACTIVE_HIGH);
	gpiod_add_lookup_table(t);
	vg.lookup = t;
	return 0;
}

void vsdio_gpio_unbind(void)
{
	struct gpiod_lookup_table *t = vg.lookup;

	if (!t)
		return;
	vg.lookup = NULL;
	gpiod_remove_lookup_table(t);
	kfree(t->dev_id);
	kfree(t);
}
