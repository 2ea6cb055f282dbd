#!/bin/sh
# `make run`: boots Tandem with a Debian Linux guest and puts this terminal
# on the guest's busybox shell (the guest console, through Tandem's console
# multiplexer: Ctrl-T ? lists the guests).
#   - QEMU with KVM when /dev/kvm is usable and the host CPU has VT-x
#     (nested virtualization on a workstation): the full hypervisor;
#   - otherwise Bochs, whose CPU model emulates VMX (slow but faithful: the
#     shell prompt comes after about a minute and a half).
# Environment:
#   RUN=qemu          QEMU's software emulation (no VMX: boots and reports the
#                     machine only)
#   RUN_GUEST=none    no guest: Tandem alone
#   TANDEM_CMDLINE    Tandem's boot options
#   CPUS              processor count (Bochs 2, QEMU 4)
#   GUEST_MEM         the guest's memory (128M)
set -u
B=build
cmdline=${TANDEM_CMDLINE:-}
how=${RUN:-auto}
mem=${GUEST_MEM:-128M}
linux_cl="console=ttyS0 quiet panic=-1 tandem.mode=shell"

if [ "$how" = auto ]; then
	if [ -r /dev/kvm ] && [ -w /dev/kvm ] && grep -qw vmx /proc/cpuinfo; then
		how=kvm
	else
		how=bochs
	fi
fi

K= I=
if [ "${RUN_GUEST:-linux}" != none ]; then
	out=$(sh scripts/linux-guest.sh) || exit 1
	K=$(echo "$out" | sed -n 's/^KERNEL=//p')
	I=$(echo "$out" | sed -n 's/^INITRD=//p')
fi

case $how in
kvm | qemu)
	accel="-enable-kvm -cpu host"
	[ "$how" = qemu ] && accel="-cpu max"
	mods=
	[ -n "$K" ] && mods="$K guest=linux kernel vcpus=1 mem=$mem -- $linux_cl,$I guest=linux initrd"
	echo "run: QEMU ($how), ${CPUS:-4} CPUs; quit with Ctrl-A x"
	# shellcheck disable=SC2086
	exec qemu-system-x86_64 $accel -machine q35 -smp "${CPUS:-4}" -m 2G \
		-display none -serial mon:stdio -no-reboot \
		-kernel $B/tandem.elf -append "$cmdline" ${mods:+-initrd "$mods"}
	;;
bochs)
	echo "run: no usable VT-x here (no /dev/kvm with vmx): booting in Bochs, ${CPUS:-2} CPUs"
	if [ -n "$K" ]; then
		sh scripts/mkiso.sh -c "$cmdline" -m "$K guest=linux kernel vcpus=1 mem=$mem -- $linux_cl" \
			-m "$I guest=linux initrd" $B/tandem.iso $B/tandem.elf >/dev/null || exit 1
	else
		sh scripts/mkiso.sh -c "$cmdline" $B/tandem.iso $B/tandem.elf >/dev/null || exit 1
	fi
	log=$B/run/serial.log
	mkdir -p $B/run
	: >"$log"
	port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	BOCHS_MEGS=${BOCHS_MEGS:-384} BOCHS_COM1_PORT=$port \
		sh scripts/run-bochs.sh $B/tandem.iso $B/run/bochs.log "${RUN_SECONDS:-86400}" "${CPUS:-2}" \
		>$B/run/bochs-run.log 2>&1 &
	pid=$!
	echo "run: the serial console follows (also in $log); Ctrl-] ends the session"
	python3 scripts/console-bridge.py "$port" "$log" -i
	# SIGINT breaks into Bochs's debugger, whose next command is `quit`.
	pkill -INT -f "$B/run/bochs.log.bochsrc" 2>/dev/null
	wait $pid
	cat $B/run/bochs-run.log
	;;
*)
	echo "run: RUN=$how is not one of kvm, qemu, bochs" >&2
	exit 2
	;;
esac
