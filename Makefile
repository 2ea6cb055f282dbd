# Tandem build. `make` builds build/tandem.elf (and the test build);
# `make test` runs all three test tiers; `make run` boots Tandem.
# Sources are picked up by directory, so a new file needs no Makefile edit.

CROSS_COMPILE ?=
CC      := $(CROSS_COMPILE)gcc
LD      := $(CROSS_COMPILE)ld
OBJCOPY := $(CROSS_COMPILE)objcopy
HOSTCC  ?= gcc
B       := build

KDIRS := boot arch/x86 lib sched irq vio guest
KSRC  := $(foreach d,$(KDIRS),$(wildcard $(d)/*.c $(d)/*.S))
TSRC  := $(wildcard tests/target/*.c)
KOBJ  := $(KSRC:%=$(B)/obj/%.o)
TOBJ  := $(TSRC:%=$(B)/obj/%.o)

INCLUDES := -Iinclude -Iarch/x86/include
WARN     := -Wall -Wextra -Werror -Wstrict-prototypes -Wmissing-prototypes -Wshadow -Wno-unused-parameter
KCFLAGS  := -std=gnu11 -O2 -g $(WARN) -ffreestanding -nostdinc \
	    -isystem $(shell $(CC) -print-file-name=include) $(INCLUDES) \
	    -fno-pic -fno-pie -mno-red-zone -mgeneral-regs-only -mcmodel=small \
	    -fno-stack-protector -fno-omit-frame-pointer -fno-asynchronous-unwind-tables \
	    -fno-strict-aliasing -fcf-protection=none
DEPFLAGS := -MMD -MP
KASFLAGS := -D__ASSEMBLER__ $(INCLUDES) $(DEPFLAGS) -g
KLDFLAGS := -nostdlib -static -z max-page-size=4096 -z noexecstack -T linker.ld

HOSTCFLAGS := -std=gnu11 -O1 -g $(WARN) $(INCLUDES) -DHOST_TEST \
	      -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

.PHONY: all test unit check-headers format format-check run iso bench clean distclean deps
all: $(B)/tandem.elf $(B)/tandem-test.elf

$(B)/obj/%.c.o: %.c
	@mkdir -p $(@D)
	$(CC) $(KCFLAGS) $(DEPFLAGS) -c $< -o $@

$(B)/obj/%.S.o: %.S
	@mkdir -p $(@D)
	$(CC) $(KASFLAGS) -c $< -o $@

$(B)/tandem.elf: $(KOBJ) linker.ld scripts/check-image.sh
	$(LD) $(KLDFLAGS) -o $@ $(KOBJ)
	sh scripts/check-image.sh $@ || { rm -f $@; exit 1; }

# Test guests: tests/guests/guests.mk builds them and sets GUEST_OBJS, the
# objects that embed their images into the test build.
GUEST_OBJS :=
-include tests/guests/guests.mk

$(B)/tandem-test.elf: $(KOBJ) $(TOBJ) $(GUEST_OBJS) linker.ld scripts/check-image.sh
	$(LD) $(KLDFLAGS) -o $@ $(KOBJ) $(TOBJ) $(GUEST_OBJS)
	sh scripts/check-image.sh $@ || { rm -f $@; exit 1; }

# ---- host unit tests (tier 1) -------------------------------------------
# Each tests/unit/test_NAME.c is one binary; tests/unit/unit.mk names the
# pure sources it links (unit_NAME_SRCS).
include tests/unit/unit.mk
.SECONDEXPANSION:
UNIT_TESTS := $(patsubst tests/unit/%.c,$(B)/unit/%,$(wildcard tests/unit/test_*.c))

$(B)/unit/test_%: tests/unit/test_%.c tests/unit/unit.c tests/unit/unit.h $$(unit_$$*_SRCS) tests/unit/unit.mk
	@mkdir -p $(@D)
	@rm -f $@
	$(HOSTCC) $(HOSTCFLAGS) -Itests/unit -o $@ $< tests/unit/unit.c $(unit_$*_SRCS)

# A test that does not build is reported as failed; the others still run.
unit:
	@$(MAKE) -k --no-print-directory $(UNIT_TESTS) || true
	@sh scripts/run-unit.sh $(UNIT_TESTS)

# ---- style checks --------------------------------------------------------
HEADERS := $(shell find include arch/x86/include sched irq vio guest -name '*.h' 2>/dev/null)
check-headers:
	@sh scripts/check-headers.sh "$(CC)" "$(KCFLAGS)" $(HEADERS)

FORMAT_FILES = $(shell git ls-files '*.c' '*.h' 2>/dev/null)
format:
	clang-format -i $(FORMAT_FILES)
format-check:
	@sh scripts/check-format.sh $(FORMAT_FILES)

# ---- system-level targets -----------------------------------------------
deps:
	sh scripts/deps.sh

test: deps
	sh scripts/test.sh

run: all deps
	sh scripts/run.sh

iso: $(B)/tandem.iso
$(B)/tandem.iso: $(B)/tandem.elf scripts/mkiso.sh
	sh scripts/mkiso.sh $@ $(B)/tandem.elf

clean:
	rm -rf $(B)

-include $(KOBJ:.o=.d) $(TOBJ:.o=.d)

# ---- benchmarks -----------------------------------------------------------
# Exit round-trip costs in emulated TSC ticks, measured in Bochs (VMX).
bench-exits: all deps
	sh scripts/mkiso.sh -c "test_only=vmx_bench" $(B)/bench-exits.iso $(B)/tandem-test.elf >/dev/null
	sh scripts/run-bochs.sh $(B)/bench-exits.iso $(B)/bench-exits.log 600 1
	@grep '^bench-exits:' $(B)/bench-exits.log
.PHONY: bench-exits

# ---- scheduler simulator ---------------------------------------------------
# tools/schedsim drives the credit scheduler (sched/, the code the hypervisor
# links) with a simulated clock. `make bench-sched` prints the fairness and
# wake-latency tables of the standard scenarios and the cost of one
# scheduling decision in host cycles; docs/sched.md explains them.
SCHEDSIM_SRC := $(wildcard tools/schedsim/*.c) $(wildcard sched/*.c) lib/format.c
SCHEDSIM_HDR := $(wildcard tools/schedsim/*.h sched/*.h) include/sched.h include/sched_trace.h

$(B)/schedsim/schedsim: $(SCHEDSIM_SRC) $(SCHEDSIM_HDR)
	@mkdir -p $(@D)
	$(HOSTCC) -std=gnu11 -O2 -g $(WARN) $(INCLUDES) -DHOST_TEST -o $@ $(SCHEDSIM_SRC)

schedsim: $(B)/schedsim/schedsim
bench-sched: $(B)/schedsim/schedsim
	$(B)/schedsim/schedsim bench
.PHONY: schedsim bench-sched

# Exits per second, idle and busy 2-vCPU Linux guest, with and without APIC virtualization.
bench-apic: all deps
	sh scripts/bench-apic.sh
.PHONY: bench-apic

# The Linux test guest on bare Bochs (no Tandem), for boot-time comparisons
# with the same kernel as a Tandem guest (115200 baud: Bochs's UART is timed).
bench-linux-baseline: deps
	BASELINE_CONSOLE=ttyS0,115200 sh scripts/linux-baseline.sh
.PHONY: bench-linux-baseline
