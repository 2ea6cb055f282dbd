/* The vLAPIC's state, priorities, acceptance, destinations and base MSR (SDM Vol. 3A ch. 10). */
#include "vlapic_fixture.h"

TEST(power_on_state)
{
	fresh(3);
	CHECK(vlapic_hw_enabled(&vl));
	CHECK(!vlapic_x2apic(&vl));
	CHECK(!vlapic_sw_enabled(&vl));
	CHECK_EQ(vlapic_base(&vl), APIC_DEFAULT_BASE | APIC_BASE_ENABLE);
	CHECK_EQ(rd(APIC_ID), 3u << 24);
	CHECK_EQ(rd(APIC_VERSION), 0x01050014);
	CHECK_EQ(rd(APIC_SVR), 0xff);
	CHECK_EQ(rd(APIC_DFR), 0xffffffff);
	CHECK_EQ(rd(APIC_LDR), 0);
	CHECK_EQ(rd(APIC_TPR), 0);
	CHECK_EQ(rd(APIC_PPR), 0);
	CHECK_EQ(rd(APIC_TIMER_DCR), 0);
	for (unsigned int r = APIC_LVT_TIMER; r <= APIC_LVT_ERROR; r++)
		CHECK_EQ(rd(r), APIC_LVT_MASKED);
	for (unsigned int i = 0; i < 8; i++)
		CHECK_EQ(rd(APIC_IRR0 + i) | rd(APIC_ISR0 + i) | rd(APIC_TMR0 + i), 0);
	CHECK_EQ(vl.sipi_vector, -1);
	CHECK(!vl.nmi_pending && !vl.init_pending && !vl.extint_pending);
	CHECK_EQ(fk.arms, 0);

	fresh(0);
	CHECK_EQ(vlapic_base(&vl), APIC_DEFAULT_BASE | APIC_BASE_ENABLE | APIC_BASE_BSP);
}

TEST(init_keeps_id_base_and_x2apic_mode)
{
	struct irq_msg init = {.delivery = IRQ_DM_INIT};

	fresh(0x21);
	REQUIRE(to_x2apic());
	REQUIRE(vlapic_msr_write(&vl, apic_msr(APIC_SVR), 0x1ff));
	REQUIRE(vlapic_msr_write(&vl, apic_msr(APIC_TPR), 0x20));
	deliver_and_ack(0x40, false);
	vl.sipi_vector = 0x9a;
	CHECK(vlapic_accept(&vl, &init));
	CHECK(vl.init_pending);
	CHECK_EQ(vl.sipi_vector, -1); /* a STARTUP before the INIT is stale */
	vlapic_reset(&vl);
	CHECK(!vl.init_pending);
	CHECK(vlapic_x2apic(&vl));
	CHECK_EQ(vl.id, 0x21);
	CHECK_EQ(vl.ldr, (2u << 16) | (1u << 1));
	CHECK_EQ(vl.svr, 0xff);
	CHECK_EQ(vl.tpr, 0);
	CHECK(!isr_has(0x40));
}

TEST(ppr_follows_tpr_and_isr)
{
	fresh(1);
	sw_enable();
	wr(APIC_TPR, 0x35);
	CHECK_EQ(rd(APIC_PPR), 0x35);
	deliver_and_ack(0x51, false);
	CHECK_EQ(rd(APIC_PPR), 0x50); /* ISR class wins; low bits 0 */
	wr(APIC_TPR, 0x62);
	CHECK_EQ(rd(APIC_PPR), 0x62);
	wr(APIC_TPR, 0x1ff); /* bits 31:8 reserved */
	CHECK_EQ(rd(APIC_TPR), 0xff);
	wr(APIC_TPR, 0);
	wr(APIC_EOI, 0);
	CHECK_EQ(rd(APIC_PPR), 0);
}

TEST(priority_class_masks_pending_vectors)
{
	struct irq_msg m;

	fresh(1);
	sw_enable();
	CHECK_EQ(vlapic_pending_vector(&vl), -1);
	wr(APIC_TPR, 0x50);
	m = fixed_msg(0x5f, false);
	CHECK(vlapic_accept(&vl, &m));
	CHECK_EQ(vlapic_pending_vector(&vl), -1); /* same class as TPR: blocked */
	wr(APIC_TPR, 0x4f);
	CHECK_EQ(vlapic_pending_vector(&vl), 0x5f);
	m = fixed_msg(0x61, false);
	vlapic_accept(&vl, &m);
	wr(APIC_TPR, 0x60);
	CHECK_EQ(vlapic_pending_vector(&vl), -1); /* highest IRR is 0x61: class 6 == 6 */
	wr(APIC_TPR, 0);
	CHECK_EQ(vlapic_pending_vector(&vl), 0x61);
}

TEST(ack_nests_and_eoi_retires_highest_first)
{
	struct irq_msg m;

	fresh(1);
	sw_enable();
	deliver_and_ack(0x40, false);
	CHECK(isr_has(0x40) && !irr_has(0x40));
	m = fixed_msg(0x45, false);
	vlapic_accept(&vl, &m);
	CHECK_EQ(vlapic_pending_vector(&vl), -1); /* class 4 in service */
	m = fixed_msg(0x80, false);
	vlapic_accept(&vl, &m);
	CHECK_EQ(vlapic_pending_vector(&vl), 0x80);
	vlapic_ack(&vl, 0x80);
	CHECK(isr_has(0x80) && isr_has(0x40));
	CHECK_EQ(rd(APIC_PPR), 0x80);
	wr(APIC_EOI, 0);
	CHECK(!isr_has(0x80) && isr_has(0x40));
	CHECK_EQ(vlapic_pending_vector(&vl), -1);
	wr(APIC_EOI, 0);
	CHECK(!isr_has(0x40));
	CHECK_EQ(vlapic_pending_vector(&vl), 0x45);
	wr(APIC_EOI, 0); /* nothing in service: harmless */
	CHECK_EQ(fk.neoi, 0);
	/* Acknowledging what is not pending is refused and logged. */
	vlapic_ack(&vl, 0x99);
	CHECK(!isr_has(0x99));
	CHECK(unit_log_contains("not pending"));
}

TEST(eoi_broadcasts_level_vectors_unless_suppressed)
{
	fresh(1);
	sw_enable();
	deliver_and_ack(0x30, true);
	deliver_and_ack(0x31, false);
	wr(APIC_EOI, 0);
	CHECK_EQ(fk.neoi, 0); /* 0x31 was edge */
	wr(APIC_EOI, 0);
	REQUIRE(fk.neoi == 1);
	CHECK_EQ(fk.eoi[0], 0x30);
	/* An edge arrival of the same vector clears its TMR bit. */
	deliver_and_ack(0x30, false);
	CHECK(!(rd(APIC_TMR0 + 1) & (1u << 16)));
	wr(APIC_EOI, 0);
	CHECK_EQ(fk.neoi, 1);
	/* SVR bit 12: the EOI stays local. */
	wr(APIC_SVR, APIC_SVR_ENABLE | APIC_SVR_EOI_SUPPRESS | 0xff);
	CHECK_EQ(rd(APIC_SVR), APIC_SVR_ENABLE | APIC_SVR_EOI_SUPPRESS | 0xff);
	deliver_and_ack(0x30, true);
	CHECK(rd(APIC_TMR0 + 1) & (1u << 16));
	wr(APIC_EOI, 0);
	CHECK_EQ(fk.neoi, 1);
}

TEST(accept_rules)
{
	struct irq_msg m = fixed_msg(0x40, false);
	struct irq_msg nmi = {.delivery = IRQ_DM_NMI};
	struct irq_msg sipi = {.delivery = IRQ_DM_STARTUP, .vector = 0x9a};
	struct irq_msg smi = {.delivery = IRQ_DM_SMI};

	fresh(1);
	/* Software-disabled: fixed dropped, NMI and STARTUP still taken. */
	CHECK(!vlapic_accept(&vl, &m));
	CHECK(!irr_has(0x40));
	CHECK(vlapic_accept(&vl, &nmi));
	CHECK(vl.nmi_pending);
	CHECK(!vlapic_accept(&vl, &nmi)); /* already pending */
	CHECK(vlapic_accept(&vl, &sipi));
	CHECK_EQ(vl.sipi_vector, 0x9a);
	CHECK(!vlapic_accept(&vl, &smi));
	CHECK_EQ(fk.kicks, 2);

	sw_enable();
	CHECK(vlapic_accept(&vl, &m));
	CHECK(irr_has(0x40));
	CHECK_EQ(fk.kicks, 3);
	CHECK(!vlapic_accept(&vl, &m)); /* coalesced */
	CHECK_EQ(fk.kicks, 3);
	m.delivery = IRQ_DM_LOWEST;
	m.vector = 0x41;
	CHECK(vlapic_accept(&vl, &m));

	/* Vectors 0-15: receive-illegal error, nothing pending. */
	m = fixed_msg(15, false);
	CHECK(!vlapic_accept(&vl, &m));
	CHECK(!irr_has(15));
	CHECK_EQ(esr(), APIC_ESR_RECV_ILLEGAL);

	/* Hardware-disabled: nothing at all. */
	CHECK(vlapic_set_base(&vl, APIC_DEFAULT_BASE));
	vl.nmi_pending = false;
	CHECK(!vlapic_accept(&vl, &nmi));
	CHECK(!vl.nmi_pending);
	CHECK_EQ(vlapic_pending_vector(&vl), -1);
}

TEST(match_physical_and_broadcast)
{
	struct irq_msg m = {.dest = 5};

	fresh(5);
	CHECK(vlapic_match_dest(&vl, &m));
	m.dest = 6;
	CHECK(!vlapic_match_dest(&vl, &m));
	m.dest = 0x105; /* not an 8-bit xAPIC ID */
	CHECK(!vlapic_match_dest(&vl, &m));
	m.dest = 0xff;
	CHECK(vlapic_match_dest(&vl, &m));
	m.dest = 0xffffffff;
	CHECK(vlapic_match_dest(&vl, &m));

	/* x2APIC: 32-bit IDs; only 0xffffffff broadcasts. */
	fresh(0x105);
	REQUIRE(to_x2apic());
	m.dest = 0x105;
	CHECK(vlapic_match_dest(&vl, &m));
	m.dest = 0x05;
	CHECK(!vlapic_match_dest(&vl, &m));
	m.dest = 0xff;
	CHECK(!vlapic_match_dest(&vl, &m));
	m.dest = 0xffffffff;
	CHECK(vlapic_match_dest(&vl, &m));

	/* Hardware-disabled: matches nothing. */
	fresh(5);
	REQUIRE(vlapic_set_base(&vl, APIC_DEFAULT_BASE));
	CHECK(!vlapic_match_dest(&vl, &m));
}

TEST(match_shorthands)
{
	struct irq_msg m = {.dest = 9, .source_apic = 2};

	fresh(2);
	m.shorthand = IRQ_DEST_SELF;
	CHECK(vlapic_match_dest(&vl, &m));
	m.shorthand = IRQ_DEST_ALL;
	CHECK(vlapic_match_dest(&vl, &m));
	m.shorthand = IRQ_DEST_OTHERS;
	CHECK(!vlapic_match_dest(&vl, &m));
	m.source_apic = 3;
	CHECK(vlapic_match_dest(&vl, &m));
	m.shorthand = IRQ_DEST_SELF;
	CHECK(!vlapic_match_dest(&vl, &m));
}

TEST(match_logical_flat_and_cluster)
{
	struct irq_msg m = {.logical = true};

	fresh(1);
	wr(APIC_LDR, 0x04u << 24 | 0x00ffffff);
	CHECK_EQ(rd(APIC_LDR), 0x04u << 24); /* only bits 31:24 */
	m.dest = 0x06;
	CHECK(vlapic_match_dest(&vl, &m));
	m.dest = 0x03;
	CHECK(!vlapic_match_dest(&vl, &m));
	m.dest = 0xff;
	CHECK(vlapic_match_dest(&vl, &m));

	/* Cluster model: bits 7:4 the cluster, 3:0 a member mask. */
	wr(APIC_DFR, 0x0fffffff);
	CHECK_EQ(rd(APIC_DFR), 0x0fffffff);
	wr(APIC_LDR, 0x32u << 24);
	m.dest = 0x36;
	CHECK(vlapic_match_dest(&vl, &m));
	m.dest = 0x26; /* other cluster */
	CHECK(!vlapic_match_dest(&vl, &m));
	m.dest = 0x31; /* other member */
	CHECK(!vlapic_match_dest(&vl, &m));
	m.dest = 0xff;
	CHECK(vlapic_match_dest(&vl, &m));

	/* A DFR model other than flat or cluster is refused. */
	wr(APIC_DFR, 0x5fffffff);
	CHECK_EQ(rd(APIC_DFR), 0x0fffffff);
}

TEST(match_x2apic_cluster)
{
	struct irq_msg m = {.logical = true};

	fresh(0x23); /* cluster 2, member bit 3 */
	REQUIRE(to_x2apic());
	CHECK_EQ(vl.ldr, 0x00020008);
	m.dest = 0x00020008;
	CHECK(vlapic_match_dest(&vl, &m));
	m.dest = 0x0002fff7;
	CHECK(!vlapic_match_dest(&vl, &m));
	m.dest = 0x00030008;
	CHECK(!vlapic_match_dest(&vl, &m));
	m.dest = 0xffffffff;
	CHECK(vlapic_match_dest(&vl, &m));
}

TEST(apic_base_transitions)
{
	uint64_t en = APIC_DEFAULT_BASE | APIC_BASE_ENABLE;
	uint64_t x2 = en | APIC_BASE_EXTD;

	fresh(1);
	CHECK(!vlapic_set_base(&vl, APIC_DEFAULT_BASE | APIC_BASE_EXTD)); /* EXTD without EN */
	CHECK(!vlapic_set_base(&vl, en | 1));                             /* reserved bit */
	CHECK(!vlapic_set_base(&vl, 0xfed00000 | APIC_BASE_ENABLE));      /* relocation */
	CHECK(!vlapic_set_base(&vl, en | (1ull << 40)));
	CHECK(vlapic_set_base(&vl, en | APIC_BASE_BSP)); /* BSP is read-only, no #GP */
	CHECK_EQ(vlapic_base(&vl), en);
	CHECK(vlapic_set_base(&vl, x2));
	CHECK(vlapic_x2apic(&vl));
	CHECK_EQ(vl.ldr, apic_x2apic_ldr(1));
	CHECK(!vlapic_set_base(&vl, en)); /* x2APIC -> xAPIC directly */
	CHECK(vlapic_x2apic(&vl));

	/* Disable loses state; re-enabling starts from reset. */
	REQUIRE(vlapic_msr_write(&vl, apic_msr(APIC_SVR), 0x1ff));
	REQUIRE(vlapic_msr_write(&vl, apic_msr(APIC_TPR), 0x40));
	REQUIRE(vlapic_msr_write(&vl, apic_msr(APIC_TIMER_ICR), 1000));
	CHECK(fk.armed != 0);
	CHECK(vlapic_set_base(&vl, APIC_DEFAULT_BASE));
	CHECK(!vlapic_hw_enabled(&vl));
	CHECK_EQ(fk.armed, 0);
	CHECK(!vlapic_set_base(&vl, x2));  /* disabled -> x2APIC directly */
	CHECK_EQ(rd(APIC_ID), 0xffffffff); /* the page is absent */
	CHECK(vlapic_set_base(&vl, en));
	CHECK_EQ(rd(APIC_SVR), 0xff);
	CHECK_EQ(rd(APIC_TPR), 0);
	CHECK_EQ(rd(APIC_LDR), 0);
	CHECK_EQ(rd(APIC_LVT_TIMER), APIC_LVT_MASKED);
	CHECK(vlapic_set_base(&vl, x2)); /* via xAPIC it is fine */
	CHECK(unit_log_contains("invalid APIC mode transition"));
}

TEST(lint_pins)
{
	fresh(0);
	/* Hardware-disabled: LINT0 is INTR and LINT1 is NMI. */
	REQUIRE(vlapic_set_base(&vl, APIC_DEFAULT_BASE));
	CHECK(vlapic_lint(&vl, 0));
	CHECK(vl.extint_pending);
	CHECK(vlapic_lint(&vl, 1));
	CHECK(vl.nmi_pending);
	CHECK(!vlapic_lint(&vl, 2));
	CHECK(!vlapic_lint(&vl, -1));

	/* Virtual wire: LINT0 ExtINT, LINT1 NMI, as BIOSes and Linux program them. */
	fresh(0);
	CHECK(!vlapic_lint(&vl, 0)); /* masked after reset */
	sw_enable();
	wr(APIC_LVT_LINT0, APIC_LVT_DM_EXTINT);
	wr(APIC_LVT_LINT1, APIC_LVT_DM_NMI);
	CHECK(vlapic_lint(&vl, 0));
	CHECK(vl.extint_pending);
	CHECK(vlapic_lint(&vl, 1));
	CHECK(vl.nmi_pending);
	CHECK_EQ(fk.kicks, 2);
	/* Fixed: a vector in IRR. */
	wr(APIC_LVT_LINT0, 0x33);
	CHECK(vlapic_lint(&vl, 0));
	CHECK(irr_has(0x33));
	/* SMI through an LVT is not modelled: logged, nothing pending. */
	wr(APIC_LVT_LINT1, APIC_LVT_DM_SMI);
	CHECK(!vlapic_lint(&vl, 1));
	CHECK(unit_log_contains("not supported"));
}
