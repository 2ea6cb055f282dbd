/* Host local APIC driver (SDM Vol. 3A chapter 10). */
#include <arch.h>
#include <cmdline.h>
#include <log.h>
#include <x86/cpu.h>
#include <x86/cpuid.h>
#include <x86/io.h>
#include <x86/lapic.h>
#include <x86/msr.h>

#define ICR_WAIT_MAX 1000000 /* polls of the xAPIC delivery-status bit before giving up */

static bool x2apic;
static volatile uint32_t *mmio = (volatile uint32_t *)APIC_DEFAULT_BASE;

static bool opt_x2apic = true;
BOOT_OPTION_BOOL("x2apic", opt_x2apic, "use x2APIC mode when the CPU has it (0: force xAPIC)");

bool lapic_x2apic_mode(void)
{
	return x2apic;
}

uint32_t lapic_read(unsigned int reg)
{
	if (x2apic)
		return (uint32_t)rdmsr(apic_msr(reg));
	return mmio[apic_mmio_offset(reg) / 4];
}

void lapic_write(unsigned int reg, uint32_t v)
{
	if (x2apic)
		wrmsr(apic_msr(reg), v);
	else
		mmio[apic_mmio_offset(reg) / 4] = v;
}

uint32_t lapic_id(void)
{
	uint32_t id = lapic_read(APIC_ID);

	return x2apic ? id : id >> 24;
}

void lapic_eoi(void)
{
	lapic_write(APIC_EOI, 0);
}

/* The 8259 PICs stay masked: every interrupt Tandem takes comes through the APIC. */
static void pic_mask_all(void)
{
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
}

static void lapic_enable(void)
{
	uint64_t base = rdmsr(MSR_IA32_APIC_BASE);

	base |= APIC_BASE_ENABLE;
	if (x2apic)
		base |= APIC_BASE_EXTD;
	wrmsr(MSR_IA32_APIC_BASE, base);

	lapic_write(APIC_TPR, 0);
	lapic_write(APIC_LVT_TIMER, APIC_LVT_MASKED);
	lapic_write(APIC_LVT_LINT0, APIC_LVT_MASKED);
	/* NMIs on LINT1 stay deliverable, as firmware wires them. */
	lapic_write(APIC_LVT_LINT1, APIC_LVT_DM_NMI);
	lapic_write(APIC_LVT_ERROR, APIC_LVT_MASKED);
	lapic_write(APIC_SVR, APIC_SVR_ENABLE | 0xff);
	lapic_write(APIC_ESR, 0);
	lapic_eoi();
}

void lapic_init_bsp(void)
{
	uint64_t base = rdmsr(MSR_IA32_APIC_BASE);

	mmio = (volatile uint32_t *)(base & APIC_BASE_ADDR);
	if (!cpu_has(FEAT_X2APIC))
		log_info("lapic: no x2APIC on this CPU (CPUID.1:ECX[21]=0): using xAPIC at %#lx",
		         base & APIC_BASE_ADDR);
	else if (!opt_x2apic)
		log_info("lapic: x2APIC disabled by x2apic=0: using xAPIC");
	x2apic = cpu_has(FEAT_X2APIC) && opt_x2apic;
	pic_mask_all();
	lapic_enable();
	log_info("lapic: %s mode, BSP APIC ID %u, version %#x", x2apic ? "x2APIC" : "xAPIC",
	         lapic_id(), lapic_read(APIC_VERSION) & 0xff);
}

void lapic_init_ap(void)
{
	lapic_enable();
}

void lapic_send_ipi(uint32_t apic_id, uint32_t icr_low)
{
	unsigned long f = arch_irq_save();

	if (x2apic) {
		wrmsr(apic_msr(APIC_ICR), ((uint64_t)apic_id << 32) | icr_low);
	} else {
		lapic_write(APIC_ICR2, apic_id << 24);
		lapic_write(APIC_ICR, icr_low);
		for (int i = 0; i < ICR_WAIT_MAX && (lapic_read(APIC_ICR) & APIC_ICR_BUSY); i++)
			cpu_relax();
	}
	arch_irq_restore(f);
}

void lapic_stop_others(void)
{
	lapic_send_ipi(0, APIC_ICR_DM_NMI | APIC_ICR_ASSERT | APIC_ICR_DEST_OTHERS);
}

void lapic_timer_oneshot(uint32_t vector, uint32_t ticks)
{
	lapic_write(APIC_TIMER_DCR, APIC_TDCR_DIV16);
	lapic_write(APIC_LVT_TIMER,
	            vector | APIC_LVT_TIMER_ONESHOT | (ticks ? 0 : APIC_LVT_MASKED));
	lapic_write(APIC_TIMER_ICR, ticks);
}

void lapic_timer_deadline(uint32_t vector, uint64_t tsc)
{
	lapic_write(APIC_LVT_TIMER, vector | APIC_LVT_TIMER_TSC_DEADLINE);
	/* SDM Vol. 3A 10.5.4.1: order the LVT write before the deadline MSR write. */
	__asm__ __volatile__("mfence" ::: "memory");
	wrmsr(MSR_IA32_TSC_DEADLINE, tsc);
}
