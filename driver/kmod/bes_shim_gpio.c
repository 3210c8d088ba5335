// SPDX-License-Identifier: GPL-2.0-only
/*
 * bes_shim_gpio.c - the chip's wake line (see bes_shim.h): GPIO "wakeup" of the SDIO
 * function's device, i.e. the `wakeup-gpios` property of the function's DT node (the MMC core
 * gives function 1 the host's child node with reg = <1>; board/pinetab2 binding), or a
 * gpiod lookup table keyed by the function's device name (the virtual card's host).
 */
#include <linux/gpio/consumer.h>

#include "bes_shim_priv.h"

int bes_gpio_wake_get(struct sdio_func *func, struct gpio_desc **desc)
{
	/* Requested inactive, as the vendor does (C:bes2600_sdio.c:1297); the driver asserts it. */
	struct gpio_desc *d = gpiod_get_optional(&func->dev, "wakeup", GPIOD_OUT_LOW);

	*desc = NULL;
	if (IS_ERR(d))
		return PTR_ERR(d);
	*desc = d;
	return 0;
}

void bes_gpio_wake_set(struct gpio_desc *desc, bes_bool active)
{
	/* Logical level: the DT's GPIO_ACTIVE_LOW on the tablet is the GPIO core's business. */
	gpiod_set_value_cansleep(desc, active);
}

void bes_gpio_wake_put(struct gpio_desc *desc)
{
	if (desc)
		gpiod_put(desc);
}
