/* MSI address/data decoding against SDM Vol. 3A 10.11. */
#include <compiler.h>
#include <hw/msi.h>
#include <msi.h>

#include "unit.h"

static uint64_t addr(uint8_t dest, bool logical, bool hint)
{
	return MSI_ADDR_BASE | (uint32_t)dest << MSI_ADDR_DEST_SHIFT |
	       (logical ? MSI_ADDR_DEST_LOGICAL : 0) | (hint ? MSI_ADDR_REDIR_HINT : 0);
}

static uint32_t data(uint8_t vector, unsigned int dm, bool level, bool assert)
{
	return vector | dm << MSI_DATA_DM_SHIFT | (level ? MSI_DATA_LEVEL : 0) |
	       (assert ? MSI_DATA_ASSERT : 0);
}

TEST(physical_fixed_edge)
{
	struct irq_msg m;

	memset(&m, 0xaa, sizeof(m));
	/* Linux's usual message: no assert bit, which edge messages ignore. */
	REQUIRE(msi_decode(addr(3, false, false), data(0x41, IRQ_DM_FIXED, false, false), &m));
	CHECK_EQ(m.dest, 3);
	CHECK(!m.logical);
	CHECK(!m.level);
	CHECK_EQ(m.delivery, IRQ_DM_FIXED);
	CHECK_EQ(m.vector, 0x41);
	CHECK_EQ(m.shorthand, IRQ_DEST_NONE);
	CHECK_EQ(m.source_apic, 0);
	/* The low two address bits are don't-care; physical 0xff is the broadcast. */
	REQUIRE(
	    msi_decode(addr(0xff, false, false) | 3, data(0x42, IRQ_DM_FIXED, false, true), &m));
	CHECK_EQ(m.dest, 0xff);
	CHECK_EQ(m.vector, 0x42);
	CHECK(!unit_log_contains("msi"));
}

TEST(logical_lowest_level)
{
	struct irq_msg m;

	REQUIRE(msi_decode(addr(0x0c, true, false), data(0x51, IRQ_DM_LOWEST, true, true), &m));
	CHECK_EQ(m.dest, 0x0c);
	CHECK(m.logical);
	CHECK(m.level);
	CHECK_EQ(m.delivery, IRQ_DM_LOWEST);
	CHECK_EQ(m.vector, 0x51);
}

TEST(redirection_hint_means_lowest_priority)
{
	struct irq_msg m;

	REQUIRE(msi_decode(addr(0x03, true, true), data(0x52, IRQ_DM_FIXED, false, false), &m));
	CHECK_EQ(m.delivery, IRQ_DM_LOWEST);
	CHECK(m.logical);
	REQUIRE(msi_decode(addr(0x02, false, true), data(0x52, IRQ_DM_FIXED, false, false), &m));
	CHECK_EQ(m.delivery, IRQ_DM_LOWEST);
	CHECK_EQ(m.dest, 2);
	/* Only fixed becomes lowest; an NMI stays an NMI. */
	REQUIRE(msi_decode(addr(0x02, false, true), data(0, IRQ_DM_NMI, false, false), &m));
	CHECK_EQ(m.delivery, IRQ_DM_NMI);
	/* RH with the physical broadcast is invalid (10.11.1). */
	CHECK(!msi_decode(addr(0xff, false, true), data(0x52, IRQ_DM_FIXED, false, false), &m));
	CHECK(unit_log_contains("redirection hint"));
}

TEST(other_delivery_modes_pass_through)
{
	static const unsigned int modes[] = {IRQ_DM_SMI, IRQ_DM_NMI, IRQ_DM_INIT, IRQ_DM_EXTINT};
	struct irq_msg m;

	for (unsigned int i = 0; i < ARRAY_SIZE(modes); i++) {
		REQUIRE(msi_decode(addr(1, false, false), data(0, modes[i], false, false), &m));
		CHECK_EQ(m.delivery, modes[i]);
		CHECK_EQ(m.dest, 1);
	}
}

TEST(level_deassert_delivers_nothing)
{
	struct irq_msg m = {.vector = 0x77};

	CHECK(!msi_decode(addr(1, false, false), data(0x60, IRQ_DM_FIXED, true, false), &m));
	CHECK_EQ(m.vector, 0x77); /* untouched */
	CHECK(!unit_log_contains("msi"));
}

TEST(reserved_data_bits_are_ignored)
{
	struct irq_msg m;

	REQUIRE(msi_decode(addr(1, false, false), 0xffff0000u | 0x3800u | 0x61, &m));
	CHECK_EQ(m.vector, 0x61);
	CHECK_EQ(m.delivery, IRQ_DM_FIXED);
	CHECK(!m.level);
}

TEST(malformed_messages_are_refused)
{
	struct irq_msg m = {.vector = 0x77};
	uint32_t ok = data(0x41, IRQ_DM_FIXED, false, false);

	CHECK(!msi_decode(0xfec00000, ok, &m));
	CHECK(unit_log_contains("0xfec00000"));
	CHECK(!msi_decode(0, ok, &m));
	CHECK(!msi_decode(0x1fee00000ull, ok, &m)); /* high address bits */
	CHECK(!msi_decode(0xfef00000, ok, &m));
	CHECK(!msi_decode(addr(1, false, false) | MSI_ADDR_REMAPPABLE, ok, &m));
	CHECK(unit_log_contains("remappable"));
	CHECK(!msi_decode(addr(1, false, false) | 0x20, ok, &m)); /* extended dest ID bit */
	CHECK(unit_log_contains("reserved address bits"));
	CHECK(!msi_decode(addr(1, false, false), data(0x41, 3, false, false), &m));
	CHECK(!msi_decode(addr(1, false, false), data(0x41, IRQ_DM_STARTUP, false, false), &m));
	CHECK(unit_log_contains("reserved delivery mode"));
	CHECK_EQ(m.vector, 0x77);
}
