/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vsdio_air.h - the simulated chip's air as a debugfs file (issue 16), for a medium outside
 * the chip (hwsim-medium bridge). Test-only module: none of this is in bes2600.ko.
 *
 * With the module parameter air=1 the card's chip runs in air mode (no built-in AP) and
 * debugfs bes2600_vsdio/air carries its frames: read() returns whole records the chip
 * transmitted (blocking, pollable), write() takes whole records the chip hears. The record
 * format is defined once, in driver/sim/src/air.rs.
 */
#ifndef VSDIO_AIR_H
#define VSDIO_AIR_H

#include <linux/mutex.h>
#include <linux/types.h>

struct dentry;

/* C (vsdio_air.c), called by vsdio_host.c. */
bool vsdio_param_air(void);
/* Creates the air file under @dir when air=1; @lock is the module mutex that guards @card. */
void vsdio_air_init(struct dentry *dir, struct mutex *lock, void *card);
/* Wakes blocked readers for good (module exit, before debugfs removal). */
void vsdio_air_exit(void);
/* With @lock held: wakes readers when the chip has transmitted records waiting. */
void vsdio_air_poll(void *card);

/* Rust (src/air.rs), called by vsdio_air.c with the module mutex held. */
/* Moves whole transmitted records into @buf; bytes written, 0 if none, -EMSGSIZE if the
 * next record is longer than @len. */
ssize_t vsdio_rs_air_take(void *card, u8 *buf, size_t len);
/* The chip hears the records in @buf; bytes of the whole records consumed (a record cut by
 * the end of @buf after whole ones is left for the next write), or -EINVAL at a malformed
 * record or a cut first one (the records before it were heard). With @hold, a frame for the
 * host that finds the chip's RX buffers full ends the call before it (not dropped). */
ssize_t vsdio_rs_air_give(void *card, const u8 *buf, size_t len, bool hold);
bool vsdio_rs_air_pending(void *card);
/* The air counters as "name value" lines into @buf; bytes written. */
size_t vsdio_rs_air_render(void *card, u8 *buf, size_t len);
/* With the module mutex held: gives the chip's firmware the kernel's AES-CCM (below). */
void vsdio_rs_air_crypto(void *card);

/* C (vsdio_crypto.c): the chip's AES-CCM through the kernel crypto API, for air mode. */
/* Allocates one ccm(aes) transform per firmware key entry (process context). */
int vsdio_crypto_init(void);
void vsdio_crypto_exit(void);
/* AES-128-CCM, 8-byte @tag, 13-byte @nonce, in place on @data; 0 or a negative errno
 * (-EBADMSG: the tag does not verify). Called by the card under the module mutex. */
int vsdio_crypto_ccm(u8 slot, const u8 *key, const u8 *nonce, const u8 *aad, size_t aad_len,
		     u8 *data, size_t len, u8 *tag, bool encrypt);

#endif /* VSDIO_AIR_H */
