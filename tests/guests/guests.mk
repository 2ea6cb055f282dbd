# Test guests (tests/guests/README.md), included by the top Makefile.
# Each guest NAME becomes build/guests/NAME.elf, the flat image NAME.bin
# (at most GUEST_IMAGE_MAX bytes), and NAME.img.o, which embeds the image in
# the test build as guest_NAME_image[] .. guest_NAME_image_end[]
# (tests/guests/images.h). A new guest needs a line here and in images.h.

GUEST_64 := cpuid msr pio mmio hlt_timer triple_fault badinsn bench irqwin apic apic_smp kvm_pv
GUEST_32 := prot32
GUEST_16 := realmode
GUESTS   := $(GUEST_64) $(GUEST_32) $(GUEST_16)

GD := tests/guests
GB := $(B)/guests

# GUEST_LOAD_GPA and GUEST_IMAGE_MAX, from the header the host also uses.
GUEST_LAYOUT := $(shell printf '%s\n' GUEST_LOAD_GPA GUEST_IMAGE_MAX | \
		  $(CC) -E -P -include $(GD)/layout.h - 2>/dev/null)
GUEST_LOAD_GPA  := $(word 1,$(GUEST_LAYOUT))
GUEST_IMAGE_MAX := $(wordlist 2,99,$(GUEST_LAYOUT))

GUEST_CFLAGS := -std=gnu11 -O2 -g -ffreestanding -nostdinc \
		-isystem $(shell $(CC) -print-file-name=include) \
		-Iinclude -I$(GD) -I$(GD)/lib \
		-fno-pic -fno-pie -mno-red-zone -mgeneral-regs-only \
		-fno-stack-protector -fno-asynchronous-unwind-tables \
		-fno-strict-aliasing -fcf-protection=none \
		$(WARN) -MMD -MP
GUEST_ASFLAGS := -D__ASSEMBLER__ -I$(GD) -I$(GD)/lib -MMD -MP -g
GUEST_LDFLAGS := -nostdlib -static -z noexecstack -T $(GD)/guest.ld \
		 $(shell $(LD) --help 2>/dev/null | grep -q no-warn-rwx && echo --no-warn-rwx-segments)

# The guest library, built once per mode; lib/format.c and lib/string.c are
# the hypervisor's own (freestanding and pure).
GLIB64_SRC := $(addprefix $(GD)/lib/,ucall.c print.c idt.c isr64.S try.c try64.S paging.c) \
	      lib/format.c lib/string.c lib/strcopy.c
GLIB32_SRC := $(GD)/lib/ucall.c lib/string.c lib/strcopy.c
GLIB64 := $(GLIB64_SRC:%=$(GB)/obj64/%.o)
# LAPIC accessors and AP start-up (a 4 KiB real-mode page): only for the guests that use them.
GUEST_APIC := apic apic_smp
GLIB64_APIC := $(addprefix $(GB)/obj64/$(GD)/lib/,apic.c.o guest_smp.c.o ap_boot.S.o)
GLIB32 := $(GLIB32_SRC:%=$(GB)/obj32/%.o)

$(GB)/obj64/%.c.o: %.c
	@mkdir -p $(@D)
	$(CC) -m64 -mcmodel=small $(GUEST_CFLAGS) -c $< -o $@
$(GB)/obj64/%.S.o: %.S
	@mkdir -p $(@D)
	$(CC) -m64 $(GUEST_ASFLAGS) -c $< -o $@
$(GB)/obj32/%.c.o: %.c
	@mkdir -p $(@D)
	$(CC) -m32 -march=i686 $(GUEST_CFLAGS) -c $< -o $@
$(GB)/obj32/%.S.o: %.S
	@mkdir -p $(@D)
	$(CC) -m32 $(GUEST_ASFLAGS) -c $< -o $@

# Objects of each guest: start code, the guest's own source(s), library.
# realmode.S switches to long mode itself and then runs realmode.c.
# A guest made of more than one source lists the others in guest_NAME_MORE.
guest_apic_MORE := $(GB)/obj64/$(GD)/apic_err.c.o
$(foreach g,$(GUEST_64),$(eval guest_$(g)_OBJS := $(GB)/obj64/$(GD)/lib/start64.S.o \
	$(GB)/obj64/$(GD)/$(g).c.o $(guest_$(g)_MORE) $(GLIB64) \
	$(if $(filter $(g),$(GUEST_APIC)),$(GLIB64_APIC))))
$(foreach g,$(GUEST_32),$(eval guest_$(g)_OBJS := $(GB)/obj32/$(GD)/lib/start32.S.o \
	$(GB)/obj32/$(GD)/$(g).c.o $(GLIB32)))
$(foreach g,$(GUEST_16),$(eval guest_$(g)_OBJS := $(GB)/obj64/$(GD)/$(g).S.o \
	$(GB)/obj64/$(GD)/$(g).c.o $(GLIB64)))
guest_emul = $(if $(filter $(1),$(GUEST_32)),-m elf_i386,-m elf_x86_64)

GUEST_ELFS := $(GUESTS:%=$(GB)/%.elf)
GUEST_BINS := $(GUESTS:%=$(GB)/%.bin)
GUEST_IMGS := $(GUESTS:%=$(GB)/%.img.o)

define guest_link_rule
$(GB)/$(1).elf: $(guest_$(1)_OBJS) $(GD)/guest.ld $(GD)/guests.mk
	$$(LD) $(call guest_emul,$(1)) $$(GUEST_LDFLAGS) \
		--defsym=GUEST_LOAD_GPA=$$$$(($(GUEST_LOAD_GPA))) \
		--defsym=GUEST_MEM_LIMIT=$$$$(($(GUEST_LOAD_GPA) + $(GUEST_IMAGE_MAX))) \
		-o $$@ $(guest_$(1)_OBJS)
endef
$(foreach g,$(GUESTS),$(eval $(call guest_link_rule,$(g))))

$(GUEST_BINS): $(GB)/%.bin: $(GB)/%.elf
	$(OBJCOPY) -O binary $< $@
	@size=$$(wc -c < $@); max=$$(($(GUEST_IMAGE_MAX))); \
	if [ $$size -gt $$max ]; then \
		echo "guests: $@ is $$size bytes, more than GUEST_IMAGE_MAX ($$max)"; \
		rm -f $@; exit 1; \
	fi

# .incbin names the image by its path from the top directory, where make runs.
$(GUEST_IMGS): $(GB)/%.img.o: $(GB)/%.bin $(GD)/guests.mk
	printf '\t.section .rodata\n\t.balign 16\n\t.globl guest_%s_image, guest_%s_image_end\nguest_%s_image:\n\t.incbin "%s"\nguest_%s_image_end:\n\t.section .note.GNU-stack, "", @progbits\n' \
		$* $* $* $< $* > $(GB)/$*.img.S
	$(CC) -c $(GB)/$*.img.S -o $@

guests: $(GUEST_IMGS)
.PHONY: guests

GUEST_OBJS += $(GUEST_IMGS)

-include $(shell find $(GB) -name '*.d' 2>/dev/null)
