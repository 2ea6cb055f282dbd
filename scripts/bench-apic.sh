#!/bin/sh
# `make bench-apic`: exits per second by reason of an idle and a busy
# 2-vCPU Debian guest, with APIC virtualization (apicv=1: virtual-interrupt
# delivery, x2APIC virtualization) and without (apicv=0: every LAPIC access
# and interrupt emulated). Bochs, 2 CPUs; rates are per emulated second.
# The guest's /init (tandem.mode=bench) idles 10 s, then keeps every vCPU
# busy 10 s, ending each period with a "TANDEM-MARK N" console line,
# Tandem's statistics mark.
set -eu
B=build
out=$(sh scripts/linux-guest.sh)
K=$(echo "$out" | sed -n 's/^KERNEL=//p')
I=$(echo "$out" | sed -n 's/^INITRD=//p')
mkdir -p $B/bench
for a in 1 0; do
	sh scripts/mkiso.sh -c "exit_after_guests=1 apicv=$a" \
		-m "$K guest=bench kernel vcpus=2 mem=128M pcpus=0-1 -- console=ttyS0 quiet panic=-1 tandem.mode=bench" \
		-m "$I guest=bench initrd" $B/bench/apic$a.iso $B/tandem.elf >/dev/null
	BOCHS_MEGS=320 sh scripts/run-bochs.sh $B/bench/apic$a.iso $B/bench/apic$a.log 900 2 >/dev/null ||
		{ echo "bench-apic: the apicv=$a run failed; see $B/bench/apic$a.log" >&2; exit 1; }
done
# "tandem: bench: vCPU 1: mark 2: 1234 exits in 10012 ms since the last mark (123/s)"
# "tandem: bench:   mark 2: external-interrupt  1000 exits  99/s"
for a in 1 0; do
	for m in 2:idle 3:busy; do
		echo "apicv=$a ${m#*:} (mark ${m%:*}):"
		awk -v m="${m%:*}" '
			$3 == "vCPU" && $5 == "mark" && $6 == m ":" { sub(":", "", $4); printf "  vCPU %s: %s exits/s in %s ms\n", $4, substr($12, 2, length($12) - 3), $9 }
			$3 == "mark" && $4 == m ":" { r[$5] += $8 + 0 }
			END { for (k in r) printf "    %-22s %8d/s (both vCPUs)\n", k, r[k] }' $B/bench/apic$a.log
	done
done
