# shellcheck shell=bash
# debootstrap builds the throw-away Debian 12 root in which ci/tests.d/05-fresh-root.sh proves
# this whole set-up on a machine with nothing installed.
apt_install debootstrap
