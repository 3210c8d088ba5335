#!/usr/bin/env python3
"""Offline consistency check of the signed package feed variant (kas/pinetab2-feed.yml).

The feed must be deb (apt on the tablet), signed with oe-core's sign_package_feed (which needs
PACKAGE_FEED_GPG_NAME and PACKAGE_FEED_GPG_PASSPHRASE_FILE, and a GPG_PATH the key lives in),
published at PACKAGE_FEED_URIS with base path and archs, images with package-management, and
the image must turn oe-core's "[trusted=yes]" into a signed-by on the feed key. Exits 1 on a
failure.
"""
import pathlib
import re
import sys

import yaml

layer = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).parent.parent)
kas = yaml.safe_load((layer / "kas/pinetab2-feed.yml").read_text())
conf = "\n".join(kas.get("local_conf_header", {}).values())
image = (layer / "recipes-core/images/pinetab2-image.bb").read_text()
fails = 0


def check(ok, what):
    global fails
    print(("ok    " if ok else "FAIL  ") + what)
    fails += not ok


def var(name):
    m = re.search(rf'^{re.escape(name)}\s*\??=\s*"([^"]*)"', conf, re.M)
    return m.group(1) if m else ""


check("meta-bes2600/kas/pinetab2.yml" in kas["header"].get("includes", []), "includes the single-root image")
check(var("PACKAGE_CLASSES").split()[:1] == ["package_deb"], "PACKAGE_CLASSES starts with package_deb (apt)")
check('INHERIT += "sign_package_feed"' in conf, "sign_package_feed is inherited")
for v in ("PACKAGE_FEED_GPG_NAME", "PACKAGE_FEED_GPG_PASSPHRASE_FILE", "GPG_PATH", "PACKAGE_FEED_URIS",
          "PACKAGE_FEED_BASE_PATHS", "PACKAGE_FEED_ARCHS"):
    check(bool(var(v)), f"{v} is set")
check(var("PACKAGE_FEED_GPG_PASSPHRASE_FILE").startswith(var("GPG_PATH").rsplit("/", 1)[0]),
      "passphrase file and GnuPG home live together outside the layer")
check("package-management" in conf, "images get package-management")
check(all(a in var("PACKAGE_FEED_ARCHS").split() for a in ("all", "pinetab2")),
      "feed archs cover allarch (firmware, provisioning) and the machine (kernel module)")
check("bes2600_feed_apt_trust" in image and "signed-by=" in image and "IMAGE_PREPROCESS_COMMAND" in image,
      "the image makes apt verify the feed (signed-by instead of trusted=yes, after sources.list is written)")
check("PACKAGEFEED-GPG-KEY-${DISTRO}-${DISTRO_CODENAME}" in image,
      "apt's key is the one signing-keys-packagefeed installs")
print(f"package feed: {fails} failed")
sys.exit(1 if fails else 0)
