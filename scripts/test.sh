#!/bin/sh
# `make test`: every tier, one summary line at the end.
#   1. host unit tests (ASan/UBSan), header self-containment, formatting
#   2. on-target tests in QEMU (q35, software emulation): -kernel with 4 CPUs,
#      3 CPUs, and GRUB multiboot / multiboot2 from an ISO
#   3. the same test build in Bochs (VMX-capable CPU model) from a GRUB ISO
# Each check appends "PASS name" or "FAIL name" to a file in build/results/;
# the summary counts them. The Bochs run goes in the background while QEMU
# runs, since the two share the machine's two cores.
set -u
B=build
R=$B/results
rm -rf "$R"
mkdir -p "$R"
MAKE=${MAKE:-make}
JOBS=${JOBS:-2}
QEMU_TIMEOUT=${QEMU_TIMEOUT:-120}
BOCHS_TIMEOUT=${BOCHS_TIMEOUT:-600}

pass() { echo "PASS $1" >> "$R/$2.txt"; }
fail() { echo "FAIL $1" >> "$R/$2.txt"; echo "test: FAIL $1"; }

# Parses a test build's serial log: each "TEST x: PASS|FAIL" line becomes a result.
collect() { # log tier
	sed -n "s/^TEST \([^:]*\): \(PASS\|FAIL\)\r\{0,1\}$/\2 $2:\1/p" "$1" >> "$R/$2.txt"
}

expect_line() { # log tier name regex
	if grep -q "$4" "$1"; then pass "$2:$3" "$2"; else fail "$2:$3" "$2"; fi
}

echo "== build"
if $MAKE -s -j"$JOBS" all >"$R/build.log" 2>&1; then
	pass build:tandem.elf build
else
	cat "$R/build.log"
	fail build:tandem.elf build
	echo "0 passed, 1 failed"
	exit 1
fi
ls -l $B/tandem.elf | awk '{print "test: image size", $5, "bytes"}'

# Tier 3 starts first: it is the slowest, and single-threaded.
echo "== bochs (background)"
(
	# vmcs_check=1: every VM entry is first checked in software against SDM 26.2/26.3.
	sh scripts/mkiso.sh -c "vmcs_check=1" $B/tandem-test.iso $B/tandem-test.elf >"$R/bochs-iso.log" 2>&1 &&
	sh scripts/run-bochs.sh $B/tandem-test.iso $R/bochs.log "$BOCHS_TIMEOUT" 2 >"$R/bochs-run.log" 2>&1
	echo $? > "$R/bochs.rc"
	# The APIC test guests again with APIC virtualization off: full vLAPIC emulation.
	sh scripts/mkiso.sh -c "vmcs_check=1 apicv=0 test_only=vmx_apic" $B/tandem-test-noapicv.iso $B/tandem-test.elf >"$R/bochs-noapicv-iso.log" 2>&1 &&
	sh scripts/run-bochs.sh $B/tandem-test-noapicv.iso $R/bochs-noapicv.log "$BOCHS_TIMEOUT" 2 >"$R/bochs-noapicv-run.log" 2>&1
	echo $? > "$R/bochs-noapicv.rc"
	# System test: two unmodified Debian cloud kernels at once, one per pCPU,
	# each booting its busybox initramfs to /init (tests/linux/init), which
	# runs a workload and powers off; Tandem then ends the machine.
	if sh scripts/linux-guest.sh >"$R/linux-fetch.log" 2>&1; then
		K=$(sed -n 's/^KERNEL=//p' "$R/linux-fetch.log")
		I=$(sed -n 's/^INITRD=//p' "$R/linux-fetch.log")
		# The overcommit test: two guests with 2 vCPUs each on the 2 pCPUs,
		# weights 2:1. tandem.mode=echo: each /init reads a line from its
		# console, typed by tests/linux/console.script through the console
		# multiplexer once both wait; tandem.share=8: then 8 s busy on both
		# vCPUs between statistics marks, for the shares and steal time
		# (scripts/check-sched-share.py); the scheduler trace of that window
		# is dumped at the end.
		cl="console=ttyS0 quiet panic=-1 tandem.mode=echo tandem.share=8"
		sh scripts/mkiso.sh -c "exit_after_guests=1 sched_trace=1024 sched_trace_marks=1" \
			-m "$K guest=lx0 kernel vcpus=2 mem=96M weight=512 -- $cl" -m "$I guest=lx0 initrd" \
			-m "$K guest=lx1 kernel vcpus=2 mem=96M weight=256 -- $cl" -m "$I guest=lx1 initrd" \
			$B/linux2.iso $B/tandem.elf >"$R/linux-iso.log" 2>&1 &&
			BOCHS_MEGS=320 BOCHS_CONSOLE_SCRIPT=tests/linux/console.script sh scripts/run-bochs.sh $B/linux2.iso $R/linux2.log "$BOCHS_TIMEOUT" 2 \
				>"$R/linux2-run.log" 2>&1
		echo $? > "$R/linux2.rc"
		# SMP: one guest with 2 vCPUs on the 2 pCPUs (APs started by INIT-SIPI-SIPI),
		# a workload on both, one reboot, then power-off.
		sh scripts/mkiso.sh -c "exit_after_guests=1" \
			-m "$K guest=smp kernel vcpus=2 mem=128M pcpus=0-1 -- console=ttyS0 quiet panic=-1 tandem.mode=reboot-once" \
			-m "$I guest=smp initrd" $B/linux-smp.iso $B/tandem.elf >"$R/linux-smp-iso.log" 2>&1 &&
			BOCHS_MEGS=320 sh scripts/run-bochs.sh $B/linux-smp.iso $R/linux-smp.log "$BOCHS_TIMEOUT" 2 \
				>"$R/linux-smp-run.log" 2>&1
		echo $? > "$R/linux-smp.rc"
	else
		echo 1 > "$R/linux2.rc"
		echo 1 > "$R/linux-smp.rc"
	fi
) &
bochs_pid=$!

echo "== host unit tests"
RESULTS=$R/unit.txt $MAKE -s unit || true
RESULTS=$R/headers.txt $MAKE -s check-headers >/dev/null || true
if $MAKE -s format-check; then pass style:clang-format style; else fail style:clang-format style; fi

qemu_case() { # name smp expected-cpus qemu-args...
	name=$1 smp=$2 want=$3
	shift 3
	log=$R/qemu-$name.log
	start=$(date +%s.%N)
	sh scripts/run-qemu.sh "$log" "$QEMU_TIMEOUT" "$smp" "$@"
	rc=$?
	end=$(date +%s.%N)
	echo "test: qemu-$name finished in $(awk "BEGIN{printf \"%.1f\", $end - $start}") s (status $rc)"
	collect "$log" "qemu-$name"
	expect_line "$log" "qemu-$name" "cpus-online" "^tandem: $want cpus online"
	if [ $rc -eq 0 ]; then pass "qemu-$name:exit-status" "qemu-$name"; else fail "qemu-$name:exit-status" "qemu-$name"; fi
}

echo "== on-target tests in QEMU"
qemu_case smp4 4 4 -kernel $B/tandem-test.elf
qemu_case smp3 3 3 -kernel $B/tandem-test.elf
# Bad input: unknown and malformed options, a malformed module command line,
# ACPI ignored (one CPU assumed) and the PIT as the calibration reference.
qemu_case badinput 2 1 -kernel $B/tandem-test.elf \
	-append "acpi=0 tsc_ref=pit nosuchopt=1 x2apic=maybe" \
	-initrd "$B/tandem.elf guest=a \"unterminated,$B/tandem.elf guest=b kernel vcpus=1 -- console=ttyS0"
L=$R/qemu-badinput.log
expect_line "$L" qemu-badinput unknown-option "unknown option 'nosuchopt=1' ignored"
expect_line "$L" qemu-badinput bad-value "option 'x2apic': invalid value 'maybe'"
expect_line "$L" qemu-badinput malformed-module "module 0 (.*): malformed command line"
expect_line "$L" qemu-badinput acpi-absent "ACPI: ignored (acpi=0); assuming a single CPU"
expect_line "$L" qemu-badinput pit-calibration "calibrated against the PIT"
# Deliberate faults: each must end in a diagnostic dump (and a failure
# verdict through isa-debug-exit), never a hang or a triple fault.
crash_case() { # name fault expected-regex
	log=$R/qemu-crash-$1.log
	sh scripts/run-qemu.sh "$log" "$QEMU_TIMEOUT" 2 -kernel $B/tandem-test.elf -append "test_crash=$2" >/dev/null
	rc=$?
	if [ $rc -eq 1 ] && grep -q "$3" "$log" && grep -q "^  backtrace:" "$log" && grep -q "^  rip " "$log"; then
		pass "qemu-crash:$1" qemu-crash
	else
		fail "qemu-crash:$1(rc=$rc)" qemu-crash
		tail -n 20 "$log" | sed 's/^/  | /'
	fi
}
crash_case ud ud "exception #UD invalid opcode (vector 6) error 0 on cpu 0"
crash_case ap-page-fault ap_pf "exception #PF page fault (vector 14) error 0 on cpu 1"
crash_case stack-overflow overflow "kernel stack overflow: .* guard page below cpu 0's stack"

if sh scripts/mkiso.sh $B/tandem-test-mb2.iso $B/tandem-test.elf >"$R/iso.log" 2>&1 &&
	sh scripts/mkiso.sh -1 -c "tsc_ref=pmtimer" $B/tandem-test-mb1.iso $B/tandem-test.elf >>"$R/iso.log" 2>&1; then
	qemu_case grub-mb2 2 2 -cdrom $B/tandem-test-mb2.iso
	expect_line "$R/qemu-grub-mb2.log" qemu-grub-mb2 protocol "boot: Multiboot 2 from 'GRUB"
	qemu_case grub-mb1 2 2 -cdrom $B/tandem-test-mb1.iso
	expect_line "$R/qemu-grub-mb1.log" qemu-grub-mb1 protocol "boot: Multiboot 1 from 'GRUB"
	expect_line "$R/qemu-grub-mb1.log" qemu-grub-mb1 pmtimer-calibration "calibrated against the ACPI PM timer"
else
	cat "$R/iso.log"
	fail iso:grub-mkrescue iso
fi

echo "== waiting for bochs"
wait $bochs_pid
rc=$(cat "$R/bochs.rc" 2>/dev/null || echo 1)
cat "$R/bochs-run.log"
collect "$R/bochs.log" bochs
expect_line "$R/bochs.log" bochs cpus-online "^tandem: 2 cpus online"
expect_line "$R/bochs.log" bochs vmx-caps-decoded "^tandem: vmx: "
# VMX cases skip where VMX is missing; in Bochs none may skip.
if grep -q '^TEST .*: SKIP' "$R/bochs.log"; then fail bochs:no-skipped-cases bochs; else pass bochs:no-skipped-cases bochs; fi
expect_line "$R/bochs.log" bochs vmx-root-all-cpus "^tandem: vmx: VMX root operation on 2 of 2 cpus"
expect_line "$R/bochs.log" bochs test-verdict "^tandem-test: [0-9]* passed, 0 failed"
if [ "$rc" = 0 ]; then pass bochs:ended-by-test bochs; else fail "bochs:ended-by-test(rc=$rc)" bochs; fi

echo "== bochs, apicv=0 (APIC test guests)"
rc=$(cat "$R/bochs-noapicv.rc" 2>/dev/null || echo 1)
cat "$R/bochs-noapicv-run.log"
collect "$R/bochs-noapicv.log" bochs-noapicv
expect_line "$R/bochs-noapicv.log" bochs-noapicv apic-cases-ran "^TEST vmx_apic_smp_init_sipi_ipi: PASS"
expect_line "$R/bochs-noapicv.log" bochs-noapicv test-verdict "^tandem-test: [0-9]* passed, 0 failed"
if [ "$rc" = 0 ]; then pass bochs-noapicv:ended-by-test bochs-noapicv; else fail "bochs-noapicv:ended-by-test(rc=$rc)" bochs-noapicv; fi

echo "== linux guests in bochs: 2 x 2 vCPUs on 2 pCPUs, weights 2:1"
L=$R/linux2.log
rc=$(cat "$R/linux2.rc" 2>/dev/null || echo 1)
if [ ! -s "$L" ]; then
	cat "$R/linux-fetch.log" "$R/linux-iso.log" 2>/dev/null | tail -n 20
	fail linux:guests-ran linux
else
	cat "$R/linux2-run.log"
	for g in lx0 lx1; do
		expect_line "$L" linux "$g-reached-init" "^$g| TANDEM-GUEST-INIT: 6\\.1.* on 2 cpu(s)"
		expect_line "$L" linux "$g-workload" "^$g| TANDEM-GUEST-RESULT: sum=20000100000 sha=f6351f5ead9a700e"
		expect_line "$L" linux "$g-poweroff" "^tandem: $g: guest ended: powered off"
		expect_line "$L" linux "$g-exit-stats" "^tandem: $g: vCPU 0: [0-9]* entries"
		expect_line "$L" linux "$g-console-input" "^$g| TANDEM-GUEST-GOT: ping-$g[[:cntrl:]]*$"
	done
	expect_line "$L" linux console-focus-switch "^console: input goes to lx1"
	expect_line "$L" linux steal-time-enabled "^lx0| TANDEM-GUEST-STEAL: [1-9]"
	expect_line "$L" linux trace-dumped "^sched-trace: [01] [0-9]* run [01]\\.[01]"
	if python3 scripts/check-sched-share.py "$L" >"$R/linux-share.out" 2>&1; then
		pass linux:shares-and-steal linux
	else
		fail linux:shares-and-steal linux
	fi
	sed 's/^/  /' "$R/linux-share.out"
	grep -h "^tandem: lx[01]: stopped after\|^lx[01]| TANDEM-GUEST-INIT" "$L" | sed 's/^/  /'
	if [ "$rc" = 0 ]; then pass linux:machine-ended linux; else fail "linux:machine-ended(rc=$rc)" linux; fi
fi

echo "== SMP linux guest in bochs"
L=$R/linux-smp.log
rc=$(cat "$R/linux-smp.rc" 2>/dev/null || echo 1)
if [ ! -s "$L" ]; then
	cat "$R/linux-smp-iso.log" 2>/dev/null | tail -n 20
	fail linux-smp:guest-ran linux-smp
else
	cat "$R/linux-smp-run.log"
	expect_line "$L" linux-smp on-scheduler "^tandem: smp: 2 vCPU(s) on pCPUs 0x3 (preferred 0), weight 256"
	expect_line "$L" linux-smp both-pcpus-schedule "^tandem: sched: pCPU 1 runs vCPUs"
	expect_line "$L" linux-smp ap-started "^tandem: smp: vCPU 1: STARTUP at 0x"
	expect_line "$L" linux-smp two-processors "^smp| TANDEM-GUEST-INIT: 6\\.1.* on 2 cpu(s), boot 1[[:cntrl:]]*$"
	expect_line "$L" linux-smp workload "^smp| TANDEM-GUEST-RESULT: sum=20000100000 sha=f6351f5ead9a700e"
	expect_line "$L" linux-smp cpu1-worked "^smp| TANDEM-GUEST-CPUTIME: cpu1 busy=[1-9]"
	expect_line "$L" linux-smp rebooted "^tandem: smp: rebooting (boot 2)"
	expect_line "$L" linux-smp second-boot "^smp| TANDEM-GUEST-INIT: 6\\.1.* on 2 cpu(s), boot 2[[:cntrl:]]*$"
	expect_line "$L" linux-smp poweroff "^tandem: smp: guest ended: powered off"
	expect_line "$L" linux-smp exit-stats-vcpu1 "^tandem: smp: vCPU 1: [0-9]* entries"
	grep -h "^tandem: smp: stopped after\|^smp| TANDEM-GUEST-\(INIT\|CPUTIME\)" "$L" | sed 's/^/  /'
	if [ "$rc" = 0 ]; then pass linux-smp:machine-ended linux-smp; else fail "linux-smp:machine-ended(rc=$rc)" linux-smp; fi
fi

echo "== summary"
for f in "$R"/*.txt; do
	t=$(basename "$f" .txt)
	echo "  $t: $(grep -c '^PASS' "$f") passed, $(grep -c '^FAIL' "$f") failed"
done
grep -h '^FAIL' "$R"/*.txt | sed 's/^/  /'
p=$(cat "$R"/*.txt | grep -c '^PASS')
f=$(cat "$R"/*.txt | grep -c '^FAIL')
echo "$p passed, $f failed"
[ "$f" -eq 0 ] && [ "$p" -gt 0 ]
