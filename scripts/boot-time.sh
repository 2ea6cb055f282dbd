#!/bin/sh
# Wall time from QEMU's start to Tandem's "cpus online" line, under software
# emulation (the figure the Foundation issue asks for). usage: boot-time.sh [SMP] [RUNS]
set -eu
smp=${1:-4} runs=${2:-5}
for i in $(seq "$runs"); do
	start=$(date +%s%N)
	timeout 60 qemu-system-x86_64 -machine q35 -smp "$smp" -m 1G -cpu max -display none \
		-monitor none -no-reboot -serial stdio -kernel build/tandem.elf </dev/null 2>/dev/null |
		while IFS= read -r line; do
			case $line in
			*"cpus online"*)
				echo "run $i: $(( ($(date +%s%N) - start) / 1000000 )) ms to '$(echo "$line" | tr -d '\r')'"
				pkill -f "qemu-system-x86_64 -machine q35 -smp $smp -m 1G -cpu max" || true
				break ;;
			esac
		done
done
