#!/bin/sh
# `make run`: boots Tandem with its serial console on this terminal.
#   - QEMU with KVM when /dev/kvm is usable and the host CPU has VT-x
#     (nested virtualization on a workstation): the full hypervisor;
#   - otherwise Bochs, whose CPU model emulates VMX (slow but faithful).
# RUN=qemu forces QEMU's software emulation (no VMX: boots and reports the
# machine only). TANDEM_CMDLINE passes Tandem's boot options; CPUS sets the
# processor count.
set -u
B=build
cmdline=${TANDEM_CMDLINE:-}
how=${RUN:-auto}

if [ "$how" = auto ]; then
	if [ -r /dev/kvm ] && [ -w /dev/kvm ] && grep -qw vmx /proc/cpuinfo; then
		how=kvm
	else
		how=bochs
	fi
fi

case $how in
kvm | qemu)
	accel="-enable-kvm -cpu host"
	[ "$how" = qemu ] && accel="-cpu max"
	echo "run: QEMU ($how), ${CPUS:-4} CPUs; quit with Ctrl-A x"
	# shellcheck disable=SC2086
	exec qemu-system-x86_64 $accel -machine q35 -smp "${CPUS:-4}" -m 2G \
		-display none -serial mon:stdio -no-reboot \
		-kernel $B/tandem.elf -append "$cmdline"
	;;
bochs)
	echo "run: no usable VT-x here (no /dev/kvm with vmx): booting in Bochs, ${CPUS:-2} CPUs; stop with Ctrl-C"
	sh scripts/mkiso.sh -c "$cmdline" $B/tandem.iso $B/tandem.elf >/dev/null || exit 1
	log=$B/run/serial.log
	mkdir -p $B/run
	: > "$log"
	sh scripts/run-bochs.sh $B/tandem.iso "$log" "${RUN_SECONDS:-86400}" "${CPUS:-2}" &
	pid=$!
	trap 'kill -INT $pid 2>/dev/null; wait $pid; exit 0' INT TERM
	tail -n +1 -f --pid=$pid "$log"
	wait $pid
	;;
*)
	echo "run: RUN=$how is not one of kvm, qemu, bochs" >&2
	exit 2
	;;
esac
