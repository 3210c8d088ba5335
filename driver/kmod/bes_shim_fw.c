// SPDX-License-Identifier: GPL-2.0-only
/* bes_shim_fw.c - firmware files, synchronous and asynchronous (see bes_shim.h). */
#include "bes_shim_priv.h"

/* ---------------------------------------------------------------- firmware */

int bes_fw_request(struct ieee80211_hw *hw, const char *name, bool optional, void **handle,
		   const u8 **data, size_t *len)
{
	const struct firmware *fw;
	struct device *dev = wiphy_dev(hw->wiphy);
	/* An optional file gives no log line when it is missing. */
	int ret = optional ? firmware_request_nowarn(&fw, name, dev) :
			     request_firmware(&fw, name, dev);

	if (ret)
		return ret;
	*handle = (void *)fw;
	*data = fw->data;
	*len = fw->size;
	return 0;
}

void bes_fw_release(void *handle)
{
	release_firmware(handle);
}

struct bes_fw_async {
	struct completion done;
	void *drv;
};

static void bes_fw_async_done(const struct firmware *fw, void *ctx)
{
	struct bes_fw_async *a = ctx;

	/* Ownership of fw (NULL: the file is missing) passes to Rust. */
	bes_rs->fw_loaded(a->drv, (void *)fw, fw ? fw->data : NULL, fw ? fw->size : 0);
	complete(&a->done);
}

struct bes_fw_async *bes_fw_request_async(struct ieee80211_hw *hw, const char *name, void *drv)
{
	struct bes_fw_async *a = kzalloc(sizeof(*a), GFP_KERNEL);

	if (!a)
		return NULL;
	init_completion(&a->done);
	a->drv = drv;
	if (request_firmware_nowait(THIS_MODULE, true, name, wiphy_dev(hw->wiphy), GFP_KERNEL, a,
				    bes_fw_async_done)) {
		kfree(a);
		return NULL;
	}
	return a;
}

void bes_fw_async_wait(struct bes_fw_async *a)
{
	wait_for_completion(&a->done);
	kfree(a);
}
