/*
 * apic_smp: two vCPUs (guest_run.h, nvcpus = 2). The boot CPU starts the
 * AP with INIT, STARTUP, STARTUP (SDM Vol. 3A 8.4.4.1), sends IPIs to it
 * and has it send some back, in xAPIC and then in x2APIC mode, and finally
 * restarts the running AP with another INIT and STARTUP.
 *
 * The AP (vCPU 1, APIC ID 1) starts waiting for STARTUP in real mode. The
 * trampoline (lib/ap_boot.S) counts its entries before anything else, so
 * the boot CPU sees exactly when and how often the AP started. In C the
 * AP loads its tables, takes its APIC mode from IA32_APIC_BASE, publishes
 * what it found (struct ap_report) and then serves a mailbox: the boot CPU
 * writes a command and rings a doorbell IPI; the AP idles in HLT between.
 *
 * Each IPI is checked by the number of times each CPU took its vector
 * after a quiet period: a misrouted or duplicated IPI shows up as a count.
 * The boot CPU's waits are bounded, so a lost IPI fails an assertion
 * instead of hanging the harness (which runs this guest synchronously).
 *
 * SYNC sequence (then DONE):
 *   1. (1, trampoline entries before STARTUP, after INIT alone, after INIT-STARTUP-STARTUP)
 *      = (1, 0, 0, 1)
 *   2. (2, AP's APIC ID, AP's CPUID.1 EBX[31:24], AP's SVR at start) = (2, 1, 1, 0xff)
 *   3. (0x10|m, AP's counts, boot CPU's counts, TSC ticks from ICR write to the AP's handler)
 *      for mode m (0 xAPIC, 1 x2APIC); counts are 4 bits per case, case 0 lowest:
 *      physical to the AP, AP to the boot CPU, all-but-self, all-including-self,
 *      broadcast ID, a missing ID, logical to the AP, logical to both, NMI to the AP:
 *      AP 0x111011101, boot CPU 0x010011010
 *   4. (0x20, trampoline entries after INIT to the running AP (1), after a
 *      STARTUP (2), AP's SVR at its restart (0xff)), then (0x21, its
 *      IA32_APIC_BASE.EXTD (x2APIC mode kept), IPI count after restart (1), 0)
 */
#include "guest.h"
#include "apic.h"
#include "guest_smp.h"

#define DOORBELL_VEC 0x30
#define NMI_VEC      2
#define WAIT_US      50000 /* bound on any one thing the AP must do */
#define QUIET_US     300   /* after which an IPI that has not arrived never will */

enum ap_cmd {
	CMD_IPI = 1, /* send the ICR (a, b) */
	CMD_LDR,     /* xAPIC: flat model, LDR = a */
	CMD_X2APIC,  /* go to x2APIC mode */
};

struct ap_report {
	uint32_t boots; /* times the AP reached C */
	uint32_t apic_id, cpuid_apic_id, svr_at_start;
	uint64_t apic_base;
};

static volatile struct ap_report ap;

static struct {
	volatile uint32_t seq, done;
	uint32_t cmd, a, b;
} mb;

static volatile uint32_t hits[GUEST_MAX_CPUS][256];
static volatile uint64_t hit_tsc[GUEST_MAX_CPUS][256];
static uint64_t tsc_hz;

static uint64_t us(uint64_t n)
{
	return tsc_hz * n / 1000000;
}

static void on_ipi(struct guest_frame *f)
{
	unsigned int c = guest_cpu();

	hit_tsc[c][f->vector] = rdtsc();
	__atomic_fetch_add(&hits[c][f->vector], 1, __ATOMIC_RELEASE);
	if (f->vector != NMI_VEC)
		apic_eoi();
}

/* Spins with interrupts on until *p >= want or `ticks` passed. Returns *p. */
static uint32_t wait_for(volatile uint32_t *p, uint32_t want, uint64_t ticks)
{
	uint64_t t0 = rdtsc();

	sti();
	while (__atomic_load_n(p, __ATOMIC_ACQUIRE) < want && rdtsc() - t0 < ticks)
		pause();
	cli();
	return *p;
}

static void quiet(void)
{
	uint64_t t0 = rdtsc();

	sti();
	while (rdtsc() - t0 < us(QUIET_US))
		pause();
	cli();
}

/* ---- the AP ---- */

static void ap_run_cmd(void)
{
	switch (mb.cmd) {
	case CMD_IPI:
		apic_send_ipi(mb.a, mb.b);
		break;
	case CMD_LDR:
		apic_write(APIC_DFR, APIC_DFR_FLAT);
		apic_write(APIC_LDR, mb.a);
		break;
	case CMD_X2APIC:
		apic_enable(true);
		ap.apic_id = apic_id();
		break;
	default:
		GUEST_ASSERT(0);
	}
}

static __noreturn void ap_main(void)
{
	ap_init_cpu();
	ap.apic_base = rdmsr(MSR_IA32_APIC_BASE);
	apic_follow_mode(); /* a restart by INIT keeps x2APIC mode */
	if (!apic_x2apic())
		paging_map_gib(APIC_DEFAULT_BASE); /* already: the boot CPU's tables */
	ap.svr_at_start = apic_read(APIC_SVR);
	apic_enable(apic_x2apic());
	ap.apic_id = apic_id();
	ap.cpuid_apic_id = cpuid(1, 0).ebx >> 24;
	if (cpuid(0, 0).eax >= 0xb)
		GUEST_ASSERT_EQ(cpuid(0xb, 0).edx, 1);        /* the x2APIC ID of leaf 0xB */
	__atomic_store_n(&mb.done, mb.seq, __ATOMIC_RELEASE); /* nothing left from a past life */
	__atomic_add_fetch(&ap.boots, 1, __ATOMIC_RELEASE);
	for (;;) {
		cli();
		if (__atomic_load_n(&mb.seq, __ATOMIC_ACQUIRE) != mb.done) {
			ap_run_cmd();
			__atomic_store_n(&mb.done, mb.seq, __ATOMIC_RELEASE);
			continue;
		}
		sti_hlt(); /* the doorbell, or any IPI, wakes it */
	}
}

/* ---- the boot CPU ---- */

static void ap_do(enum ap_cmd cmd, uint32_t a, uint32_t b)
{
	uint32_t seq = mb.seq + 1;

	mb.cmd = cmd;
	mb.a = a;
	mb.b = b;
	__atomic_store_n(&mb.seq, seq, __ATOMIC_RELEASE);
	apic_send_ipi(DOORBELL_VEC, 1);
	GUEST_ASSERT_EQ(wait_for(&mb.done, seq, us(WAIT_US)), seq);
}

static uint32_t wait_boots(uint32_t n)
{
	return wait_for((volatile uint32_t *)&ap.boots, n, us(WAIT_US));
}

static void init_ap(void)
{
	apic_send_ipi(APIC_ICR_DM_INIT | APIC_ICR_LEVEL | APIC_ICR_ASSERT, 1);
	apic_send_ipi(APIC_ICR_DM_INIT | APIC_ICR_LEVEL, 1); /* de-assert: a no-op since the P4 */
}

static void startup_ap(void)
{
	apic_send_ipi(APIC_ICR_DM_STARTUP | ap_boot_vector(), 1);
}

static void start_ap(void)
{
	uint32_t before, after_init;

	ap_boot_prepare(ap_main);
	before = ap_boot_entries(); /* an AP after power-on waits for STARTUP */
	quiet();
	before += ap_boot_entries();
	init_ap();
	quiet();
	after_init = ap_boot_entries(); /* INIT alone starts nothing */
	startup_ap();
	GUEST_ASSERT_EQ(wait_boots(1), 1);
	startup_ap(); /* the protocol's second STARTUP: ignored by a running AP */
	quiet();
	GUEST_ASSERT_EQ(before, 0);
	GUEST_ASSERT_EQ(after_init, 0);
	GUEST_ASSERT_EQ(ap_boot_entries(), 1);
	GUEST_ASSERT_EQ(ap.boots, 1);
	ucall_sync(1, before, after_init, ap_boot_entries());

	GUEST_ASSERT_EQ(ap.apic_id, 1);
	GUEST_ASSERT_EQ(ap.cpuid_apic_id, 1);
	GUEST_ASSERT_EQ(ap.svr_at_start, 0xff); /* software-disabled at power-on (SDM 10.4.7.1) */
	ucall_sync(2, ap.apic_id, ap.cpuid_apic_id, ap.svr_at_start);
}

/* Sends lo to dest (from the AP if from_ap) and waits for the expected counts of vector v. */
static void ipi_case(unsigned int i, bool from_ap, uint32_t lo, uint32_t dest, unsigned int on_bsp,
                     unsigned int on_ap, uint64_t *bsp_counts, uint64_t *ap_counts)
{
	uint8_t v = (lo & APIC_ICR_DM_MASK) == APIC_ICR_DM_NMI ? NMI_VEC : (uint8_t)lo;
	uint32_t b0 = hits[0][v], a0 = hits[1][v];

	if (from_ap)
		ap_do(CMD_IPI, lo, dest);
	else
		apic_send_ipi(lo, dest);
	wait_for(&hits[0][v], b0 + on_bsp, us(WAIT_US));
	wait_for(&hits[1][v], a0 + on_ap, us(WAIT_US));
	quiet();
	*bsp_counts |= (uint64_t)(hits[0][v] - b0) << (4 * i);
	*ap_counts |= (uint64_t)(hits[1][v] - a0) << (4 * i);
	GUEST_ASSERT_EQ(hits[0][v] - b0, on_bsp);
	GUEST_ASSERT_EQ(hits[1][v] - a0, on_ap);
}

static void ipis(unsigned int m)
{
	uint8_t base = m ? 0x70 : 0x60;
	uint32_t all = m ? 0xffffffffu : 0xffu;
	uint64_t bsp = 0, apc = 0, t0, lat;

	for (unsigned int i = 0; i < 8; i++)
		idt_set_handler((uint8_t)(base + i), on_ipi);
	if (!m) { /* flat logical IDs: boot CPU bit 0, AP bit 1 */
		apic_write(APIC_DFR, APIC_DFR_FLAT);
		apic_write(APIC_LDR, 1u << 24);
		ap_do(CMD_LDR, 2u << 24, 0);
	} /* x2APIC: cluster 0, bit = APIC ID (SDM 10.12.10.2) */
	apic_esr();
	t0 = rdtsc_ordered();
	ipi_case(0, false, base, 1, 0, 1, &bsp, &apc);
	lat = hit_tsc[1][base] - t0;
	ipi_case(1, true, (uint32_t)base + 1, 0, 1, 0, &bsp, &apc);
	ipi_case(2, false, APIC_ICR_DEST_OTHERS | (base + 2u), 0, 0, 1, &bsp, &apc);
	ipi_case(3, false, APIC_ICR_DEST_ALL | (base + 3u), 0, 1, 1, &bsp, &apc);
	ipi_case(4, false, base + 4u, all, 1, 1, &bsp, &apc);
	ipi_case(5, false, base + 5u, 7, 0, 0, &bsp, &apc); /* nobody has ID 7: dropped */
	ipi_case(6, false, APIC_ICR_LOGICAL | (base + 6u), 2, 0, 1, &bsp, &apc);
	ipi_case(7, false, APIC_ICR_LOGICAL | (base + 7u), 3, 1, 1, &bsp, &apc);
	ipi_case(8, false, APIC_ICR_DM_NMI, 1, 0, 1, &bsp, &apc);
	GUEST_ASSERT_EQ(apic_esr(), 0); /* a dropped IPI is no error */
	ucall_sync(0x10 | m, apc, bsp, lat);
}

/* INIT to the running AP puts it back into wait-for-STARTUP; STARTUP restarts it. */
static void restart_ap(void)
{
	uint32_t after_init, svr, got;
	uint64_t extd;

	init_ap();
	quiet();
	after_init = ap_boot_entries();
	GUEST_ASSERT_EQ(after_init, 1);
	GUEST_ASSERT_EQ(ap.boots, 1);
	startup_ap();
	GUEST_ASSERT_EQ(wait_boots(2), 2);
	svr = ap.svr_at_start;
	GUEST_ASSERT_EQ(ap_boot_entries(), 2);
	GUEST_ASSERT_EQ(svr, 0xff); /* INIT reset the APIC's registers (SDM 10.4.7.3) */
	ucall_sync(0x20, after_init, ap_boot_entries(), svr);

	extd = ap.apic_base & APIC_BASE_EXTD;
	GUEST_ASSERT(extd); /* but not its mode */
	GUEST_ASSERT_EQ(ap.apic_id, 1);
	idt_set_handler(0x78, on_ipi);
	apic_send_ipi(0x78, 1);
	got = wait_for(&hits[1][0x78], 1, us(WAIT_US));
	quiet();
	GUEST_ASSERT_EQ(hits[1][0x78], 1);
	ucall_sync(0x21, extd != 0, got, 0);
}

void guest_main(void)
{
	tsc_hz = guest_tsc_hz();
	idt_set_handler(DOORBELL_VEC, on_ipi);
	idt_set_handler(NMI_VEC, on_ipi);
	apic_enable(false);
	GUEST_ASSERT_EQ(apic_id(), 0);
	start_ap();
	ipis(0);
	apic_enable(true);
	ap_do(CMD_X2APIC, 0, 0);
	GUEST_ASSERT_EQ(ap.apic_id, 1);
	GUEST_ASSERT_EQ(apic_id(), 0);
	ipis(1);
	restart_ap();
}
