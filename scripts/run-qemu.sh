#!/bin/sh
# Boots a Tandem image under QEMU's software emulation and waits for it to end
# through isa-debug-exit. Never hangs: the run is killed after TIMEOUT seconds.
#
# usage: run-qemu.sh LOG TIMEOUT SMP (-kernel ELF [-append CMDLINE] | -cdrom ISO) [qemu args...]
# exit:  0 the image reported success (debug-exit value 0x10 -> status 33)
#        1 it reported failure, or QEMU ended otherwise
#        124 timeout (the log tail is printed)
set -u
log=$1 timeout_s=$2 smp=$3
shift 3
mkdir -p "$(dirname "$log")"
: > "$log"
timeout --foreground -k 5 "$timeout_s" qemu-system-x86_64 \
	-machine q35 -smp "$smp" -m 1G -cpu max \
	-display none -monitor none -no-reboot \
	-serial "file:$log" \
	-device isa-debug-exit,iobase=0xf4,iosize=0x04 \
	"$@" </dev/null >"$log.qemu" 2>&1
rc=$?
case $rc in
33) exit 0 ;;
124 | 137)
	echo "run-qemu: timed out after ${timeout_s}s; last lines of $log:"
	tail -n 30 "$log" | sed 's/^/  | /'
	exit 124 ;;
*)
	echo "run-qemu: QEMU exited with status $rc; last lines of $log:"
	tail -n 30 "$log" | sed 's/^/  | /'
	cat "$log.qemu" | sed 's/^/  qemu: /'
	exit 1 ;;
esac
