#!/bin/sh
# Installs what building and testing Tandem needs, from Debian's archive.
# Idempotent: installs only what is missing, and runs apt-get update at most once.
set -eu

# command:package pairs; a command present means its package is.
need="gcc:gcc make:make ld:binutils qemu-system-x86_64:qemu-system-x86 bochs:bochs
grub-mkrescue:grub-common xorriso:xorriso mformat:mtools script:bsdutils timeout:coreutils
clang-format:clang-format readelf:binutils python3:python3"
# Packages that provide no command we can probe.
files="/usr/lib/grub/i386-pc/moddep.lst:grub-pc-bin /usr/share/bochs/BIOS-bochs-latest:bochsbios
/usr/share/vgabios/vgabios.bin:vgabios /usr/lib/x86_64-linux-gnu/bochs/plugins/libbx_term_gui.so.0.0.0:bochs-term"

missing=""
for pair in $need; do
	command -v "${pair%%:*}" >/dev/null 2>&1 || missing="$missing ${pair#*:}"
done
for pair in $files; do
	[ -e "${pair%%:*}" ] || missing="$missing ${pair#*:}"
done
if [ -n "$missing" ]; then
	if [ "$(id -u)" != 0 ]; then
		SUDO=sudo
	else
		SUDO=
	fi
	echo "deps: installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	$SUDO apt-get update -q >/dev/null
	# shellcheck disable=SC2086
	$SUDO apt-get install -y -q --no-install-recommends $missing >/dev/null
fi
exit 0
