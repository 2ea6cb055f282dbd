#!/bin/sh
# Boots an ISO in Bochs (CPU model corei7_skylake_x, with VMX), headless and
# without stdin, and captures COM1 into LOG.
#
#   run-bochs.sh ISO LOG [TIMEOUT_SECONDS [CPUS]]
#
# TIMEOUT_SECONDS defaults to 120 (wall clock), CPUS to 1.
# Environment:
#   BOCHS_MODEL  CPU model (corei7_skylake_x; corei7_haswell_4770 is the
#                second VMX configuration: no PML, no XSAVES)
#   BOCHS_IPS    emulated instructions per second (100000000): the guest's
#                TSC and timers advance by this per emulated second
#   BOCHS_MEGS   guest memory in MiB (256)
#   BOCHS_TIME0  RTC start time, seconds since 1970 (946684800, 2000-01-01):
#                fixed so that runs repeat
#   BOCHS_EXTRA  extra bochsrc lines, appended verbatim
#   BOCHS_COM1_PORT
#                serve COM1 on this TCP port of 127.0.0.1 instead of writing
#                it to LOG; whoever connects (scripts/console-bridge.py) owns
#                the console, input included
#   BOCHS_CONSOLE_SCRIPT
#                scripted console input (console-bridge.py -s format): COM1 is
#                served on a free port (or BOCHS_COM1_PORT), and a bridge
#                running the script copies the output into LOG as usual
#
# Besides LOG it writes LOG.bochs (Bochs's own log: panics, errors, triple
# faults), LOG.bochsrc, and LOG.tty: Bochs's terminal, where the port 0xE9
# debug console's output appears, interleaved with the curses screen and the
# debugger's lines (read it with `strings LOG.tty`).
#
# Exit status:
#   0    Bochs ended by itself: the guest wrote 0x8A00, 0x8AE0 to I/O port
#        0x8A00 (arch_test_exit), or powered off through ACPI
#   1    Bochs failed or panicked (triple fault, bad configuration): the tail of
#        LOG.bochs is printed
#   124  timeout: the guest neither ended nor crashed in time; the last 30
#        lines of LOG are printed
#   2    usage or missing packages
#
# How it stays headless: Debian's Bochs has no "nogui" display library and
# includes the internal debugger. `display_library: term` (curses) needs a
# pseudo-terminal, which script(1) provides; the debugger stops before the
# first instruction and takes its commands from the -rc file: `c` runs the
# machine, and when the guest returns control through port 0x8A00, `quit`
# ends Bochs. (Without that `quit` the debugger would wait at its prompt
# forever: script keeps the pty open even when its own stdin is at EOF.) A
# triple fault is a panic here (reset_on_triple_fault=0), and panics are
# fatal, so nothing ever prompts. Beware the default, reset_on_triple_fault=1:
# in this debugger build the reset stops at the debugger, which then runs
# `quit`, so a triple fault would look like a clean exit. Any machine reset
# after power-on is therefore reported as a failure too.
set -u

prog=run-bochs.sh
if [ $# -lt 2 ] || [ $# -gt 4 ]; then
	sed -n '2,/^set -u/{/^set -u/d;s/^# \{0,1\}//;p}' "$0" >&2
	exit 2
fi
iso=$1
log=$2
secs=${3:-120}
cpus=${4:-1}
model=${BOCHS_MODEL:-corei7_skylake_x}
ips=${BOCHS_IPS:-100000000}
megs=${BOCHS_MEGS:-256}
time0=${BOCHS_TIME0:-946684800}

for t in bochs script timeout; do
	command -v $t >/dev/null 2>&1 || {
		echo "$prog: '$t' not found: apt-get install bochs bochsbios vgabios bochs-term bsdutils coreutils" >&2
		exit 2
	}
done
[ -f "$iso" ] || {
	echo "$prog: ISO '$iso' not found" >&2
	exit 2
}
case "$secs$cpus" in
*[!0-9]*)
	echo "$prog: TIMEOUT_SECONDS and CPUS must be numbers" >&2
	exit 2
	;;
esac

bios=/usr/share/bochs/BIOS-bochs-latest
vgabios=/usr/share/vgabios/vgabios.bin
[ -f "$bios" ] || bios=${BXSHARE:-/usr/share/bochs}/BIOS-bochs-latest
[ -f "$vgabios" ] || vgabios=${BXSHARE:-/usr/share/bochs}/VGABIOS-lgpl-latest

mkdir -p "$(dirname "$log")"
abs()
{
	case $1 in
	/*) printf '%s' "$1" ;;
	*) printf '%s/%s' "$(pwd)" "$1" ;;
	esac
}
iso=$(abs "$iso")
log=$(abs "$log")
tmp=$(mktemp -d "${TMPDIR:-/tmp}/run-bochs.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
: >"$log"
rm -f "$log.bochs" "$log.tty" "$log.err"

# Bochs's config parser splits on commas and spaces; paths must not hold them.
case "$iso$log" in
*[,\ ]*)
	echo "$prog: paths must not contain spaces or commas" >&2
	exit 2
	;;
esac

# COM1: a file, or a socket that console-bridge.py connects to.
com1="mode=file, dev=$log"
bridge_pid=
port=${BOCHS_COM1_PORT:-}
if [ -n "${BOCHS_CONSOLE_SCRIPT:-}" ] && [ -z "$port" ]; then
	port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
fi
if [ -n "$port" ]; then
	com1="mode=socket-server, dev=127.0.0.1:$port"
fi
if [ -n "${BOCHS_CONSOLE_SCRIPT:-}" ]; then
	python3 "$(dirname "$0")/console-bridge.py" "$port" "$log" -s "$BOCHS_CONSOLE_SCRIPT" &
	bridge_pid=$!
fi

cat >"$log.bochsrc" <<EOF
# Written by scripts/run-bochs.sh
megs: $megs
romimage: file=$bios
vgaromimage: file=$vgabios
# ignore_bad_msrs=0: an MSR the model lacks raises #GP, as on hardware
# (Bochs's default is to log it and return 0).
cpu: model=$model, count=$cpus, ips=$ips, reset_on_triple_fault=0, ignore_bad_msrs=0
pci: enabled=1, chipset=i440fx
ata0: enabled=1, ioaddr1=0x1f0, ioaddr2=0x3f0, irq=14
ata0-slave: type=cdrom, path=$iso, status=inserted
boot: cdrom
floppy_bootsig_check: disabled=1
com1: enabled=1, $com1
port_e9_hack: enabled=1
display_library: term
mouse: enabled=0
clock: sync=none, time0=$time0
log: $log.bochs
debugger_log: -
panic: action=fatal
error: action=report
info: action=report
debug: action=ignore
${BOCHS_EXTRA:-}
EOF
printf 'c\nquit\n' >"$tmp/cmds"

# The curses display wants a terminal type it knows; CI often has none.
case ${TERM:-dumb} in
dumb | unknown) TERM=vt100 ;;
esac
export TERM

# script(1) gives Bochs its pty and copies what Bochs shows on it to LOG.tty.
# timeout(1) runs inside the pty so its 124 reaches us through script -e; the
# outer timeout is a backstop should script itself wedge. On timeout Bochs
# gets SIGINT, which breaks into its debugger; that runs the next command,
# `quit`, which dumps the CPU state (where the guest was stuck) into LOG.bochs.
# Bochs ignores SIGTERM, so SIGKILL follows 5 s later if that fails.
inner="timeout -s INT -k 5 $secs bochs -q -f '$log.bochsrc' -rc '$tmp/cmds'"
start=$(date +%s)
timeout -k 5 $((secs + 30)) script -qefc "$inner" /dev/null </dev/null >"$log.tty" 2>&1
rc=$?
end=$(date +%s)
if [ -n "$bridge_pid" ]; then
	# Bochs closed the socket, which ends the bridge; do not wait forever.
	( sleep 10; kill $bridge_pid 2>/dev/null ) &
	wait $bridge_pid
	if [ -s "$log.err" ]; then
		echo "$prog: console script: $(cat "$log.err")" >&2
	fi
fi

# Debian's Bochs 2.7 now and then crashes (SIGSEGV, status 139) while it
# tears itself down after the debugger's clean `quit`: the machine had
# ended already, and the log's last line says so. Seen once in 30-odd runs.
if [ $rc -eq 139 ] && tail -n 1 "$log.bochs" 2>/dev/null | grep -q 'quit_sim called with exit code 0'; then
	echo "$prog: Bochs crashed in its own exit after a clean quit (status 139); the machine had ended" >&2
	rc=0
fi

# A panic (triple fault, config error) ends Bochs with status 1 after a
# ">>PANIC<<" line in its log. A guest's ACPI power-off is such a panic too,
# but a clean ending.
panics=$(grep -c '^[0-9]*p\[' "$log.bochs" 2>/dev/null)
if [ $rc -ne 124 ] && [ $rc -ne 137 ] && [ "${panics:-0}" -gt 0 ]; then
	if [ "$panics" -eq 1 ] && grep -q 'p\[ACPI *\] >>PANIC<< ACPI control: soft power off' "$log.bochs"; then
		rc=0
	else
		rc=1
	fi
fi
# A reset after power-on (tick 0): triple fault, or the guest resetting the
# machine (port 0xCF9, keyboard controller).
if [ $rc -eq 0 ] && grep -Eq '^0*[1-9][0-9]*i\[SYS *\] bx_pc_system_c::Reset' "$log.bochs"; then
	echo "$prog: the machine was reset (triple fault or guest reset)" >&2
	grep -E 'no resolution|Reset\(' "$log.bochs" | tail -n 3 | sed 's/^/  | /' >&2
	rc=1
fi
case $rc in
0)
	echo "$prog: Bochs ended after $((end - start))s"
	;;
124 | 137)
	rc=124
	echo "$prog: timeout after ${secs}s; last lines of $log:" >&2
	tail -n 30 "$log" | sed 's/^/  | /' >&2
	;;
*)
	echo "$prog: Bochs failed (status $rc) after $((end - start))s; $log.bochs says:" >&2
	grep -E '^[0-9]+[pe]\[' "$log.bochs" 2>/dev/null | tail -n 15 | sed 's/^/  | /' >&2
	[ -s "$log.bochs" ] || strings "$log.tty" | tail -n 15 | sed 's/^/  | /' >&2
	echo "$prog: last lines of $log:" >&2
	tail -n 30 "$log" | sed 's/^/  | /' >&2
	rc=1
	;;
esac
exit $rc
