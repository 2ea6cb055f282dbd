/* The apic guest's bad-input part (see the top of apic.c for what it reports). */
#include "guest.h"
#include "apic.h"
#include "apic_rec.h"

/* ---- bad input (SDM 10.5.3, 10.12.1.2-3, 10.12.5) ---- */

static unsigned int error_irqs(void)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < nrec && i < MAX_REC; i++)
		n += rec[i].vector == ERROR_VEC;
	return n;
}

/* Illegal vectors: the sender's and the receiver's ESR bits and an error interrupt each. */
static void illegal_vectors(void)
{
	uint32_t esr_send, esr_recv;

	rec_reset();
	apic_write(APIC_LVT_ERROR, ERROR_VEC);
	apic_esr();
	apic_send_ipi(APIC_ICR_DEST_SELF | 3, 0);
	settle();
	esr_send = apic_esr();
	GUEST_ASSERT(esr_send & APIC_ESR_SEND_ILLEGAL);
	GUEST_ASSERT_EQ(apic_read(APIC_IRR0) & 0xffff, 0); /* never an IRR bit below 16 */
	GUEST_ASSERT_EQ(error_irqs(), 1);

	apic_write(APIC_TIMER_DCR, 0xb);
	apic_write(APIC_LVT_TIMER, 5);
	apic_write(APIC_TIMER_ICR, (uint32_t)(span / 4 / apic_timer_ticks(1, 1)));
	wait_irqs(2, span);
	esr_recv = apic_esr();
	GUEST_ASSERT(esr_recv & APIC_ESR_RECV_ILLEGAL);
	GUEST_ASSERT_EQ(apic_read(APIC_IRR0) & 0xffff, 0);
	GUEST_ASSERT_EQ(error_irqs(), 2);
	GUEST_ASSERT_EQ(idt_count(3) + idt_count(5), 0);
	apic_write(APIC_LVT_TIMER, APIC_LVT_MASKED);
	GUEST_ASSERT_EQ(apic_esr(), 0); /* the last write cleared them */
	ucall_sync(0x50 | mode_bit, esr_send, esr_recv, error_irqs());
}

static void byte_read(void *arg)
{
	uint8_t v;

	__asm__ __volatile__("movb (%1), %0" : "=q"(v) : "r"(0xfee00080ul) : "memory");
	*(uint8_t *)arg = v;
}

static void quad_write(void *arg)
{
	__asm__ __volatile__("movq %0, (%1)" ::"r"(0x7070707070707070ul), "r"(0xfee00080ul)
	                     : "memory");
}

static void unaligned_read(void *arg)
{
	uint32_t v;

	__asm__ __volatile__("movl (%1), %0" : "=r"(v) : "r"(0xfee00082ul) : "memory");
	*(uint32_t *)arg = v;
}

/*
 * Accesses other than aligned 32-bit ones are model-specific (SDM 10.4.1):
 * any value or exception will do, but the guest goes on and the APIC works.
 */
static void odd_sizes(void)
{
	uint32_t v = 0;
	int r1 = guest_try(byte_read, &v), r2 = guest_try(quad_write, NULL);
	int r3 = guest_try(unaligned_read, &v);
	uint32_t tpr = apic_read(APIC_TPR);

	ucall_print("xAPIC page: byte read %d, 8-byte write %d, unaligned read %d (-1: no fault)",
	            r1, r2, r3);
	GUEST_ASSERT(tpr == 0 || tpr == 0x70);
	apic_write(APIC_TPR, 0);
	apic_send_ipi(APIC_ICR_DEST_SELF | 0x50, 0);
	settle();
	GUEST_ASSERT_EQ(rec[nrec - 1].vector, 0x50);
}

/* xAPIC: reserved registers set ESR bit 7; read-only registers and reserved bits ignore writes. */
static void xapic_bad_access(void)
{
	static const unsigned int ro[] = {APIC_VERSION, APIC_PPR,  APIC_ISR0,      APIC_ISR0 + 7,
	                                  APIC_TMR0,    APIC_IRR0, APIC_TIMER_CCR, APIC_IRR0 + 7};
	uint32_t before[sizeof(ro) / sizeof(ro[0])], esr;
	unsigned int changed = 0, kept = 0;

	apic_esr();
	(void)apic_read(0x04); /* offset 0x40: reserved (Table 10-1) */
	apic_write(0x05, 1);
	apic_write(APIC_SELF_IPI, 0x50); /* offset 0x3f0: x2APIC only, reserved here */
	esr = apic_esr();
	GUEST_ASSERT(esr & APIC_ESR_ILLEGAL_REG);
	settle(); /* the error interrupt; the three coalesce while IF is 0 */
	GUEST_ASSERT_OP(error_irqs(), >=, 1);
	GUEST_ASSERT_EQ(error_irqs(), nrec); /* and offset 0x3f0 sent no self-IPI */

	for (unsigned int i = 0; i < sizeof(ro) / sizeof(ro[0]); i++)
		before[i] = apic_read(ro[i]);
	for (unsigned int i = 0; i < sizeof(ro) / sizeof(ro[0]); i++)
		apic_write(ro[i], 0xa5a5a5a5);
	for (unsigned int i = 0; i < sizeof(ro) / sizeof(ro[0]); i++)
		changed += apic_read(ro[i]) != before[i];

	apic_write(APIC_TPR, 0xffffff21);
	kept += apic_read(APIC_TPR) != 0x21;
	apic_write(APIC_TPR, 0);
	apic_write(APIC_TIMER_DCR, 0xffffffff);
	kept += apic_read(APIC_TIMER_DCR) != 0xb;
	apic_write(APIC_LVT_LINT0, 0xffffffff);
	kept += apic_read(APIC_LVT_LINT0) & ~0x1a7ffu
	            ? 1
	            : 0; /* vector, mode, polarity, trigger, mask */
	apic_write(APIC_LVT_LINT0, APIC_LVT_MASKED);
	apic_write(APIC_LVT_TIMER, 0xfff9ffff & ~APIC_LVT_TIMER_MODE_MASK);
	kept += apic_read(APIC_LVT_TIMER) & ~0x700ffu ? 1 : 0; /* vector, mask, mode */
	apic_write(APIC_LVT_TIMER, APIC_LVT_MASKED);
	apic_write(APIC_ICR2, 0xffffffff);
	kept += apic_read(APIC_ICR2) != 0xff000000u;
	apic_write(APIC_ICR2, 0);
	apic_write(APIC_SVR, 0xffffe000u | APIC_SVR_ENABLE | APIC_SPURIOUS_VECTOR);
	kept += apic_read(APIC_SVR) & 0xffffe000u ? 1 : 0;
	apic_write(APIC_SVR, APIC_SVR_ENABLE | APIC_SPURIOUS_VECTOR);
	GUEST_ASSERT_EQ(changed, 0);
	GUEST_ASSERT_EQ(kept, 0);
	GUEST_ASSERT_EQ(apic_esr(), 0); /* read-only writes and reserved bits are no errors */
	odd_sizes();
	ucall_sync(0x52, esr, changed, kept);
}

struct gp_case {
	bool write;
	uint32_t msr;
	uint64_t val;
};

/* x2APIC: what must raise #GP (SDM 10.12.1.2, 10.12.1.3, Table 10-6). */
static const struct gp_case gp_cases[] = {
    {true, 0x802, 0},                          /* ID: read-only */
    {true, 0x803, 0},                          /* version */
    {true, 0x808, 0x100},                      /* TPR bits 31:8 */
    {true, 0x808, 1ull << 32},                 /* any register's upper half but ICR's */
    {true, 0x80a, 0},                          /* PPR */
    {true, 0x80b, 1},                          /* EOI of a non-zero value */
    {true, 0x80d, 1},                          /* LDR: read-only in x2APIC mode */
    {true, 0x80e, ~0u},                        /* DFR: gone in x2APIC mode */
    {true, 0x80f, 0x1ff | 1u << 13},           /* SVR reserved bit */
    {true, 0x810, 0},                          /* ISR */
    {true, 0x818, 0},                          /* TMR */
    {true, 0x827, 0},                          /* IRR */
    {true, 0x828, 1},                          /* ESR of a non-zero value */
    {true, 0x830, 1u << 13 | 0x50},            /* ICR reserved bits */
    {true, 0x830, 1u << 16 | 0x50},            /* */
    {true, 0x830, 1u << 20 | 0x50},            /* */
    {true, 0x831, 0},                          /* ICR2: gone in x2APIC mode */
    {true, 0x832, APIC_LVT_DM_NMI | 0x40},     /* timer LVT: no delivery mode */
    {true, 0x832, APIC_LVT_TIMER_MODE_MASK},   /* timer mode 3: reserved */
    {true, 0x835, 1u << 17 | APIC_LVT_MASKED}, /* LINT0 bits 31:17 */
    {true, 0x837, APIC_LVT_DM_NMI | 0xfe},     /* error LVT: no delivery mode */
    {true, 0x839, 0},                          /* current count */
    {true, 0x83e, 4},                          /* divide bit 2 */
    {true, 0x83f, 0x100},                      /* SELF IPI bits 31:8 */
    {true, 0x801, 0},                          /* reserved addresses */
    {true, 0x809, 0},                          /* APR: not in x2APIC mode */
    {true, 0x8ff, 0},
    {false, 0x80b, 0}, /* EOI: write-only */
    {false, 0x83f, 0}, /* SELF IPI: write-only */
    {false, 0x80e, 0},
    {false, 0x831, 0},
    {false, 0x801, 0},
    {false, 0x809, 0},
    {false, 0x80c, 0},
    {false, 0x840, 0},
    {false, 0x8ff, 0},
};

/* Legal accesses near the edges: none may #GP. */
static const struct gp_case ok_cases[] = {
    {true, 0x808, 0xff},   {true, 0x808, 0},     {true, 0x80b, 0},
    {true, 0x828, 0},      {true, 0x83e, 0xb},   {true, 0x83e, 0},
    {true, 0x80f, 0x11ff}, {true, 0x80f, 0x1ff}, {true, 0x832, APIC_LVT_MASKED | 0x40},
    {false, 0x802, 0},     {false, 0x80d, 0},    {false, 0x830, 0},
    {false, 0x839, 0},     {false, 0x827, 0},    {false, 0x803, 0},
};

static int try_case(const struct gp_case *c)
{
	uint64_t v;

	return c->write ? guest_try_wrmsr(c->msr, c->val) : guest_try_rdmsr(c->msr, &v);
}

static void x2apic_bad_access(void)
{
	unsigned int gps = 0, wrong = 0;
	uint64_t base = rdmsr(MSR_IA32_APIC_BASE);
	uint32_t svr = apic_read(APIC_SVR), lvt = apic_read(APIC_LVT_TIMER);
	int v;

	for (unsigned int i = 0; i < sizeof(gp_cases) / sizeof(gp_cases[0]); i++) {
		v = try_case(&gp_cases[i]);
		gps += v == X86_GP;
		if (v != X86_GP) {
			wrong++;
			ucall_print("%s %#x (%#lx): %d, want #GP",
			            gp_cases[i].write ? "WRMSR" : "RDMSR", gp_cases[i].msr,
			            (unsigned long)gp_cases[i].val, v);
		}
	}
	/* Refused writes changed nothing. */
	GUEST_ASSERT_EQ(apic_read(APIC_TPR), 0);
	GUEST_ASSERT_EQ(apic_read(APIC_SVR), svr);
	GUEST_ASSERT_EQ(apic_read(APIC_LVT_TIMER), lvt);
	GUEST_ASSERT_EQ(apic_read(APIC_ID), 0);
	for (unsigned int i = 0; i < sizeof(ok_cases) / sizeof(ok_cases[0]); i++) {
		v = try_case(&ok_cases[i]);
		if (v != -1) {
			wrong++;
			ucall_print("%s %#x (%#lx): %d, want no fault",
			            ok_cases[i].write ? "WRMSR" : "RDMSR", ok_cases[i].msr,
			            (unsigned long)ok_cases[i].val, v);
		}
	}
	apic_write(APIC_LVT_TIMER, APIC_LVT_MASKED);
	apic_write(APIC_SVR, svr);

	/* IA32_APIC_BASE: x2APIC -> xAPIC directly, EXTD without EN, reserved bits (SDM 10.12.5). */
	wrong += guest_try_wrmsr(MSR_IA32_APIC_BASE, base & ~APIC_BASE_EXTD) != X86_GP;
	wrong += guest_try_wrmsr(MSR_IA32_APIC_BASE, base & ~APIC_BASE_ENABLE) != X86_GP;
	wrong += guest_try_wrmsr(MSR_IA32_APIC_BASE, base | 1u << 9) != X86_GP;
	GUEST_ASSERT_EQ(rdmsr(MSR_IA32_APIC_BASE), base);

	/* The xAPIC page is gone: writing its TPR does not reach the x2APIC's. */
	paging_map_gib(0xfee00000);
	__asm__ __volatile__("movl %0, (%1)" ::"r"(0x70),
	                     "r"(0xfee00000ul + apic_mmio_offset(APIC_TPR))
	                     : "memory");
	GUEST_ASSERT_EQ(apic_read(APIC_TPR), 0);
	GUEST_ASSERT_EQ(wrong, 0);
	ucall_sync(0x53, sizeof(gp_cases) / sizeof(gp_cases[0]), gps, wrong);
}

/* Software-disabled (SDM 10.4.7.2): every LVT is masked and stays so until written again. */
static void software_disable(void)
{
	unsigned int masked = 0, unmasked_while_off, kept_masked;

	apic_write(APIC_LVT_LINT1, APIC_LVT_DM_NMI);
	apic_write(APIC_LVT_ERROR, ERROR_VEC);
	apic_write(APIC_SVR, APIC_SPURIOUS_VECTOR);
	for (unsigned int r = APIC_LVT_TIMER; r <= APIC_LVT_ERROR; r++)
		masked += !!(apic_read(r) & APIC_LVT_MASKED);
	apic_write(APIC_LVT_LINT1, APIC_LVT_DM_NMI);
	unmasked_while_off = !(apic_read(APIC_LVT_LINT1) & APIC_LVT_MASKED);
	apic_write(APIC_SVR, APIC_SVR_ENABLE | APIC_SPURIOUS_VECTOR);
	kept_masked = !!(apic_read(APIC_LVT_ERROR) & APIC_LVT_MASKED);
	apic_write(APIC_LVT_LINT1, APIC_LVT_MASKED);
	GUEST_ASSERT_EQ(masked, 6);
	GUEST_ASSERT_EQ(unmasked_while_off, 0);
	GUEST_ASSERT_EQ(kept_masked, 1);
	ucall_sync(0x54 | mode_bit, masked, unmasked_while_off, kept_masked);
}

void part_err(void)
{
	idt_set_handler(ERROR_VEC, on_irq);
	idt_set_handler(0x50, on_irq);
	illegal_vectors();
	rec_reset();
	if (apic_x2apic())
		x2apic_bad_access();
	else
		xapic_bad_access();
	software_disable();
	apic_write(APIC_LVT_ERROR, APIC_LVT_MASKED);
}
