# Wi-Fi network written into an image at build time (pinetab2-image), by the same script that
# takes one from the boot partition at boot (bes2600-wifi-provision): the networks land in
# /etc/wpa_supplicant/wpa_supplicant-${BES2600_WIFI_IFACE}.conf, mode 0600, and
# wpa_supplicant@${BES2600_WIFI_IFACE}.service is enabled.
#
#   BES2600_WIFI_CONF = "/path/on/the/build/host/wpa_supplicant.conf"   (any wpa_supplicant
#                        network={} blocks; its content never enters a variable)
# or
#   BES2600_WIFI_SSID = "HomeNet"
#   BES2600_WIFI_PSK = "passphrase"     (8-63 characters, or the 64-hex PSK; empty: open network)
#
# Secrets set this way are in the build: the image files in deploy/ (the 0600 file inside the
# root filesystem), and, for BES2600_WIFI_PSK, the variable itself (bitbake -e, the task
# signatures kept in sstate and its siginfo files). For a real secret prefer
# wpa_supplicant.conf on the bootcfg partition (README.md, "Wi-Fi"). The PSK written is the
# PBKDF2 hash wpa_passphrase computes, not the passphrase.

BES2600_WIFI_CONF ?= ""
BES2600_WIFI_SSID ?= ""
BES2600_WIFI_PSK ?= ""
BES2600_WIFI_IFACE ?= "wlan0"

def bes2600_wifi_block(ssid, psk):
    """A wpa_supplicant network={} block for ssid/psk (the passphrase hashed as wpa_passphrase does)."""
    import hashlib
    import re
    raw = ssid.encode('utf-8')
    printable = re.fullmatch(r'[ -!#-~]{1,32}', ssid) is not None
    lines = ['network={', '\tssid=%s' % ('"%s"' % ssid if printable else raw.hex())]
    if not psk:
        lines.append('\tkey_mgmt=NONE')
    elif re.fullmatch(r'[0-9a-fA-F]{64}', psk):
        lines.append('\tpsk=%s' % psk.lower())
    elif 8 <= len(psk) <= 63:
        lines.append('\tpsk=%s' % hashlib.pbkdf2_hmac('sha1', psk.encode('utf-8'), raw, 4096, 32).hex())
    else:
        bb.fatal('BES2600_WIFI_PSK must be 8-63 characters or 64 hex digits')
    return '\n'.join(lines + ['}', ''])

python bes2600_wifi_rootfs() {
    import os
    import subprocess
    import tempfile
    conf = (d.getVar('BES2600_WIFI_CONF') or '').strip()
    ssid = d.getVar('BES2600_WIFI_SSID') or ''
    if not conf and not ssid:
        return
    if conf and ssid:
        bb.fatal('Set BES2600_WIFI_CONF or BES2600_WIFI_SSID, not both')
    rootfs = d.getVar('IMAGE_ROOTFS')
    tool = rootfs + d.getVar('sbindir') + '/bes2600-wifi-provision'
    if not os.path.isfile(tool):
        bb.fatal('BES2600_WIFI_* is set, but bes2600-wifi-provision is not in the image (BES2600_IMAGE_WIFI)')
    cmd = ['sh', tool, '--root', rootfs, '--iface', d.getVar('BES2600_WIFI_IFACE')]
    if conf:
        if not os.path.isfile(conf):
            bb.fatal('BES2600_WIFI_CONF (%s) is not a file' % conf)
        subprocess.run(cmd + ['--from', conf, '--keep'], check=True)
        return
    with tempfile.TemporaryDirectory(dir=d.getVar('WORKDIR')) as tmp:
        path = os.path.join(tmp, 'wpa_supplicant.conf')
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, 'w') as f:
            f.write(bes2600_wifi_block(ssid, d.getVar('BES2600_WIFI_PSK') or ''))
        # Without --keep the script scrubs and removes the temporary file.
        subprocess.run(cmd + ['--from', path], check=True)
}
bes2600_wifi_rootfs[doc] = "Writes the BES2600_WIFI_* network into the root filesystem (mode 0600)"
bes2600_wifi_rootfs[vardeps] += "BES2600_WIFI_CONF BES2600_WIFI_SSID BES2600_WIFI_PSK BES2600_WIFI_IFACE"

ROOTFS_POSTPROCESS_COMMAND += "bes2600_wifi_rootfs"
# A changed BES2600_WIFI_CONF file rebuilds the root filesystem (its checksum, not its content,
# enters the signature).
do_rootfs[file-checksums] += "${@'%s:True' % d.getVar('BES2600_WIFI_CONF').strip() if d.getVar('BES2600_WIFI_CONF').strip() else ''}"
