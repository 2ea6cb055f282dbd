/*
 * Exceptions taken by the hypervisor itself. An instruction registered in
 * the exception table resumes at its fixup; anything else is a bug in
 * Tandem: dump vector, error code, registers and a backtrace, then stop this
 * CPU (or end the run, in the test build).
 */
#include <arch.h>
#include <log.h>
#include <testcase.h>
#include <x86/cpu.h>
#include <x86/irq.h>
#include <x86/lapic.h>
#include <x86/msr.h>
#include <x86/paging.h>
#include <x86/percpu.h>
#include <x86/stacks.h>

extern const struct extable_entry __extable_start[], __extable_end[];

static const char *const exc_names[EXC_COUNT] = {
    [EXC_DE] = "#DE divide error",
    [EXC_DB] = "#DB debug",
    [EXC_NMI] = "NMI",
    [EXC_BP] = "#BP breakpoint",
    [EXC_OF] = "#OF overflow",
    [EXC_BR] = "#BR bound range",
    [EXC_UD] = "#UD invalid opcode",
    [EXC_NM] = "#NM device not available",
    [EXC_DF] = "#DF double fault",
    [EXC_TS] = "#TS invalid TSS",
    [EXC_NP] = "#NP segment not present",
    [EXC_SS] = "#SS stack fault",
    [EXC_GP] = "#GP general protection",
    [EXC_PF] = "#PF page fault",
    [EXC_MF] = "#MF x87 error",
    [EXC_AC] = "#AC alignment check",
    [EXC_MC] = "#MC machine check",
    [EXC_XM] = "#XM SIMD error",
    [EXC_VE] = "#VE virtualization",
    [EXC_CP] = "#CP control protection",
};

/* Set by arch_stop_others(); an NMI then parks the CPU that receives it. */
static volatile bool stop_requested;

static bool extable_fixup(struct irq_frame *f)
{
	for (const struct extable_entry *e = __extable_start; e < __extable_end; e++) {
		if (e->insn == f->rip) {
			f->rip = e->fixup;
			return true;
		}
	}
	return false;
}

static void dump_frame(const struct irq_frame *f)
{
	kprintf("  rip %016lx  cs %04lx  rflags %016lx\n", f->rip, f->cs, f->rflags);
	kprintf("  rsp %016lx  ss %04lx  cr2 %016lx  cr3 %016lx\n", f->rsp, f->ss, read_cr2(),
	        read_cr3());
	kprintf("  rax %016lx  rbx %016lx  rcx %016lx  rdx %016lx\n", f->rax, f->rbx, f->rcx,
	        f->rdx);
	kprintf("  rsi %016lx  rdi %016lx  rbp %016lx  r8  %016lx\n", f->rsi, f->rdi, f->rbp,
	        f->r8);
	kprintf("  r9  %016lx  r10 %016lx  r11 %016lx  r12 %016lx\n", f->r9, f->r10, f->r11,
	        f->r12);
	kprintf("  r13 %016lx  r14 %016lx  r15 %016lx\n", f->r13, f->r14, f->r15);
	kprintf("  cr0 %016lx  cr4 %016lx\n", read_cr0(), read_cr4());
}

/* A fault address in the guard page under this CPU's kernel stack means the stack overflowed. */
static void report_stack_overflow(uint64_t cr2)
{
	uint64_t bottom = this_cpu()->stack_top - KSTACK_PAGES * PAGE_SIZE;

	if (cr2 < bottom && cr2 >= bottom - PAGE_SIZE)
		kprintf("  kernel stack overflow: %#lx is in the guard page below cpu %u's stack\n",
		        cr2, arch_cpu_id());
}

void exception_handle(struct irq_frame *f)
{
	unsigned int v = (unsigned int)f->vector;

	if (v == EXC_NMI) {
		if (stop_requested)
			arch_halt();
		kprintf("tandem: NMI on cpu %u (no source claims it); continuing\n", arch_cpu_id());
		return;
	}
	if (v != EXC_NMI && v != EXC_DF && v != EXC_MC && extable_fixup(f))
		return;

	kprintf("tandem: exception %s (vector %u) error %#lx on cpu %u\n",
	        exc_names[v] ? exc_names[v] : "reserved", v, f->error, arch_cpu_id());
	if (v == EXC_PF)
		kprintf("  page fault at %#lx: %s %s %s%s\n", read_cr2(),
		        f->error & 1 ? "protection" : "not-present",
		        f->error & 2 ? "write" : "read", f->error & 16 ? "ifetch" : "data",
		        f->error & 4 ? " user" : "");
	report_stack_overflow(read_cr2());
	dump_frame(f);
	backtrace_from(f->rbp, f->rip);
	if (testcases_linked())
		arch_test_exit(false);
	kprintf("tandem: cpu %u stopped\n", arch_cpu_id());
	arch_halt();
}

void arch_stop_others(void)
{
	stop_requested = true;
	lapic_stop_others();
}

bool rdmsr_safe(uint32_t msr, uint64_t *v)
{
	uint32_t lo = 0, hi = 0;
	int fault = 1;

	__asm__ __volatile__("1: rdmsr\n\t"
	                     "xorl %[f], %[f]\n"
	                     "2:\n\t" EXTABLE(1b, 2b)
	                     : "=a"(lo), "=d"(hi), [f] "+r"(fault)
	                     : "c"(msr));
	if (fault)
		return false;
	*v = ((uint64_t)hi << 32) | lo;
	return true;
}
