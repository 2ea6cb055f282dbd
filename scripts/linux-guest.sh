#!/bin/sh
# Fetches the unmodified Debian cloud kernel and builds a busybox initramfs
# for the Linux guest tests. Cached under cache/linux/ (not in git);
# idempotent: a second run does nothing but print the paths.
#
#   linux-guest.sh [KERNEL_META]   default: linux-image-cloud-amd64
#   (linux-image-amd64 is the "any distribution kernel" check)
#
# Prints two lines: KERNEL=<path to vmlinuz> and INITRD=<path to initrd.gz>.
# The initramfs's /init (tests/linux/init) prints a marker line, runs a small
# workload whose answer the test checks, and powers the guest off.
set -eu
meta=${1:-linux-image-cloud-amd64}
top=$(cd "$(dirname "$0")/.." && pwd)
C=$top/cache/linux/$meta
mkdir -p "$C"

need_apt_update=1
apt_update() {
	if [ $need_apt_update = 1 ]; then
		apt-get update -q >/dev/null
		need_apt_update=0
	fi
}

if [ ! -s "$C/vmlinuz" ]; then
	tmp=$(mktemp -d)
	chmod 755 "$tmp" # apt-get download runs as _apt
	trap 'rm -rf "$tmp"' EXIT
	( cd "$tmp" && { apt-get download -q "$meta" >/dev/null 2>&1 || { apt_update; apt-get download -q "$meta" >/dev/null; }; } )
	# The metapackage depends on the versioned image package: that is the kernel.
	pkg=$(dpkg-deb -f "$tmp"/"$meta"_*.deb Depends | tr ',' '\n' | sed 's/[ (].*//; s/^ *//' |
		grep '^linux-image-[0-9]' | head -n 1)
	[ -n "$pkg" ] || { echo "linux-guest: cannot find the kernel package $meta depends on" >&2; exit 1; }
	( cd "$tmp" && apt-get download -q "$pkg" >/dev/null )
	dpkg-deb -x "$tmp"/"$pkg"_*.deb "$tmp/x"
	cp "$tmp"/x/boot/vmlinuz-* "$C/vmlinuz.part"
	echo "$pkg" > "$C/package"
	mv "$C/vmlinuz.part" "$C/vmlinuz"
fi

if [ ! -s "$C/initrd.gz" ] || [ "$top/tests/linux/init" -nt "$C/initrd.gz" ]; then
	# busybox-static: a shell and tools the initramfs can run with no libraries.
	dpkg -s busybox-static >/dev/null 2>&1 ||
		{ apt_update; DEBIAN_FRONTEND=noninteractive apt-get install -y -q busybox-static >/dev/null; }
	bb=/bin/busybox
	command -v cpio >/dev/null 2>&1 || { apt_update; DEBIAN_FRONTEND=noninteractive apt-get install -y -q cpio >/dev/null; }
	root=$(mktemp -d)
	mkdir -p "$root/bin" "$root/proc" "$root/sys" "$root/dev"
	cp "$bb" "$root/bin/busybox"
	for app in sh mount echo cat seq awk sed poweroff reboot sleep uname dmesg grep head cut sha256sum \
		setsid cttyhack ls ps top free dd printf timeout; do
		ln -s busybox "$root/bin/$app"
	done
	cp "$top/tests/linux/init" "$root/init"
	chmod +x "$root/init"
	( cd "$root" && find . | cpio -o -H newc --quiet | gzip -9 ) > "$C/initrd.gz.part"
	mv "$C/initrd.gz.part" "$C/initrd.gz"
	rm -rf "$root"
fi
echo "KERNEL=$C/vmlinuz"
echo "INITRD=$C/initrd.gz"
