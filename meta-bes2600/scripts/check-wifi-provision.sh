#!/bin/sh
# Offline check of Wi-Fi provisioning (README.md, "Wi-Fi"): runs bes2600-wifi-provision against
# a fake root and a fake boot partition, as the boot-time service and the image build do, and
# asserts the file modes, contents and links the smoke test and wpa_supplicant@.service expect.
#   check-wifi-provision.sh LAYER [SCRIPT]   (SCRIPT: another copy of the script to check)
# Prints one line per assertion; exits 1 if any fails.
set -u
layer="$1"
script="${2:-$layer/recipes-connectivity/bes2600-wifi-provision/files/bes2600-wifi-provision}"
cls="$layer/classes-recipe/bes2600_wifi.bbclass"
t="$(mktemp -d)"
trap 'rm -rf "$t"' EXIT
fails=0 n=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok    $2"; else echo "FAIL  $2"; fails=$((fails + 1)); fi; }
mode() { stat -c %a "$1" 2>/dev/null; }

# 1. Boot time: a CRLF file on the FAT partition, as a Windows editor writes it.
root="$t/root" boot="$t/boot"
mkdir -p "$root" "$boot"
printf 'country=DE\r\nnetwork={\r\n\tssid="HomeNet"\r\n\tpsk="correct horse"\r\n}\r\n' >"$boot/wpa_supplicant.conf"
sh "$script" --root "$root" --source "$boot" 2>"$t/log"; rc=$?
conf="$root/etc/wpa_supplicant/wpa_supplicant-wlan0.conf"
ok "$rc" "boot partition file consumed (exit $rc)"
[ "$(mode "$conf")" = 600 ]; ok $? "wpa_supplicant-wlan0.conf is mode 0600 (got $(mode "$conf"))"
[ "$(stat -c %u "$conf")" = "$(id -u)" ] && { [ "$(id -u)" != 0 ] || [ "$(stat -c %g "$conf")" = 0 ]; }
ok $? "owned by root (the running user here)"
[ "$(head -1 "$conf")" = "ctrl_interface=/run/wpa_supplicant" ]; ok $? "control socket added for wpa_cli"
grep -q 'ssid="HomeNet"' "$conf" && grep -q 'psk="correct horse"' "$conf"; ok $? "network block carried over"
! grep -q "$(printf '\r')" "$conf"; ok $? "CRLF line ends removed"
[ ! -e "$boot/wpa_supplicant.conf" ]; ok $? "file removed from the boot partition"
link="$root/etc/systemd/system/multi-user.target.wants/wpa_supplicant@wlan0.service"
[ "$(readlink "$link")" = /usr/lib/systemd/system/wpa_supplicant@.service ]; ok $? "wpa_supplicant@wlan0.service enabled"
! grep -q "correct horse" "$t/log"; ok $? "the log does not show the secret"

# 2. Next boot, nothing on the partition: nothing changes.
before="$(sha256sum "$conf")"
sh "$script" --root "$root" --source "$boot" 2>/dev/null; rc=$?
[ "$rc" = 0 ] && [ "$(sha256sum "$conf")" = "$before" ]; ok $? "no file: exit 0, nothing changed"

# 3. A file without a network block is refused and left for the user to fix.
echo 'ssid=oops' >"$boot/wpa_supplicant.conf"
sh "$script" --root "$root" --source "$boot" 2>/dev/null; rc=$?
[ "$rc" = 1 ] && [ -e "$boot/wpa_supplicant.conf" ] && [ "$(sha256sum "$conf")" = "$before" ]
ok $? "unusable file: exit 1, kept, the old network stays"

# 4. Build time (BES2600_WIFI_SSID/PSK): the class's block, hashed as wpa_passphrase does
#    (IEEE 802.11i H.4 vector: "password", "IEEE"), then the same script with --from.
python3 - "$cls" >"$t/block" <<'PY'
import re, sys
src = open(sys.argv[1]).read()
fn = re.search(r"^def bes2600_wifi_block.*?(?=^\S)", src, re.S | re.M).group(0)
class bb:
    @staticmethod
    def fatal(msg): raise SystemExit(msg)
ns = {"bb": bb}
exec(fn, ns)
sys.stdout.write(ns["bes2600_wifi_block"]("IEEE", "password"))
PY
grep -q 'psk=f42c6fc52df0ebef9ebb4b90b38a5f902e83fe1b135a70e23aed762e9710a12e' "$t/block" \
    && grep -q 'ssid="IEEE"' "$t/block" && ! grep -q password "$t/block"
ok $? "build-time block: PBKDF2 PSK, no passphrase"
root2="$t/root2"; mkdir -p "$root2"; chmod 600 "$t/block"
sh "$script" --root "$root2" --iface wlan1 --from "$t/block" --keep 2>/dev/null; rc=$?
c2="$root2/etc/wpa_supplicant/wpa_supplicant-wlan1.conf"
[ "$rc" = 0 ] && [ "$(mode "$c2")" = 600 ] && [ -e "$t/block" ] \
    && [ -L "$root2/etc/systemd/system/multi-user.target.wants/wpa_supplicant@wlan1.service" ]
ok $? "BES2600_WIFI_CONF path: --from --keep installs 0600 and keeps the build host's file"

# 5. Both layouts carry the empty FAT partition the service mounts (PARTLABEL bootcfg).
for w in pinetab2.wks pinetab2-ab.wks; do
    grep -Eq '^part .*--fstype=vfat --part-name bootcfg' "$layer/files/wic/$w"; ok $? "$w has the vfat bootcfg partition"
done

echo "wifi provisioning: $((n - fails)) of $n assertions hold"
[ "$fails" = 0 ]
