/*
 * boot_main: the BSP's path from long mode to a running hypervisor.
 *
 * Stage 1 runs on the static boot stack and the boot page tables: parse the
 * loader's and the firmware's tables (they may sit anywhere in the low
 * 4 GiB, page 0 included), build the frame allocator and the final page
 * tables, then move to a guarded per-CPU stack. Stage 2 brings up the
 * interrupt and timer hardware and the other CPUs.
 */
#include <arch.h>
#include <bootinfo.h>
#include <cmdline.h>
#include <errcode.h>
#include <frame.h>
#include <kalloc.h>
#include <linux_guest.h>
#include <log.h>
#include <string.h>
#include <testcase.h>
#include <boot/boot.h>
#include <boot/modules.h>
#include <x86/acpi.h>
#include <x86/cpu.h>
#include <x86/desc.h>
#include <x86/ioapic.h>
#include <x86/irq.h>
#include <x86/lapic.h>
#include <x86/paging.h>
#include <x86/percpu.h>
#include <x86/serial.h>
#include <x86/stacks.h>
#include <x86/timer.h>
#include <x86/tsc.h>
#include <x86/vmx.h>
#include <x86/vmx_caps.h>
#include <x86/vmcs_setup.h>
#include <smp.h>

void boot_main(uint32_t magic, uint32_t info);

extern char __image_start[], __image_end[];

static struct boot_info bootinfo;
static struct acpi_info acpi;
static struct mem_region memmap[BOOTINFO_MAX_MMAP];
static unsigned int cpus_listed;

static bool opt_acpi = true;
BOOT_OPTION_BOOL("acpi", opt_acpi,
                 "use the firmware's ACPI tables (0: assume one CPU and default APIC addresses)");

/* Until the final page tables exist, and for firmware tables, the low 4 GiB are identity-mapped. */
static const void *boot_window(const struct phys_view *v, uint64_t pa, uint64_t len)
{
	return pa + len <= (4ull << 30) ? (const void *)pa : NULL;
}
static const struct phys_view identity_view = {boot_window, NULL};

static void *frame_to_virt(void *ctx, uint64_t pa)
{
	return (void *)pa;
}

/* IST stacks for the BSP until its guarded ones are mapped. */
static uint8_t early_ist[IST_COUNT][4096] __aligned(16);
extern char boot_stack_top[];

unsigned int boot_cpus_listed(void)
{
	return cpus_listed;
}

static void early_cpu_setup(void)
{
	percpu_install(0, 0);
	for (int i = 0; i < IST_COUNT; i++)
		percpu[0].ist_top[i] = (uint64_t)early_ist[i] + sizeof(early_ist[i]);
	percpu[0].stack_top = (uint64_t)boot_stack_top;
	idt_init();
	desc_init_cpu();
}

static void setup_memory(void)
{
	struct phys_range reserved[BOOTINFO_MAX_MODULES + 2];
	unsigned int nres = 0;
	struct frame_ops ops = {frame_to_virt, NULL};
	int err;

	for (unsigned int i = 0; i < bootinfo.mmap_count; i++)
		memmap[i] = (struct mem_region){bootinfo.mmap[i].base, bootinfo.mmap[i].len,
		                                bootinfo.mmap[i].type};
	/* Real-mode IVT, BIOS data, EBDA, the AP trampoline and option ROMs live below 1 MiB. */
	reserved[nres++] = (struct phys_range){0, 1ull << 20};
	reserved[nres++] = (struct phys_range){(uint64_t)__image_start, (uint64_t)__image_end};
	for (unsigned int i = 0; i < bootinfo.module_count; i++)
		reserved[nres++] =
		    (struct phys_range){bootinfo.modules[i].start, bootinfo.modules[i].end};
	err = frame_init(&frames, memmap, bootinfo.mmap_count, reserved, nres, &ops);
	if (err)
		panic("no usable memory in the Multiboot memory map (%s)", err_str(err));
	err = paging_init(memmap, bootinfo.mmap_count);
	if (err)
		panic("cannot build page tables: %s", err_str(err));
}

static void *kalloc_pages(void *ctx, size_t n)
{
	return (void *)frame_alloc_contig(&frames, n, 1, 0);
}

static void kalloc_pages_free(void *ctx, void *p, size_t n)
{
	frame_free(&frames, (uint64_t)p, n);
}

static void vmx_on_cpu(void *arg)
{
	if (vmx_cpu_on() == 0)
		__atomic_fetch_add((unsigned int *)arg, 1, __ATOMIC_SEQ_CST);
}

/* VMX root operation on every CPU, when the CPU offers what Tandem needs. */
static void vmx_bring_up(void)
{
	unsigned int on = 0;

	if (vmx_init_bsp() != 0)
		return;
	if (vmcs_policy_init() != 0) {
		log_err("vmx: no memory for the MSR and I/O bitmaps");
		return;
	}
	smp_call_all(vmx_on_cpu, &on);
	log_info("vmx: VMX root operation on %u of %u cpus", on, arch_cpu_count());
}

static void __noreturn boot_stage2(void)
{
	static const struct kalloc_ops kops = {kalloc_pages, kalloc_pages_free, NULL};
	struct tsc_refs refs = {acpi.hpet.base, acpi.fadt.pm_tmr_port, acpi.fadt.pm_tmr_32bit};
	uint32_t ids[ACPI_MAX_CPUS];
	unsigned int n = 0;

	kalloc_init(&kops);
	boot_modules_init(&bootinfo);
	lapic_init_bsp();
	percpu[0].apic_id = lapic_id();
	if (acpi.assumed)
		acpi.cpus[0].apic_id = lapic_id();
	ipi_init();
	ioapic_init(&acpi);
	tsc_calibrate(&refs);
	timer_init_bsp();
	percpu_mark_online();
	irq_enable();

	vmx_caps_report();

	for (unsigned int i = 0; i < acpi.ncpus; i++)
		if (acpi.cpus[i].enabled)
			ids[n++] = acpi.cpus[i].apic_id;
	cpus_listed = n ? n : 1;
	log_info("%u cpus online", smp_boot(ids, n));
	vmx_bring_up();
	frame_print(&frames);

	if (testcases_linked())
		tests_run_all();
	else if (linux_guests_start())
		linux_guests_run();
	cpu_idle();
}

void boot_main(uint32_t magic, uint32_t info)
{
	struct cpu_stacks st;

	serial_init();
	early_cpu_setup();
	log_info("Tandem research hypervisor, booting");
	if (bootinfo_parse(magic, info, &identity_view, &bootinfo) < 0)
		panic(
		    "no usable Multiboot information (magic %#x, info at %#x): cannot find memory; halting",
		    magic, info);
	bootinfo_print(&bootinfo);
	cmdline_apply_boot(bootinfo.cmdline);

	/* Without a usable MADT, run on the boot CPU alone (the parser said so). */
	if (!opt_acpi) {
		log_info("ACPI: ignored (acpi=0); assuming a single CPU, xAPIC at 0xfee00000");
		acpi_fallback(&acpi);
	} else if (acpi_parse(&identity_view, bootinfo.has_rsdp ? bootinfo.rsdp : NULL,
	                      bootinfo.rsdp_len, &acpi) < 0 ||
	           !acpi.found.madt)
		acpi_fallback(&acpi);
	acpi_print(&acpi);

	setup_memory();
	if (stacks_alloc(0, &st))
		panic("no memory for the boot CPU's stacks");
	percpu[0].stack_top = st.kstack_top;
	for (int i = 0; i < IST_COUNT; i++)
		desc_set_ist(i, st.ist_top[i]);
	stack_switch_call(st.kstack_top, boot_stage2);
}
