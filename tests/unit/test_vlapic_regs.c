/* The vLAPIC's xAPIC MMIO and x2APIC MSR interfaces: #GP rules, ICR, ESR, LVTs, and fuzzing. */
#include "vlapic_fixture.h"

static bool msr_wr(unsigned int reg, uint64_t val)
{
	return vlapic_msr_write(&vl, apic_msr(reg), val);
}

static bool msr_rd(unsigned int reg, uint64_t *val)
{
	return vlapic_msr_read(&vl, apic_msr(reg), val);
}

TEST(x2apic_msrs_gp_outside_x2apic_mode)
{
	uint64_t v;

	fresh(1);
	CHECK(!msr_rd(APIC_ID, &v));
	CHECK(!msr_wr(APIC_TPR, 0));
	REQUIRE(to_x2apic());
	CHECK(msr_rd(APIC_ID, &v));
	CHECK(!vlapic_msr_read(&vl, 0x7ff, &v));
	CHECK(!vlapic_msr_read(&vl, 0x900, &v));
	/* In x2APIC mode the MMIO page is gone. */
	CHECK_EQ(rd(APIC_ID), 0xffffffff);
	wr(APIC_TPR, 0x40);
	CHECK_EQ(vl.tpr, 0);
}

TEST(x2apic_gp_cases)
{
	uint64_t v;

	fresh(0x12345);
	REQUIRE(to_x2apic());
	/* Write-only registers cannot be read. */
	CHECK(!msr_rd(APIC_EOI, &v));
	CHECK(!msr_rd(APIC_SELF_IPI, &v));
	/* Read-only registers cannot be written. */
	CHECK(!msr_wr(APIC_ID, 0x12345));
	CHECK(!msr_wr(APIC_VERSION, 0));
	CHECK(!msr_wr(APIC_LDR, 0));
	CHECK(!msr_wr(APIC_PPR, 0));
	CHECK(!msr_wr(APIC_ISR0, 0));
	CHECK(!msr_wr(APIC_IRR0 + 7, 0));
	CHECK(!msr_wr(APIC_TMR0 + 3, 0));
	CHECK(!msr_wr(APIC_TIMER_CCR, 0));
	/* xAPIC-only and absent registers. */
	CHECK(!msr_rd(APIC_DFR, &v));
	CHECK(!msr_wr(APIC_DFR, 0xffffffff));
	CHECK(!msr_rd(APIC_ICR2, &v));
	CHECK(!msr_rd(APIC_APR, &v));
	CHECK(!msr_rd(APIC_LVT_CMCI, &v));
	CHECK(!msr_rd(0x01, &v));
	CHECK(!vlapic_msr_read(&vl, 0x8ff, &v));
	/* EOI and ESR take only 0. */
	CHECK(!msr_wr(APIC_EOI, 1));
	CHECK(msr_wr(APIC_EOI, 0));
	CHECK(!msr_wr(APIC_ESR, 4));
	CHECK(msr_wr(APIC_ESR, 0));
	/* Reserved bits. */
	CHECK(!msr_wr(APIC_TPR, 0x100));
	CHECK(!msr_wr(APIC_TPR, 1ull << 32));
	CHECK(msr_wr(APIC_TPR, 0xff));
	CHECK(!msr_wr(APIC_SVR, 0x1ff | (1u << 10)));
	CHECK(!msr_wr(APIC_TIMER_DCR, 4));
	CHECK(!msr_wr(APIC_TIMER_ICR, 1ull << 32));
	CHECK(!msr_wr(APIC_LVT_ERROR, APIC_LVT_DM_NMI)); /* no delivery mode in the error LVT */
	CHECK(!msr_wr(APIC_LVT_TIMER, APIC_LVT_TIMER_MODE_MASK)); /* mode 3 */
	CHECK(!msr_wr(APIC_SELF_IPI, 0x100));
	CHECK(!msr_wr(APIC_ICR, 0x40 | (1u << 13)));
	CHECK(!msr_wr(APIC_ICR, 0x40 | (1u << 16)));
	CHECK(!msr_wr(APIC_ICR, 0x40 | (1u << 20)));
	CHECK_EQ(fk.nipi, 0);
	/* Read-only LVT bits a read-modify-write returns are not reserved. */
	CHECK(msr_wr(APIC_LVT_LINT0, APIC_LVT_MASKED | APIC_LVT_REMOTE_IRR | APIC_LVT_PENDING));
	CHECK(msr_rd(APIC_LVT_LINT0, &v));
	CHECK_EQ(v, APIC_LVT_MASKED);
	CHECK(unit_log_contains("#GP"));
}

TEST(x2apic_reads)
{
	uint64_t v;

	fresh(0x12345);
	REQUIRE(to_x2apic());
	CHECK(msr_rd(APIC_ID, &v));
	CHECK_EQ(v, 0x12345);
	CHECK(msr_rd(APIC_LDR, &v));
	CHECK_EQ(v, (0x1234u << 16) | (1u << 5));
	CHECK(msr_rd(APIC_VERSION, &v));
	CHECK_EQ(v, 0x01050014);
	CHECK(msr_wr(APIC_SVR, 0x1ff));
	CHECK(msr_wr(APIC_ICR, (7ull << 32) | APIC_ICR_BUSY | 0x40));
	CHECK(msr_rd(APIC_ICR, &v));
	CHECK_EQ(v, (7ull << 32) | 0x40); /* delivery is instant: status 0 */
}

TEST(icr_xapic_sends)
{
	struct irq_msg *m = fk.ipi;

	fresh(2);
	wr(APIC_ICR2, 0x05123456);
	CHECK_EQ(rd(APIC_ICR2), 0x05000000);
	wr(APIC_ICR,
	   APIC_ICR_LEVEL | APIC_ICR_ASSERT | APIC_ICR_LOGICAL | APIC_ICR_DM_LOWEST | 0x61);
	REQUIRE(fk.nipi == 1);
	CHECK_EQ(m[0].dest, 5);
	CHECK(m[0].logical);
	CHECK(!m[0].level); /* the trigger-mode bit means nothing for IPIs: no EOI broadcast */
	CHECK_EQ(m[0].delivery, IRQ_DM_LOWEST);
	CHECK_EQ(m[0].vector, 0x61);
	CHECK_EQ(m[0].shorthand, IRQ_DEST_NONE);
	CHECK_EQ(m[0].source_apic, 2);
	CHECK_EQ(rd(APIC_ICR) & APIC_ICR_BUSY, 0);

	/* Shorthands; the sender's ID travels along. */
	wr(APIC_ICR, APIC_ICR_DEST_ALL | 0x70);
	wr(APIC_ICR, APIC_ICR_DEST_OTHERS | APIC_ICR_DM_NMI | 0x70);
	wr(APIC_ICR, APIC_ICR_DEST_SELF | 0x71);
	REQUIRE(fk.nipi == 4);
	CHECK_EQ(m[1].shorthand, IRQ_DEST_ALL);
	CHECK_EQ(m[2].shorthand, IRQ_DEST_OTHERS);
	CHECK_EQ(m[2].delivery, IRQ_DM_NMI);
	CHECK_EQ(m[2].vector, 0); /* ignored for NMI */
	CHECK_EQ(m[3].shorthand, IRQ_DEST_SELF);
	CHECK_EQ(m[3].vector, 0x71);

	/* INIT assert, INIT de-assert (dropped), STARTUP keeps its page number. */
	wr(APIC_ICR2, 0x01000000);
	wr(APIC_ICR, APIC_ICR_DM_INIT | APIC_ICR_LEVEL | APIC_ICR_ASSERT);
	wr(APIC_ICR, APIC_ICR_DM_INIT | APIC_ICR_LEVEL);
	wr(APIC_ICR, APIC_ICR_DM_STARTUP | 0x9a);
	REQUIRE(fk.nipi == 6);
	CHECK_EQ(m[4].delivery, IRQ_DM_INIT);
	CHECK(!m[4].level);
	CHECK_EQ(m[5].delivery, IRQ_DM_STARTUP);
	CHECK_EQ(m[5].vector, 0x9a);
	CHECK_EQ(m[5].dest, 1);

	/* Invalid combinations (SDM Table 10-3) and reserved modes are dropped. */
	wr(APIC_ICR, APIC_ICR_DEST_SELF | APIC_ICR_DM_NMI);
	wr(APIC_ICR, APIC_ICR_DEST_ALL | APIC_ICR_DM_LOWEST | 0x40);
	wr(APIC_ICR, (3u << 8) | 0x40);
	wr(APIC_ICR, (7u << 8) | 0x40);
	CHECK_EQ(fk.nipi, 6);
	CHECK(unit_log_contains("invalid IPI"));
}

TEST(icr_x2apic_sends_32bit_dest)
{
	fresh(0x100);
	REQUIRE(to_x2apic());
	CHECK(msr_wr(APIC_ICR, (0xabcdefull << 32) | APIC_ICR_DM_FIXED | 0x55));
	REQUIRE(fk.nipi == 1);
	CHECK_EQ(fk.ipi[0].dest, 0xabcdef);
	CHECK_EQ(fk.ipi[0].vector, 0x55);
	CHECK_EQ(fk.ipi[0].source_apic, 0x100);
	CHECK(!fk.ipi[0].logical);
	CHECK(msr_wr(APIC_ICR, (0xffffffffull << 32) | APIC_ICR_LOGICAL | 0x56));
	REQUIRE(fk.nipi == 2);
	CHECK_EQ(fk.ipi[1].dest, 0xffffffff);
	CHECK(fk.ipi[1].logical);
}

TEST(self_ipi)
{
	uint64_t v;

	fresh(7);
	REQUIRE(to_x2apic());
	CHECK(msr_wr(APIC_SELF_IPI, 0x42));
	REQUIRE(fk.nipi == 1);
	CHECK_EQ(fk.ipi[0].shorthand, IRQ_DEST_SELF);
	CHECK_EQ(fk.ipi[0].delivery, IRQ_DM_FIXED);
	CHECK_EQ(fk.ipi[0].vector, 0x42);
	CHECK_EQ(fk.ipi[0].source_apic, 7);
	/* An illegal vector is a send error, nothing sent. */
	CHECK(msr_wr(APIC_SELF_IPI, 0x0f));
	CHECK_EQ(fk.nipi, 1);
	CHECK(msr_wr(APIC_ESR, 0));
	CHECK(msr_rd(APIC_ESR, &v));
	CHECK_EQ(v, APIC_ESR_SEND_ILLEGAL);
	/* Not an xAPIC register: illegal register address. */
	fresh(7);
	wr(APIC_SELF_IPI, 0x42);
	CHECK_EQ(fk.nipi, 0);
	CHECK_EQ(esr(), APIC_ESR_ILLEGAL_REG);
}

TEST(esr_latches_on_write)
{
	fresh(1);
	wr(APIC_ICR, 0x05); /* send illegal vector */
	CHECK_EQ(fk.nipi, 0);
	CHECK_EQ(rd(APIC_ESR), 0); /* not latched yet */
	wr(APIC_ESR, 0xffffffff);  /* the value written does not matter */
	CHECK_EQ(rd(APIC_ESR), APIC_ESR_SEND_ILLEGAL);
	CHECK_EQ(rd(APIC_ESR), APIC_ESR_SEND_ILLEGAL); /* reading does not clear */
	wr(APIC_ESR, 0);
	CHECK_EQ(rd(APIC_ESR), 0);
	/* NMI, INIT and SMI ignore the vector: no error. */
	wr(APIC_ICR, APIC_ICR_DM_NMI | 0x02);
	CHECK_EQ(fk.nipi, 1);
	CHECK_EQ(esr(), 0);
}

TEST(illegal_register_address)
{
	fresh(1);
	CHECK_EQ(vlapic_mmio_read(&vl, 0x000), 0);
	CHECK_EQ(esr(), APIC_ESR_ILLEGAL_REG);
	vlapic_mmio_write(&vl, 0x2a0, 1);
	CHECK_EQ(esr(), APIC_ESR_ILLEGAL_REG);
	CHECK_EQ(vlapic_mmio_read(&vl, 0x2f0), 0); /* CMCI is not modelled */
	CHECK_EQ(esr(), APIC_ESR_ILLEGAL_REG);
	CHECK_EQ(vlapic_mmio_read(&vl, 0xff0), 0);
	CHECK_EQ(esr(), APIC_ESR_ILLEGAL_REG);
	/* Existing registers, read-only ones included, are no error. */
	CHECK_EQ(vlapic_mmio_read(&vl, 0x0b0), 0); /* EOI reads 0 */
	CHECK_EQ(vlapic_mmio_read(&vl, 0x090), 0); /* APR */
	wr(APIC_VERSION, 0);
	wr(APIC_PPR, 0x40);
	wr(APIC_TIMER_CCR, 7);
	wr(APIC_ID, 0x09000000); /* ID is read-only here */
	CHECK_EQ(rd(APIC_ID), 1u << 24);
	CHECK_EQ(rd(APIC_PPR), 0);
	CHECK_EQ(esr(), 0);
	/* Unaligned or outside the page: 0, no error. */
	CHECK_EQ(vlapic_mmio_read(&vl, 0x024), 0);
	CHECK_EQ(vlapic_mmio_read(&vl, 0x1000), 0);
	vlapic_mmio_write(&vl, 0x084, 0x40);
	CHECK_EQ(rd(APIC_TPR), 0);
	CHECK_EQ(esr(), 0);
}

TEST(lvt_writable_bits)
{
	fresh(1);
	sw_enable();
	wr(APIC_LVT_TIMER, 0xffffffff & ~APIC_LVT_TIMER_MODE_MASK);
	CHECK_EQ(rd(APIC_LVT_TIMER), 0x000100ff);
	wr(APIC_LVT_THERMAL, 0xffffffff);
	CHECK_EQ(rd(APIC_LVT_THERMAL), 0x000107ff);
	wr(APIC_LVT_PMC, 0xffffffff);
	CHECK_EQ(rd(APIC_LVT_PMC), 0x000107ff);
	wr(APIC_LVT_LINT0, 0xffffffff);
	CHECK_EQ(rd(APIC_LVT_LINT0), 0x0001a7ff);
	wr(APIC_LVT_LINT1, 0xffffffff);
	CHECK_EQ(rd(APIC_LVT_LINT1), 0x0001a7ff);
	wr(APIC_LVT_ERROR, 0xffffffff);
	CHECK_EQ(rd(APIC_LVT_ERROR), 0x000100ff);
	wr(APIC_TIMER_DCR, 0xffffffff);
	CHECK_EQ(rd(APIC_TIMER_DCR), 0xb);
	wr(APIC_SVR, 0xffffffff);
	CHECK_EQ(rd(APIC_SVR), 0x11ff);
}

TEST(software_disable_masks_lvts)
{
	fresh(1);
	wr(APIC_LVT_LINT0, APIC_LVT_DM_EXTINT); /* disabled: the mask stays */
	CHECK_EQ(rd(APIC_LVT_LINT0), APIC_LVT_DM_EXTINT | APIC_LVT_MASKED);
	sw_enable();
	wr(APIC_LVT_LINT0, APIC_LVT_DM_EXTINT);
	wr(APIC_LVT_ERROR, 0xe0);
	CHECK_EQ(rd(APIC_LVT_LINT0), APIC_LVT_DM_EXTINT);
	wr(APIC_SVR, 0xff);
	CHECK_EQ(rd(APIC_LVT_LINT0), APIC_LVT_DM_EXTINT | APIC_LVT_MASKED);
	CHECK_EQ(rd(APIC_LVT_ERROR), 0xe0 | APIC_LVT_MASKED);
	for (unsigned int r = APIC_LVT_TIMER; r <= APIC_LVT_ERROR; r++)
		CHECK(rd(r) & APIC_LVT_MASKED);
	CHECK(!vlapic_lint(&vl, 0));
}

TEST(error_lvt_raises_its_vector)
{
	fresh(1);
	sw_enable();
	wr(APIC_LVT_ERROR, 0xe0);
	wr(APIC_ICR, 0x03); /* illegal vector */
	CHECK(irr_has(0xe0));
	/* An error LVT with an illegal vector reports that too, without recursing. */
	wr(APIC_LVT_ERROR, 0x04);
	wr(APIC_ICR, 0x03);
	CHECK_EQ(esr(), APIC_ESR_SEND_ILLEGAL | APIC_ESR_RECV_ILLEGAL);
	CHECK(!irr_has(0x04));
}

/* xorshift64*: reproducible, no libc rand state. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

/* Random register traffic, messages and clock jumps: must not crash, trip UBSan or hang. */
TEST(fuzz_registers_and_messages)
{
	static const uint32_t interesting[] = {0,          1,          0xff,      0x100,
	                                       0x10000,    0x20000,    0x40000,   0x60000,
	                                       0xffffffff, 0x80000000, 0x7fffffff};

	for (int round = 0; round < 64; round++) {
		fresh((uint32_t)rnd());
		if (round & 1)
			vl.bus_hz = 1 + rnd() % 4; /* extreme ratios too */
		for (int i = 0; i < 2000; i++) {
			uint64_t r = rnd(), v = rnd(), out;
			uint32_t val =
			    (r & 1) ? (uint32_t)v : interesting[v % ARRAY_SIZE(interesting)];
			struct irq_msg m = {
			    .dest = (uint32_t)rnd(),
			    .logical = r & 2,
			    .level = r & 4,
			    .delivery = (uint8_t)(v >> 40),
			    .vector = (uint8_t)(v >> 48),
			    .shorthand = (uint8_t)(v >> 56),
			    .source_apic = (uint32_t)(v >> 8),
			};

			switch ((r >> 8) % 12) {
			case 0:
			case 1:
				vlapic_mmio_write(&vl, (uint32_t)(r >> 16) & 0x3ff0, val);
				break;
			case 2:
				vlapic_mmio_read(&vl, (uint32_t)(r >> 16) & 0xfff);
				break;
			case 3:
				vlapic_msr_write(&vl, 0x800 + (uint32_t)((r >> 16) & 0xff),
				                 (r & 8) ? v : val);
				break;
			case 4:
				vlapic_msr_read(&vl, 0x7f0 + (uint32_t)((r >> 16) % 0x120), &out);
				break;
			case 5:
				vlapic_set_base(
				    &vl, (r & 16) ? v : APIC_DEFAULT_BASE | (v & (3u << 10)));
				break;
			case 6:
				vlapic_accept(&vl, &m);
				vlapic_match_dest(&vl, &m);
				break;
			case 7: {
				int p = vlapic_pending_vector(&vl);

				vlapic_ack(&vl, p >= 0 ? (uint8_t)p : (uint8_t)v);
				break;
			}
			case 8:
				fk.now += (r & 32) ? v : v % 100000;
				vlapic_timer_expired(&vl);
				break;
			case 9:
				vlapic_set_tsc_deadline(&vl, (r & 64) ? v : fk.now + v % 1000000);
				vlapic_tsc_deadline(&vl);
				break;
			case 10:
				vlapic_lint(&vl, (int)(v % 4) - 1);
				break;
			default:
				if (r & 128)
					vlapic_reset(&vl);
				break;
			}
			/* Invariants any state must keep. */
			CHECK(vl.tpr <= 0xff);
			CHECK(vlapic_pending_vector(&vl) < 256);
			CHECK(!(vlapic_base(&vl) & APIC_BASE_EXTD) || vlapic_hw_enabled(&vl));
		}
	}
}
