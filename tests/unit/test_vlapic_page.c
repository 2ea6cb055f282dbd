/* The vLAPIC exported to and imported from a virtual-APIC page (SDM Vol. 3A 29.1-29.2). */
#include "vlapic_fixture.h"

static uint32_t page[1024];
static struct vlapic_page_sync sync;

#define PG(reg) page[apic_mmio_offset(reg) / 4]

static void page_on(void)
{
	fresh(1);
	sw_enable();
	memset(page, 0, sizeof(page));
	vlapic_set_page_mode(&vl, true);
}

TEST(export_writes_priority_registers_and_status)
{
	page_on();
	wr(APIC_TPR, 0x20);
	deliver_and_ack(0x41, true); /* level: in ISR and TMR */
	CHECK(vlapic_accept(&vl, &(struct irq_msg){.delivery = IRQ_DM_FIXED, .vector = 0x63}));
	CHECK(vlapic_accept(&vl, &(struct irq_msg){.delivery = IRQ_DM_FIXED, .vector = 0x35}));
	vlapic_page_export(&vl, page, &sync);
	CHECK_EQ(PG(APIC_TPR), 0x20);
	CHECK_EQ(PG(APIC_PPR), 0x40);
	CHECK_EQ(PG(APIC_ISR0 + 2), 1u << 1);
	CHECK_EQ(PG(APIC_TMR0 + 2), 1u << 1);
	CHECK_EQ(PG(APIC_IRR0 + 3), 1u << 3);
	CHECK_EQ(PG(APIC_IRR0 + 1), 1u << 21);
	CHECK_EQ(sync.rvi, 0x63);
	CHECK_EQ(sync.svi, 0x41);
	CHECK_EQ(sync.eoi_exit[1], 1ull << 1); /* vector 0x41 = 64 + 1 */
	CHECK_EQ(sync.eoi_exit[0] | sync.eoi_exit[2] | sync.eoi_exit[3], 0);
}

TEST(import_takes_what_the_cpu_delivered_and_retired)
{
	page_on();
	deliver_and_ack(0x41, false);
	CHECK(vlapic_accept(&vl, &(struct irq_msg){.delivery = IRQ_DM_FIXED, .vector = 0x63}));
	vlapic_page_export(&vl, page, &sync);
	/* The CPU retires 0x41 (virtual EOI), delivers 0x63, the guest writes TPR. */
	PG(APIC_ISR0 + 2) = 0;
	PG(APIC_IRR0 + 3) = 0;
	PG(APIC_ISR0 + 3) = 1u << 3;
	PG(APIC_TPR) = 0x10;
	vlapic_page_import(&vl, page, &sync);
	CHECK(!isr_has(0x41));
	CHECK(isr_has(0x63));
	CHECK(!irr_has(0x63));
	CHECK_EQ(vl.tpr, 0x10);
	CHECK_EQ(rd(APIC_PPR), 0x60);
}

TEST(self_ipi_virtualized_by_the_cpu_is_kept)
{
	page_on();
	vlapic_page_export(&vl, page, &sync);
	PG(APIC_IRR0 + 5) = 1u << 2; /* SELF_IPI of 0xa2 while the guest ran */
	vlapic_page_import(&vl, page, &sync);
	CHECK(irr_has(0xa2));
	CHECK_EQ(vlapic_pending_vector(&vl), 0xa2);
}

TEST(interrupt_accepted_while_exported_is_not_lost)
{
	page_on();
	CHECK(vlapic_accept(&vl, &(struct irq_msg){.delivery = IRQ_DM_FIXED, .vector = 0x50}));
	vlapic_page_export(&vl, page, &sync);
	/* Another CPU sends 0x50 again while the CPU is delivering the first one. */
	unsigned int kicks = fk.kicks;
	CHECK(vlapic_accept(&vl, &(struct irq_msg){.delivery = IRQ_DM_FIXED, .vector = 0x50}));
	CHECK_EQ(fk.kicks, kicks + 1);
	PG(APIC_IRR0 + 2) = 0;
	PG(APIC_ISR0 + 2) = 1u << 16;
	vlapic_page_import(&vl, page, &sync);
	CHECK(isr_has(0x50));
	CHECK(irr_has(0x50)); /* pending again, as on hardware */
	/* Without a new arrival, a delivered vector is no longer pending. */
	vlapic_page_export(&vl, page, &sync);
	PG(APIC_IRR0 + 2) = 0;
	vlapic_page_import(&vl, page, &sync);
	CHECK(!irr_has(0x50));
}

TEST(virtual_eoi_broadcasts_level_vectors_only)
{
	page_on();
	deliver_and_ack(0x41, true);
	deliver_and_ack(0x52, false);
	vlapic_virtual_eoi(&vl, 0x52);
	CHECK_EQ(fk.neoi, 0);
	vlapic_virtual_eoi(&vl, 0x41);
	CHECK_EQ(fk.neoi, 1);
	CHECK_EQ(fk.eoi[0], 0x41);
	wr(APIC_SVR, 0x1ff | APIC_SVR_EOI_SUPPRESS);
	vlapic_virtual_eoi(&vl, 0x41);
	CHECK_EQ(fk.neoi, 1);
}

TEST(disabled_apic_exports_no_request)
{
	page_on();
	CHECK(vlapic_accept(&vl, &(struct irq_msg){.delivery = IRQ_DM_FIXED, .vector = 0x70}));
	REQUIRE(vlapic_set_base(&vl, APIC_DEFAULT_BASE)); /* EN clear: hardware-disabled */
	vlapic_page_export(&vl, page, &sync);
	CHECK_EQ(sync.rvi, 0);
}
