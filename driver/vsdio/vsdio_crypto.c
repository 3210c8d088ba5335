// SPDX-License-Identifier: GPL-2.0-only
/*
 * vsdio_crypto.c - the simulated chip's crypto hardware (issue 16; test only).
 *
 * The firmware model encrypts and decrypts CCMP frames itself (driver/sim/src/crypto.rs:
 * CCMP header, PN, nonce, AAD, key choice, replay counters); the AES-CCM primitive under it
 * comes from here, the kernel crypto API's "ccm(aes)" AEAD with the CCMP parameters (8-byte
 * tag, 13-byte nonce, so L = 2).
 *
 * One transform and one request per firmware key entry, allocated when air mode starts
 * (module load, process context), re-keyed only when an entry's key changes. A synchronous
 * implementation is asked for (mask CRYPTO_ALG_ASYNC), so a request has completed when
 * crypto_aead_encrypt/decrypt return. Every call comes from the card under the module mutex
 * (process context), so one bounce buffer serves them all: it is kmalloc'ed, which a
 * scatterlist can map, whereas the chip's own buffers live wherever the card was allocated.
 */
#include <crypto/aead.h>
#include <linux/err.h>
#include <linux/printk.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "vsdio_air.h"

/* Firmware key entries (crypto.rs KEY_SLOTS). */
#define VC_SLOTS 11
#define VC_KEY_LEN 16
#define VC_TAG_LEN 8
#define VC_NONCE_LEN 13
/* Longest AAD (crypto.rs MAX_AAD_LEN) and frame body (air.rs MAX_FRAME_LEN). */
#define VC_AAD_MAX 32
#define VC_DATA_MAX 4096

static struct {
	struct crypto_aead *tfm[VC_SLOTS];
	struct aead_request *req[VC_SLOTS];
	u8 key[VC_SLOTS][VC_KEY_LEN];
	bool keyed[VC_SLOTS];
	u8 *buf;		/* AAD | data | tag */
	bool up;
} vc;

void vsdio_crypto_exit(void)
{
	int i;

	for (i = 0; i < VC_SLOTS; i++) {
		aead_request_free(vc.req[i]);
		vc.req[i] = NULL;
		if (!IS_ERR_OR_NULL(vc.tfm[i]))
			crypto_free_aead(vc.tfm[i]);
		vc.tfm[i] = NULL;
		vc.keyed[i] = false;
	}
	kfree_sensitive(vc.buf);
	vc.buf = NULL;
	memzero_explicit(vc.key, sizeof(vc.key));
	vc.up = false;
}

int vsdio_crypto_init(void)
{
	int i, ret;

	vc.buf = kmalloc(VC_AAD_MAX + VC_DATA_MAX + VC_TAG_LEN, GFP_KERNEL);
	if (!vc.buf)
		return -ENOMEM;
	for (i = 0; i < VC_SLOTS; i++) {
		vc.tfm[i] = crypto_alloc_aead("ccm(aes)", 0, CRYPTO_ALG_ASYNC);
		if (IS_ERR(vc.tfm[i])) {
			ret = PTR_ERR(vc.tfm[i]);
			vc.tfm[i] = NULL;
			goto fail;
		}
		ret = crypto_aead_setauthsize(vc.tfm[i], VC_TAG_LEN);
		if (ret)
			goto fail;
		vc.req[i] = aead_request_alloc(vc.tfm[i], GFP_KERNEL);
		if (!vc.req[i]) {
			ret = -ENOMEM;
			goto fail;
		}
	}
	vc.up = true;
	return 0;
fail:
	vsdio_crypto_exit();
	return ret;
}

int vsdio_crypto_ccm(u8 slot, const u8 *key, const u8 *nonce, const u8 *aad, size_t aad_len,
		     u8 *data, size_t len, u8 *tag, bool encrypt)
{
	struct aead_request *req;
	struct scatterlist sg;
	u8 iv[16];
	int ret;

	if (!vc.up || slot >= VC_SLOTS || aad_len > VC_AAD_MAX || len > VC_DATA_MAX)
		return -EINVAL;
	req = vc.req[slot];
	if (!vc.keyed[slot] || memcmp(vc.key[slot], key, VC_KEY_LEN)) {
		vc.keyed[slot] = false;
		ret = crypto_aead_setkey(vc.tfm[slot], key, VC_KEY_LEN);
		if (ret)
			return ret;
		memcpy(vc.key[slot], key, VC_KEY_LEN);
		vc.keyed[slot] = true;
	}
	/* ccm(aes) takes B0's flags-less form: iv[0] = L - 1, the nonce, the counter zeroed. */
	iv[0] = 15 - VC_NONCE_LEN - 1;
	memcpy(&iv[1], nonce, VC_NONCE_LEN);
	memset(&iv[1 + VC_NONCE_LEN], 0, sizeof(iv) - 1 - VC_NONCE_LEN);

	memcpy(vc.buf, aad, aad_len);
	memcpy(vc.buf + aad_len, data, len);
	if (!encrypt)
		memcpy(vc.buf + aad_len + len, tag, VC_TAG_LEN);
	sg_init_one(&sg, vc.buf, aad_len + len + VC_TAG_LEN);
	aead_request_set_callback(req, 0, NULL, NULL);
	aead_request_set_crypt(req, &sg, &sg, encrypt ? len : len + VC_TAG_LEN, iv);
	aead_request_set_ad(req, aad_len);
	ret = encrypt ? crypto_aead_encrypt(req) : crypto_aead_decrypt(req);
	if (!ret) {
		memcpy(data, vc.buf + aad_len, len);
		if (encrypt)
			memcpy(tag, vc.buf + aad_len + len, VC_TAG_LEN);
	}
	/* Plaintext does not linger in the bounce buffer between frames. */
	memzero_explicit(vc.buf, aad_len + len + VC_TAG_LEN);
	return ret;
}
