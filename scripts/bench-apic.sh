#!/bin/sh
# `make bench-apic`: exits per second by reason of an idle and a busy
# 2-vCPU Debian guest, with and without the APIC virtualization assists. Bochs, 2 CPUs; rates are per emulated second.
# The guest's /init (tandem.mode=bench) idles 10 s, then keeps every vCPU
# busy 10 s, ending each period with a "TANDEM-MARK N" console line,
# Tandem's statistics mark.
set -eu
B=build
out=$(sh scripts/linux-guest.sh)
K=$(echo "$out" | sed -n 's/^KERNEL=//p')
I=$(echo "$out" | sed -n 's/^INITRD=//p')
mkdir -p $B/bench
# Configurations: full emulation, virtual-interrupt delivery (the default),
# and that plus x2APIC virtualization (EOI/TPR/SELF_IPI without exits),
# which can hang a 2-vCPU guest in Bochs 2.7 (arch/x86/vcpu_apicv.c).
configs="emul:apicv=0 vid:apicv=1 x2virt:apicv=1,apicv_x2apic=1"
for c in $configs; do
	a=${c%%:*}
	opts=$(echo "${c#*:}" | tr , ' ')
	sh scripts/mkiso.sh -c "exit_after_guests=1 $opts" \
		-m "$K guest=bench kernel vcpus=2 mem=128M pcpus=0-1 -- console=ttyS0 quiet panic=-1 tandem.mode=bench" \
		-m "$I guest=bench initrd" $B/bench/apic$a.iso $B/tandem.elf >/dev/null
	BOCHS_MEGS=320 sh scripts/run-bochs.sh $B/bench/apic$a.iso $B/bench/apic$a.log 600 2 >/dev/null ||
		echo "bench-apic: the $a run ($opts) failed or hung; see $B/bench/apic$a.log" >&2
done
# "tandem: bench: vCPU 1: mark 2: 1234 exits in 10012 ms since the last mark (123/s)"
# "tandem: bench:   mark 2: external-interrupt  1000 exits  99/s"
for c in $configs; do
	a=${c%%:*}
	for m in 2:idle 3:busy; do
		echo "$a (${c#*:}), ${m#*:} (10 s, until mark ${m%:*}):"
		awk -v m="${m%:*}" '
			$3 == "vCPU" && $5 == "mark" && $6 == m ":" { printf "  vCPU %s %s exits in %s ms %s\n", $4, $7, $10, $16 }
			$3 == "mark" && $4 == m ":" { r[$5] += $8 + 0 }
			END { for (k in r) printf "    %-22s %8d/s (both vCPUs)\n", k, r[k] }' $B/bench/apic$a.log
	done
done
