#!/bin/sh
# Bare-Bochs baseline for the Linux guest tests: boots the same unmodified
# Debian kernel and busybox initramfs that the Tandem tests use (from
# scripts/linux-guest.sh) directly on Bochs, with no hypervisor, from a GRUB
# ISO (`linux` + `initrd`), and prints the figures to compare with the same
# kernel run as a Tandem guest.
#
#   linux-baseline.sh [-o DIR] [-t SECS] [-c CPUS] [-a 'ARGS'] [KERNEL_META]
#
#   KERNEL_META  Debian kernel metapackage: linux-image-cloud-amd64 (default)
#                or linux-image-amd64 (passed to scripts/linux-guest.sh)
#   -o DIR       output directory, default build/baseline/KERNEL_META; it gets
#                linux.iso, serial.log (COM1) and run-bochs.sh's
#                serial.log.bochs, .bochsrc and .tty
#   -t SECS      Bochs wall-clock timeout (default 300)
#   -c CPUS      emulated CPUs (default 1; Tandem's guests run on 1 vCPU)
#   -a 'ARGS'    extra words for the kernel command line
#
# The kernel command line is the one the Tandem guest test uses,
# `console=ttyS0 loglevel=8 panic=-1`, plus two words that make the run
# comparable with a Tandem guest:
#   mem=M           the memory a Tandem guest gets (BASELINE_MEM, 96M), although
#                   the Bochs machine has BOCHS_MEGS (256, as in a Tandem run)
#   tsc_early_khz=K the TSC's real rate, BOCHS_IPS / 1000 (BASELINE_TSC_KHZ; set
#                   it empty to leave the word out). Bochs's TSC advances one
#                   tick per emulated instruction, but corei7_skylake_x declares
#                   3.5 GHz in CPUID 0x15/0x16 and Linux believes it: without this
#                   word, printk times run ~35x slow once sched_clock is marked
#                   stable, and are not comparable with Tandem's guest, whose
#                   CPUID carries the calibrated rate.
# Environment:
#   BASELINE_CONSOLE  console= value (ttyS0). Linux's default is 9600 baud, and
#                     Bochs's 16550 takes the real time per character, so with
#                     loglevel=8 the kernel spends ~8 s of emulated time at
#                     "console [ttyS0] enabled" replaying its log (and more for
#                     each later line); Tandem's virtual UART has no baud rate.
#                     ttyS0,115200 cuts that twelvefold.
#   BASELINE_MEM, BASELINE_TSC_KHZ  see above
#   BOCHS_MODEL, BOCHS_IPS, BOCHS_MEGS, BOCHS_TIME0, BOCHS_EXTRA
#                     passed to scripts/run-bochs.sh unchanged
#
# MSRs: run-bochs.sh keeps Bochs's ignore_bad_msrs=0 (an MSR the CPU model
# lacks raises #GP, as on hardware), and Bochs 2.7's corei7_skylake_x lacks
# some MSRs that its CPUID implies and that Linux reads with plain RDMSR:
#   IA32_MISC_ENABLE (0x1A0): verify_cpu reads it on any Intel family 6 model
#     >= 0xD, first in the decompressor's 32-bit startup_32 (the entry GRUB's
#     `linux` uses), before any IDT exists: the #GP becomes a triple fault at
#     the kernel's first instructions, before any output.
#   IA32_MCG_CAP and IA32_MCG_STATUS (0x179, 0x17A): CPUID says MCE and MCA,
#     so a kernel built with machine-check support (the generic Debian
#     kernel; not the cloud one) reads MCG_STATUS in mce_rdmsrl, and a #GP
#     there is "Kernel panic - not syncing: MCA architectural violation!".
# Tandem emulates IA32_MISC_ENABLE and hides MCE/MCA from its guests, so they
# get past both. This script gives Bochs an MSR definition file (`cpu:
# msrs=`) that adds only these three: MISC_ENABLE reading as Tandem shows it
# (fast strings, BTS and PEBS unavailable: 0x1801), MCG_CAP = 0 (no banks;
# read-only) and MCG_STATUS = 0. Every other MSR the model lacks still raises
# #GP, which Linux handles (rdmsr_safe, or an "unchecked MSR access error").
#
# Printed figures (also in DIR/figures.txt): the printk timestamps of
# "Run /init as init process" and of the power-off ("reboot: Power down"),
# the TSC rate the kernel believes (printk times are in its units: see the
# "Time trap" in the platform notes, PLATFORM.md), the emulated time from
# power-on to the ACPI power-off (Bochs ticks / BOCHS_IPS, clock-independent),
# Bochs's wall time and CPU time (user + system: less sensitive than wall time
# to other load on the machine), and whether the initramfs's marker and
# workload result appeared.
# Rerunning rebuilds the ISO and repeats the boot; nothing else is kept.
#
# Exit status: 0 if the kernel reached /init, the workload's answer was right
# and the machine powered off; 1 otherwise (run-bochs.sh's messages say why);
# 2 on usage errors.
set -eu

prog=linux-baseline.sh
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

top=$(cd "$(dirname "$0")/.." && pwd)
out=
secs=300
cpus=1
extra_args=
while getopts o:t:c:a:h opt; do
	case $opt in
	o) out=$OPTARG ;;
	t) secs=$OPTARG ;;
	c) cpus=$OPTARG ;;
	a) extra_args=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -le 1 ] || usage
meta=${1:-linux-image-cloud-amd64}
out=${out:-$top/build/baseline/$meta}
mem=${BASELINE_MEM:-96M}
console=${BASELINE_CONSOLE:-ttyS0}
ips=${BOCHS_IPS:-100000000}
case "$secs$cpus$ips" in
*[!0-9]*) die "-t, -c and BOCHS_IPS take numbers" ;;
esac
tsc_khz=${BASELINE_TSC_KHZ-$((ips / 1000))}

command -v grub-mkrescue >/dev/null 2>&1 ||
	die "grub-mkrescue not found: apt-get install grub-pc-bin grub-common xorriso mtools"
grubdir=/usr/lib/grub/i386-pc
[ -f "$grubdir/cdboot.img" ] || die "$grubdir missing (BIOS GRUB): apt-get install grub-pc-bin"

# The kernel and initramfs, fetched and built once (cached under cache/linux/).
paths=$(sh "$top/scripts/linux-guest.sh" "$meta") || die "scripts/linux-guest.sh $meta failed"
kernel=$(printf '%s\n' "$paths" | sed -n 's/^KERNEL=//p')
initrd=$(printf '%s\n' "$paths" | sed -n 's/^INITRD=//p')
if [ ! -s "$kernel" ] || [ ! -s "$initrd" ]; then
	die "linux-guest.sh printed no KERNEL/INITRD"
fi
pkg=$(cat "$(dirname "$kernel")/package" 2>/dev/null || echo "$meta")

mkdir -p "$out"
out=$(cd "$out" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/linux-baseline.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

# GRUB on COM1 too (its lines precede the kernel's in serial.log); no menu.
cmdline="console=$console loglevel=8 panic=-1 mem=$mem${tsc_khz:+ tsc_early_khz=$tsc_khz}${extra_args:+ $extra_args}"
mkdir -p "$tmp/iso/boot/grub"
cp "$kernel" "$tmp/iso/boot/vmlinuz"
cp "$initrd" "$tmp/iso/boot/initrd.gz"
cat >"$tmp/iso/boot/grub/grub.cfg" <<EOF
set timeout=0
set default=0
serial --unit=0 --speed=115200
terminal_input serial console
terminal_output serial console
menuentry 'Linux on bare Bochs' {
	linux /boot/vmlinuz $cmdline
	initrd /boot/initrd.gz
	boot
}
EOF
if ! grub-mkrescue -d "$grubdir" -o "$tmp/linux.iso" \
	--install-modules="normal linux serial terminal echo test configfile iso9660 biosdisk part_msdos all_video" \
	--fonts= --locales= --themes= \
	"$tmp/iso" >"$tmp/mkrescue.log" 2>&1; then
	cat "$tmp/mkrescue.log" >&2
	die "grub-mkrescue failed"
fi
mv -f "$tmp/linux.iso" "$out/linux.iso"

# The MSRs Bochs lacks (see above). Columns: address, type, reset value (high,
# low), reserved-bit mask (high, low: writing a reserved bit raises #GP),
# ignored-bit mask (high, low).
msrs=$out/msrs.def
cat >"$msrs" <<EOF
0x1a0 0 00000000 00001801 00000000 00000000 00000000 00000000
0x179 0 00000000 00000000 ffffffff ffffffff 00000000 00000000
0x17a 0 00000000 00000000 00000000 00000000 00000000 00000000
EOF

log=$out/serial.log
rm -f "$out/figures.txt"
# CPU seconds (user + system) of this shell's finished children, from the
# output of `times` in file $1. (`times` must run in this shell itself, not in
# a command substitution's subshell.)
child_cpu()
{
	sed -n '2{s/m/ /g;s/s//g;p;}' "$1" | awk '{ printf "%.1f", $1 * 60 + $2 + $3 * 60 + $4 }'
}
times >"$tmp/times0"
start=$(date +%s)
rc=0
BOCHS_EXTRA="cpu: msrs=$msrs
${BOCHS_EXTRA:-}" sh "$top/scripts/run-bochs.sh" "$out/linux.iso" "$log" "$secs" "$cpus" || rc=$?
wall=$(($(date +%s) - start))
times >"$tmp/times1"
cpu=$(awk -v a="$(child_cpu "$tmp/times0")" -v b="$(child_cpu "$tmp/times1")" 'BEGIN { printf "%.0f", b - a }')

# printk time ("[   17.060000] MESSAGE") of the first MESSAGE matching $1, or
# "-". The init script's output can share a line with the kernel's.
printk_at()
{
	t=$(tr -d '\r' <"$log" | sed -n "s/.*\\[ *\\([0-9]*\\.[0-9]*\\)\\] $1.*/\\1/p" | head -n 1)
	echo "${t:--}"
}
t_init=$(printk_at 'Run \/init as init process')
t_off=$(printk_at 'reboot: Power down')
tsc=$(tr -d '\r' <"$log" | grep -m 1 -E 'tsc: (Refined TSC clocksource calibration|Detected)' |
	sed 's/^\[[^]]*\] *//' || true)
tsc_final=$(tr -d '\r' <"$log" | grep -E 'tsc: (Refined TSC clocksource calibration|Detected)' |
	tail -n 1 | sed 's/^\[[^]]*\] *//' || true)
# Bochs's log lines start with the tick (emulated instruction) count.
tick=$(grep -m 1 'ACPI control: soft power off' "$log.bochs" 2>/dev/null | sed -n 's/^0*\([0-9][0-9]*\)p.*/\1/p')
emul=-
[ -z "$tick" ] || emul=$(awk -v t="$tick" -v i="$ips" 'BEGIN { printf "%.2f", t / i }')
marker=$(tr -d '\r' <"$log" | grep -m 1 'TANDEM-GUEST-INIT:' || true)
# (Kernel messages can interleave with the result line: keep only its fields.)
result=$(tr -d '\r' <"$log" | sed -n 's/.*\(TANDEM-GUEST-RESULT: sum=[0-9]* sha=[0-9a-f]*\).*/\1/p' | head -n 1)
ok=1
case $result in
*sum=20000100000*) ;;
*) ok=0 ;;
esac
[ "$rc" -eq 0 ] && [ "$t_init" != - ] || ok=0

{
	echo "kernel:      $pkg, $cpus CPU(s), Bochs ${BOCHS_MODEL:-corei7_skylake_x} ips=$ips megs=${BOCHS_MEGS:-256}"
	echo "cmdline:     $cmdline"
	[ "$tsc_final" != "$tsc" ] || tsc_final=
	echo "guest TSC:   ${tsc:-?}${tsc_final:+ / $tsc_final}"
	echo "Run /init:   printk $t_init s"
	echo "power-off:   printk $t_off s"
	echo "emulated:    $emul s from power-on to ACPI power-off (Bochs tick ${tick:-?} / ips)"
	echo "Bochs wall:  $wall s, $cpu s CPU (run-bochs.sh status $rc)"
	echo "marker:      ${marker:-(none)}"
	echo "result:      ${result:-(none)}"
	echo "verdict:     $([ $ok = 1 ] && echo PASS || echo FAIL)"
} | tee "$out/figures.txt" | sed "s/^/$prog: /"
[ $ok = 1 ]
