# hostapd, wpa_supplicant and wpa_cli from Debian bookworm's arm64 packages (unpacked by
# ci/setup.d/10-kernel.sh), each with the shared libraries its ELF NEEDED entries name
# (install_elf, transitively), and the real-AP phase's configurations (image/hostap/,
# image/e2e/70-realap.sh, issue 16). /sbin is on the guest's PATH.
install_elf "$A/usr/sbin/hostapd" sbin/hostapd
install_elf "$A/usr/sbin/hostapd_cli" sbin/hostapd_cli
install_elf "$A/sbin/wpa_supplicant" sbin/wpa_supplicant
install_elf "$A/sbin/wpa_cli" sbin/wpa_cli
mkdir -p "$R/etc/hostap"
cp "$BES2600_ROOT"/image/hostap/*.conf "$R/etc/hostap/"
