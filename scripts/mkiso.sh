#!/bin/sh
# Builds a BIOS-bootable GRUB rescue ISO that boots one Multiboot kernel, for
# Bochs (which boots only BIOS media) and QEMU.
#
#   mkiso.sh [options] OUT.iso KERNEL.elf [GRUB_LINE...]
#
# Options (each also settable by environment variable):
#   -1            boot with `multiboot` (Multiboot 1)          TANDEM_MB=multiboot
#   -2            boot with `multiboot2` (the default)          TANDEM_MB=multiboot2
#   -c CMDLINE    kernel command line                           TANDEM_CMDLINE
#   -m 'FILE [ARGS...]'
#                 copy FILE to /boot/mod/ on the ISO and load it as a module
#                 (module2 or module, matching the protocol) with command line
#                 ARGS; repeatable, modules keep their order    TANDEM_MODULES
#                 (newline-separated list of such entries)
#   -s            GRUB itself also uses the serial console      TANDEM_GRUB_SERIAL=1
#                 (COM1, 115200; its menu output then lands in the serial log)
#
# Each GRUB_LINE after the kernel is copied verbatim into the menu entry after
# the kernel and module lines (e.g. 'echo booting').
#
# The kernel lands at /boot/tandem.elf. The ISO is built in a temporary
# directory and moved into place only when complete, so a failed run never
# leaves a half-written OUT.iso, and rerunning with the same inputs is safe.
set -eu

prog=mkiso.sh
die()
{
	echo "$prog: $*" >&2
	exit 1
}
usage()
{
	sed -n '2,/^set -eu/{/^set -eu/d;s/^# \{0,1\}//;p}' "$0" >&2
	exit 2
}

mb=${TANDEM_MB:-multiboot2}
cmdline=${TANDEM_CMDLINE:-}
modules=${TANDEM_MODULES:-}
grub_serial=${TANDEM_GRUB_SERIAL:-0}
nl='
'

while getopts 12c:m:sh opt; do
	case $opt in
	1) mb=multiboot ;;
	2) mb=multiboot2 ;;
	c) cmdline=$OPTARG ;;
	m) modules="${modules:+$modules$nl}$OPTARG" ;;
	s) grub_serial=1 ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 2 ] || usage
out=$1
kernel=$2
shift 2

case $mb in
multiboot) modcmd=module ;;
multiboot2) modcmd=module2 ;;
*) die "TANDEM_MB must be multiboot or multiboot2, not '$mb'" ;;
esac

command -v grub-mkrescue >/dev/null 2>&1 ||
	die "grub-mkrescue not found: apt-get install grub-pc-bin grub-common xorriso mtools"
command -v xorriso >/dev/null 2>&1 || die "xorriso not found: apt-get install xorriso"
grubdir=/usr/lib/grub/i386-pc
[ -f "$grubdir/cdboot.img" ] || die "$grubdir missing (BIOS GRUB): apt-get install grub-pc-bin"
[ -f "$kernel" ] || die "kernel '$kernel' not found"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mkiso.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
root=$tmp/iso
mkdir -p "$root/boot/grub" "$root/boot/mod"
cp "$kernel" "$root/boot/tandem.elf"

# Command lines are split into words at spaces; each word goes to GRUB on its
# own, single-quoted if it holds anything GRUB's parser would interpret. (GRUB
# joins the words with spaces, and wraps in double quotes any word that still
# contains a space, so quoting the whole line would reach the kernel quoted.)
gwords()
{
	for w in $1; do
		case $w in
		*[!A-Za-z0-9_./:=,+@%-]*) printf " '%s'" "$(printf '%s' "$w" | sed "s/'/'\\\\''/g")" ;;
		*) printf ' %s' "$w" ;;
		esac
	done
}

cfg=$root/boot/grub/grub.cfg
{
	echo "set timeout=0"
	echo "set default=0"
	if [ "$grub_serial" = 1 ]; then
		echo "serial --unit=0 --speed=115200"
		echo "terminal_input serial console"
		echo "terminal_output serial console"
	fi
	echo "menuentry 'Tandem' {"
	echo "	$mb /boot/tandem.elf$(set -f; gwords "$cmdline")"
} >"$cfg"

# Modules: first word is the file, the rest its command line.
n=0
if [ -n "$modules" ]; then
	printf '%s\n' "$modules" >"$tmp/modules"
	while IFS= read -r spec; do
		[ -n "$spec" ] || continue
		file=${spec%% *}
		args=
		[ "$file" = "$spec" ] || args=${spec#* }
		[ -f "$file" ] || die "module '$file' not found"
		n=$((n + 1))
		name=$(printf '%02d-%s' "$n" "$(basename "$file")")
		cp "$file" "$root/boot/mod/$name"
		echo "	$modcmd /boot/mod/$name$(set -f; gwords "$args")" >>"$cfg"
	done <"$tmp/modules"
fi
for line in "$@"; do
	printf '\t%s\n' "$line" >>"$cfg"
done
echo "	boot" >>"$cfg"
echo "}" >>"$cfg"

# Only the BIOS platform (-d), and no fonts, locales or themes: a smaller ISO
# that builds in about a second.
if ! grub-mkrescue -d "$grubdir" -o "$tmp/out.iso" \
	--install-modules="normal multiboot multiboot2 serial terminal echo test configfile iso9660 biosdisk part_msdos all_video" \
	--fonts= --locales= --themes= \
	"$root" >"$tmp/log" 2>&1; then
	cat "$tmp/log" >&2
	die "grub-mkrescue failed"
fi
mkdir -p "$(dirname "$out")"
mv -f "$tmp/out.iso" "$out"
