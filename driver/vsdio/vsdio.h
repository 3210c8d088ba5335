/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vsdio.h - the seam between the virtual MMC host (vsdio_host.c) and the Rust card
 * (src/bes2600_vsdio.rs). Test-only module: none of this is in bes2600.ko.
 *
 * Every vsdio_rs_* call on a card is made with the module's mutex held, so the Rust side
 * sees one caller at a time. Times are nanoseconds since the module was loaded.
 */
#ifndef VSDIO_H
#define VSDIO_H

#include <linux/types.h>

/*
 * C, called by Rust. vsdio_module_init registers the platform driver and device (the host
 * binds at once) with the card that outlives every rebind; vsdio_module_exit unbinds and
 * unregisters them, after which C no longer touches the card.
 */
int vsdio_module_init(void *card);
void vsdio_module_exit(void);
int vsdio_call_on_big_stack(void (*fn)(void *), void *arg);
unsigned int vsdio_param_rate_kbps(void);
bool vsdio_param_privacy(void);

/*
 * The wake line (vsdio_gpio.c): a one-line gpio_chip registered for the module's life, and
 * a lookup table that gives it to the SDIO function device as GPIO "wakeup" while a host
 * named host_name is bound. vsdio_wake_set (vsdio_host.c) passes a level to the card and
 * traces it; it takes the module mutex, so it must not be called with it held.
 */
int vsdio_gpio_init(void);
void vsdio_gpio_exit(void);
int vsdio_gpio_bind(const char *host_name);
void vsdio_gpio_unbind(void);
void vsdio_wake_set(bool level);

/* Rust, called by C with the module mutex held. */
int vsdio_rs_command(void *card, u64 now_ns, u32 opcode, u32 arg, u32 *resp);
int vsdio_rs_cmd53(void *card, u64 now_ns, u32 arg, u32 blksz, u32 blocks, u8 *buf,
		   size_t len, u32 *resp);
bool vsdio_rs_tick(void *card, u64 now_ns);
bool vsdio_rs_power(void *card, bool on);
int vsdio_rs_inject(void *card, u32 code);
u64 vsdio_rs_violations(void *card);
size_t vsdio_rs_render(void *card, u8 *buf, size_t len);
/* The host drove the wake line to `level`; true when the level changed. */
bool vsdio_rs_wake(void *card, u64 now_ns, bool level);

#endif /* VSDIO_H */
