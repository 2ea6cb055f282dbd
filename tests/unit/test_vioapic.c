/* The virtual IOAPIC against the 82093AA datasheet and what Linux's io_apic.c relies on. */
#include <compiler.h>
#include <hw/ioapic.h>
#include <string.h>
#include <vioapic.h>

#include "unit.h"

#define MAX_MSGS 64

static struct irq_msg msgs[MAX_MSGS];
static unsigned int nmsgs;

static void record(void *ctx, const struct irq_msg *m)
{
	if (nmsgs < MAX_MSGS)
		msgs[nmsgs] = *m;
	nmsgs++;
}

static const struct vioapic_ops ops = {.deliver = record};
static struct vioapic io;

static void fresh(void)
{
	memset(msgs, 0, sizeof(msgs));
	nmsgs = 0;
	CHECK_EQ(vioapic_init(&io, 2, &ops, NULL), 0);
	unit_log_clear();
}

static uint32_t reg_read(uint8_t index)
{
	vioapic_mmio_write(&io, IOAPIC_REGSEL, 4, index);
	return vioapic_mmio_read(&io, IOAPIC_WIN, 4);
}

static void reg_write(uint8_t index, uint32_t val)
{
	vioapic_mmio_write(&io, IOAPIC_REGSEL, 4, index);
	vioapic_mmio_write(&io, IOAPIC_WIN, 4, val);
}

static void rte_write(unsigned int pin, uint64_t e)
{
	/* Linux's order: high half first, so the entry is complete when the mask goes. */
	reg_write((uint8_t)(ioapic_redtbl_index(pin) + 1), (uint32_t)(e >> 32));
	reg_write((uint8_t)ioapic_redtbl_index(pin), (uint32_t)e);
}

static uint64_t rte_read(unsigned int pin)
{
	uint8_t idx = (uint8_t)ioapic_redtbl_index(pin);

	return (uint64_t)reg_read((uint8_t)(idx + 1)) << 32 | reg_read(idx);
}

#define DEST(d) ((uint64_t)(d) << IOAPIC_RTE_DEST_SHIFT)
#define DM(m)   ((uint64_t)(m) << IOAPIC_RTE_DM_SHIFT)

TEST(reset_state)
{
	fresh();
	CHECK_EQ(reg_read(IOAPIC_REG_ID), 2u << 24);
	CHECK_EQ(reg_read(IOAPIC_REG_VER), 0x00170020);
	CHECK_EQ(reg_read(IOAPIC_REG_ARB), 2u << 24);
	for (unsigned int pin = 0; pin < VIOAPIC_PINS; pin++)
		CHECK_EQ(rte_read(pin), IOAPIC_RTE_MASKED);
	CHECK_EQ(vioapic_mmio_read(&io, IOAPIC_REGSEL, 4),
	         ioapic_redtbl_index(23)); /* last selected */
	/* Masked after reset: a driven pin interrupts nobody. */
	vioapic_set_irq(&io, 4, true);
	CHECK_EQ(nmsgs, 0);
	CHECK(!unit_log_contains("vioapic"));
}

TEST(init_refuses_a_wide_id)
{
	CHECK(vioapic_init(&io, 16, &ops, NULL) < 0);
	CHECK(unit_log_contains("4-bit"));
	CHECK_EQ(vioapic_init(&io, 15, &ops, NULL), 0);
}

TEST(id_register_writes)
{
	fresh();
	reg_write(IOAPIC_REG_ID, 0x0a000000);
	CHECK_EQ(reg_read(IOAPIC_REG_ID), 0x0a000000);
	CHECK_EQ(reg_read(IOAPIC_REG_ARB), 0x0a000000);
	CHECK(!unit_log_contains("vioapic"));
	/* Reserved bits are dropped and logged; VER and ARB are read-only. */
	reg_write(IOAPIC_REG_ID, 0xf5008001);
	CHECK_EQ(reg_read(IOAPIC_REG_ID), 0x05000000);
	CHECK(unit_log_contains("reserved"));
	reg_write(IOAPIC_REG_VER, 0);
	reg_write(IOAPIC_REG_ARB, 0);
	CHECK_EQ(reg_read(IOAPIC_REG_VER), 0x00170020);
	CHECK_EQ(reg_read(IOAPIC_REG_ARB), 0x05000000);
	CHECK(unit_log_contains("read-only"));
}

TEST(every_entry_half_reads_back)
{
	fresh();
	for (unsigned int pin = 0; pin < VIOAPIC_PINS; pin++) {
		uint8_t idx = (uint8_t)ioapic_redtbl_index(pin);

		reg_write(idx, 0x1a000u | (0x20 + pin)); /* masked, level, active low, logical */
		reg_write((uint8_t)(idx + 1), (uint32_t)pin << 24);
	}
	for (unsigned int pin = 0; pin < VIOAPIC_PINS; pin++) {
		uint8_t idx = (uint8_t)ioapic_redtbl_index(pin);

		CHECK_EQ(reg_read(idx), 0x1a000u | (0x20 + pin));
		CHECK_EQ(reg_read((uint8_t)(idx + 1)), (uint32_t)pin << 24);
	}
	CHECK(!unit_log_contains("vioapic"));
	/* Every writable bit of the low half, and of the high half. */
	reg_write(0x10, 0xffffffff);
	CHECK_EQ(reg_read(0x10), 0x1afff);
	reg_write(0x11, 0xffffffff);
	CHECK_EQ(reg_read(0x11), 0xff000000);
	CHECK(unit_log_contains("reserved bits 0xfffe0000"));
	CHECK(unit_log_contains("reserved bits 0xffffff"));
}

TEST(read_only_bits_are_preserved)
{
	fresh();
	/* A level entry, delivered: remote IRR is set. */
	rte_write(5, IOAPIC_RTE_LEVEL | 0x31);
	vioapic_set_irq(&io, 5, true);
	REQUIRE(nmsgs == 1);
	CHECK_EQ(rte_read(5), IOAPIC_RTE_REMOTE_IRR | IOAPIC_RTE_LEVEL | 0x31);
	/* Writing 0 to remote IRR (a read-modify-write of another field) keeps it. */
	reg_write(0x10 + 10, (uint32_t)IOAPIC_RTE_LEVEL | 0x32);
	CHECK_EQ(rte_read(5), IOAPIC_RTE_REMOTE_IRR | IOAPIC_RTE_LEVEL | 0x32);
	/* Writing 1 to delivery status does not make it read 1. */
	reg_write(0x10 + 10, (uint32_t)(IOAPIC_RTE_LEVEL | IOAPIC_RTE_DELIVS) | 0x32);
	CHECK_EQ(rte_read(5) & IOAPIC_RTE_DELIVS, 0);
	/* Writing 1 to remote IRR of a fresh level entry does not set it. */
	rte_write(6, IOAPIC_RTE_LEVEL | IOAPIC_RTE_MASKED | IOAPIC_RTE_REMOTE_IRR | 0x40);
	CHECK_EQ(rte_read(6), IOAPIC_RTE_LEVEL | IOAPIC_RTE_MASKED | 0x40);
	CHECK(!unit_log_contains("vioapic"));
}

TEST(edge_delivers_once_per_rising_edge)
{
	fresh();
	rte_write(4, DEST(3) | 0x24);
	vioapic_set_irq(&io, 4, true);
	REQUIRE(nmsgs == 1);
	CHECK_EQ(msgs[0].vector, 0x24);
	CHECK_EQ(msgs[0].dest, 3);
	CHECK(!msgs[0].logical);
	CHECK(!msgs[0].level);
	CHECK_EQ(msgs[0].delivery, IRQ_DM_FIXED);
	CHECK_EQ(msgs[0].shorthand, IRQ_DEST_NONE);
	/* Holding the line high is not another edge; neither is the fall. */
	vioapic_set_irq(&io, 4, true);
	vioapic_set_irq(&io, 4, false);
	CHECK_EQ(nmsgs, 1);
	vioapic_set_irq(&io, 4, true);
	CHECK_EQ(nmsgs, 2);
	/* Edge entries never get remote IRR, and an EOI does nothing to them. */
	CHECK_EQ(rte_read(4) & IOAPIC_RTE_REMOTE_IRR, 0);
	vioapic_eoi(&io, 0x24);
	CHECK_EQ(nmsgs, 2);
}

TEST(edge_while_masked_is_lost)
{
	fresh();
	rte_write(4, IOAPIC_RTE_MASKED | 0x24);
	vioapic_set_irq(&io, 4, true);
	vioapic_set_irq(&io, 4, false);
	vioapic_set_irq(&io, 4, true);
	CHECK_EQ(nmsgs, 0);
	/* Unmasking with the line high delivers nothing: the edge has passed. */
	rte_write(4, 0x24);
	CHECK_EQ(nmsgs, 0);
	vioapic_set_irq(&io, 4, false);
	vioapic_set_irq(&io, 4, true);
	CHECK_EQ(nmsgs, 1);
}

TEST(level_remote_irr_and_eoi)
{
	fresh();
	rte_write(9, IOAPIC_RTE_LEVEL | DEST(1) | 0x39);
	vioapic_set_irq(&io, 9, true);
	REQUIRE(nmsgs == 1);
	CHECK(msgs[0].level);
	CHECK_EQ(msgs[0].vector, 0x39);
	CHECK(rte_read(9) & IOAPIC_RTE_REMOTE_IRR);
	/* No redelivery while remote IRR is set, however the line moves. */
	vioapic_set_irq(&io, 9, true);
	vioapic_set_irq(&io, 9, false);
	vioapic_set_irq(&io, 9, true);
	CHECK_EQ(nmsgs, 1);
	/* An EOI of another vector leaves it alone. */
	vioapic_eoi(&io, 0x38);
	CHECK_EQ(nmsgs, 1);
	CHECK(rte_read(9) & IOAPIC_RTE_REMOTE_IRR);
	/* EOI with the line still asserted: delivered again. */
	vioapic_eoi(&io, 0x39);
	CHECK_EQ(nmsgs, 2);
	CHECK(rte_read(9) & IOAPIC_RTE_REMOTE_IRR);
	/* The device deasserts; the EOI clears remote IRR and nothing follows. */
	vioapic_set_irq(&io, 9, false);
	vioapic_eoi(&io, 0x39);
	CHECK_EQ(nmsgs, 2);
	CHECK_EQ(rte_read(9) & IOAPIC_RTE_REMOTE_IRR, 0);
	/* The next assertion is delivered at once. */
	vioapic_set_irq(&io, 9, true);
	CHECK_EQ(nmsgs, 3);
}

TEST(eoi_register)
{
	fresh();
	rte_write(10, IOAPIC_RTE_LEVEL | 0x41);
	rte_write(11, IOAPIC_RTE_LEVEL | 0x41); /* shared vector: one EOI serves both */
	vioapic_set_irq(&io, 10, true);
	vioapic_set_irq(&io, 11, true);
	CHECK_EQ(nmsgs, 2);
	vioapic_set_irq(&io, 11, false);
	vioapic_mmio_write(&io, IOAPIC_EOI, 4, 0x41);
	CHECK_EQ(nmsgs, 3); /* pin 10 still asserted */
	CHECK_EQ(rte_read(11) & IOAPIC_RTE_REMOTE_IRR, 0);
	CHECK(rte_read(10) & IOAPIC_RTE_REMOTE_IRR);
	/* Bits 31:8 are ignored. */
	vioapic_set_irq(&io, 10, false);
	vioapic_mmio_write(&io, IOAPIC_EOI, 4, 0xabcd0041);
	CHECK_EQ(rte_read(10) & IOAPIC_RTE_REMOTE_IRR, 0);
	/* The EOI register is write-only. */
	CHECK_EQ(vioapic_mmio_read(&io, IOAPIC_EOI, 4), 0);
}

TEST(writing_edge_clears_remote_irr)
{
	fresh();
	rte_write(12, IOAPIC_RTE_LEVEL | 0x50);
	vioapic_set_irq(&io, 12, true);
	REQUIRE(rte_read(12) & IOAPIC_RTE_REMOTE_IRR);
	/* Linux's EOI for IOAPICs without the register: flip to edge and back. */
	vioapic_set_irq(&io, 12, false);
	reg_write((uint8_t)ioapic_redtbl_index(12), IOAPIC_RTE_MASKED | 0x50);
	CHECK_EQ(rte_read(12) & IOAPIC_RTE_REMOTE_IRR, 0);
	reg_write((uint8_t)ioapic_redtbl_index(12), IOAPIC_RTE_LEVEL | 0x50);
	CHECK_EQ(nmsgs, 1);
}

TEST(polarity_inversion)
{
	fresh();
	/* Active-low edge: the falling electrical edge is the interrupt. */
	rte_write(16, IOAPIC_RTE_ACTIVE_LOW | 0x60);
	vioapic_set_irq(&io, 16, true);
	CHECK_EQ(nmsgs, 0);
	vioapic_set_irq(&io, 16, false);
	CHECK_EQ(nmsgs, 1);
	vioapic_set_irq(&io, 16, true);
	CHECK_EQ(nmsgs, 1);
	/* Active-low level (PCI INTx): low is asserted. */
	rte_write(17, IOAPIC_RTE_ACTIVE_LOW | IOAPIC_RTE_LEVEL | 0x61);
	vioapic_set_irq(&io, 17, true);
	CHECK_EQ(nmsgs, 1);
	vioapic_set_irq(&io, 17, false);
	CHECK_EQ(nmsgs, 2);
	CHECK_EQ(msgs[1].vector, 0x61);
	vioapic_eoi(&io, 0x61);
	CHECK_EQ(nmsgs, 3); /* still low */
	vioapic_set_irq(&io, 17, true);
	vioapic_eoi(&io, 0x61);
	CHECK_EQ(nmsgs, 3);
}

TEST(undriven_pins_stay_quiet)
{
	fresh();
	/* Electrically low but never driven: an active-low level entry does not fire. */
	rte_write(18, IOAPIC_RTE_ACTIVE_LOW | IOAPIC_RTE_LEVEL | 0x62);
	CHECK_EQ(nmsgs, 0);
	vioapic_set_irq(&io, 18, true); /* driven, idle */
	CHECK_EQ(nmsgs, 0);
}

TEST(unmask_of_an_asserted_level_line)
{
	fresh();
	rte_write(3, IOAPIC_RTE_MASKED | IOAPIC_RTE_LEVEL | 0x70);
	vioapic_set_irq(&io, 3, true);
	CHECK_EQ(nmsgs, 0);
	rte_write(3, IOAPIC_RTE_LEVEL | 0x70);
	CHECK_EQ(nmsgs, 1);
	CHECK(rte_read(3) & IOAPIC_RTE_REMOTE_IRR);
	/* Mask, EOI, unmask: delivered again as the line is still up. */
	rte_write(3, IOAPIC_RTE_MASKED | IOAPIC_RTE_LEVEL | 0x70);
	vioapic_eoi(&io, 0x70);
	CHECK_EQ(nmsgs, 1);
	rte_write(3, IOAPIC_RTE_LEVEL | 0x70);
	CHECK_EQ(nmsgs, 2);
	/* A line that dropped while masked is not delivered on unmask. */
	rte_write(3, IOAPIC_RTE_MASKED | IOAPIC_RTE_LEVEL | 0x70);
	vioapic_eoi(&io, 0x70);
	vioapic_set_irq(&io, 3, false);
	rte_write(3, IOAPIC_RTE_LEVEL | 0x70);
	CHECK_EQ(nmsgs, 2);
}

TEST(destination_and_delivery_fields)
{
	fresh();
	rte_write(1, DEST(0x0f) | IOAPIC_RTE_LOGICAL | DM(IRQ_DM_LOWEST) | 0x81);
	rte_write(2, DEST(0xff) | DM(IRQ_DM_FIXED) | 0x82);
	rte_write(7, DEST(5) | DM(IRQ_DM_NMI) | IOAPIC_RTE_LEVEL); /* NMI is edge regardless */
	rte_write(8, DEST(6) | DM(IRQ_DM_SMI));
	rte_write(13, DEST(1) | IOAPIC_RTE_LOGICAL | DM(IRQ_DM_INIT));
	rte_write(14, DEST(0) | DM(IRQ_DM_EXTINT));
	vioapic_set_irq(&io, 1, true);
	vioapic_set_irq(&io, 2, true);
	vioapic_set_irq(&io, 7, true);
	vioapic_set_irq(&io, 8, true);
	vioapic_set_irq(&io, 13, true);
	vioapic_set_irq(&io, 14, true);
	REQUIRE(nmsgs == 6);
	CHECK_EQ(msgs[0].dest, 0x0f);
	CHECK(msgs[0].logical);
	CHECK_EQ(msgs[0].delivery, IRQ_DM_LOWEST);
	CHECK_EQ(msgs[0].vector, 0x81);
	CHECK_EQ(msgs[1].dest, 0xff);
	CHECK(!msgs[1].logical);
	CHECK_EQ(msgs[1].delivery, IRQ_DM_FIXED);
	CHECK_EQ(msgs[2].dest, 5);
	CHECK_EQ(msgs[2].delivery, IRQ_DM_NMI);
	CHECK(!msgs[2].level);
	CHECK_EQ(rte_read(7) & IOAPIC_RTE_REMOTE_IRR, 0);
	CHECK_EQ(msgs[3].delivery, IRQ_DM_SMI);
	CHECK_EQ(msgs[4].delivery, IRQ_DM_INIT);
	CHECK(msgs[4].logical);
	CHECK_EQ(msgs[5].delivery, IRQ_DM_EXTINT);
	/* The level NMI pin behaves as an edge: another rising edge, another NMI. */
	vioapic_set_irq(&io, 7, false);
	vioapic_set_irq(&io, 7, true);
	CHECK_EQ(nmsgs, 7);
}

TEST(reserved_delivery_modes_are_not_delivered)
{
	fresh();
	rte_write(20, DM(3) | 0x90);
	CHECK_EQ(rte_read(20), DM(3) | 0x90); /* stored as written */
	vioapic_set_irq(&io, 20, true);
	rte_write(21, DM(IRQ_DM_STARTUP) | IOAPIC_RTE_LEVEL | 0x91);
	vioapic_set_irq(&io, 21, true);
	CHECK_EQ(nmsgs, 0);
	CHECK_EQ(rte_read(21) & IOAPIC_RTE_REMOTE_IRR, 0);
	CHECK(unit_log_contains("pin 20: reserved delivery mode 3"));
	CHECK(unit_log_contains("pin 21: reserved delivery mode 6"));
}

TEST(bad_pins_offsets_and_sizes)
{
	fresh();
	vioapic_set_irq(&io, VIOAPIC_PINS, true);
	vioapic_set_irq(&io, ~0u, true);
	CHECK(unit_log_contains("pin 24"));
	CHECK_EQ(nmsgs, 0);
	/* Indices outside the table. */
	CHECK_EQ(reg_read(0x03), 0);
	CHECK_EQ(reg_read(0x0f), 0);
	CHECK_EQ(reg_read((uint8_t)ioapic_redtbl_index(VIOAPIC_PINS)), 0);
	CHECK_EQ(reg_read(0xff), 0);
	reg_write(0xff, 0x12345678);
	CHECK(unit_log_contains("does not exist"));
	/* IOREGSEL keeps 8 bits; a byte write is the ICH's index register. */
	vioapic_mmio_write(&io, IOAPIC_REGSEL, 4, 0x1234);
	CHECK_EQ(vioapic_mmio_read(&io, IOAPIC_REGSEL, 4), 0x34);
	vioapic_mmio_write(&io, IOAPIC_REGSEL, 1, IOAPIC_REG_VER);
	CHECK_EQ(vioapic_mmio_read(&io, IOAPIC_REGSEL, 1), IOAPIC_REG_VER);
	CHECK_EQ(vioapic_mmio_read(&io, IOAPIC_WIN, 4), 0x00170020);
	/* Wrong sizes and offsets: read 0, writes ignored. */
	unit_log_clear();
	CHECK_EQ(vioapic_mmio_read(&io, IOAPIC_WIN, 2), 0);
	CHECK_EQ(vioapic_mmio_read(&io, IOAPIC_WIN, 8), 0);
	CHECK_EQ(vioapic_mmio_read(&io, IOAPIC_WIN + 1, 1), 0);
	CHECK_EQ(vioapic_mmio_read(&io, 0x20, 4), 0);
	CHECK_EQ(vioapic_mmio_read(&io, 0xffc, 4), 0);
	CHECK_EQ(vioapic_mmio_read(&io, 0xffffffff, 4), 0);
	CHECK(unit_log_contains("2-byte read at offset 0x10: reads 0"));
	vioapic_mmio_write(&io, IOAPIC_REGSEL, 4, 0x10);
	vioapic_mmio_write(&io, IOAPIC_WIN, 2, 0);
	vioapic_mmio_write(&io, IOAPIC_WIN + 2, 2, 0);
	vioapic_mmio_write(&io, IOAPIC_EOI, 1, 0);
	CHECK(unit_log_contains("2-byte write at offset 0x12: ignored"));
	CHECK_EQ(rte_read(0), IOAPIC_RTE_MASKED);
}

TEST(logging_is_rate_limited)
{
	fresh();
	for (unsigned int i = 0; i < 1000; i++)
		vioapic_set_irq(&io, 100 + i, true);
	CHECK(unit_log_contains("further guest errors not logged"));
	CHECK(!unit_log_contains("pin 132,"));
	CHECK(unit_log_contains("pin 131,"));
}

/* xorshift: deterministic, no libc state. */
static uint32_t rnd(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

TEST(random_accesses_keep_the_invariants)
{
	static const unsigned int sizes[] = {1, 2, 4, 8, 3, 0};
	uint32_t s = 0x1234567;

	fresh();
	for (unsigned int i = 0; i < 200000; i++) {
		uint32_t r = rnd(&s), v = rnd(&s);
		uint32_t off = (r & 1) ? (r >> 8) & 0x4c : r >> 8; /* mostly real registers */
		unsigned int size = (r & 2) ? 4 : sizes[(r >> 2) % ARRAY_SIZE(sizes)];

		switch ((r >> 4) & 7) {
		case 0:
		case 1:
			vioapic_mmio_write(&io, off, size, v);
			break;
		case 2:
			vioapic_mmio_write(&io, IOAPIC_REGSEL, 4, v);
			vioapic_mmio_write(&io, IOAPIC_WIN, 4, rnd(&s));
			break;
		case 3:
			(void)vioapic_mmio_read(&io, off, size);
			break;
		case 4:
		case 5:
			vioapic_set_irq(&io, v % 32, r & 0x80000000u);
			break;
		case 6:
			vioapic_eoi(&io, (uint8_t)v);
			break;
		case 7:
			vioapic_mmio_write(&io, IOAPIC_EOI, 4, v);
			break;
		}
		/* Reserved bits and delivery status never become visible; remote IRR only on level. */
		for (unsigned int pin = 0; pin < VIOAPIC_PINS; pin++) {
			uint64_t e = io.rte[pin];

			CHECK_EQ(e & ~(IOAPIC_RTE_WRITABLE | IOAPIC_RTE_REMOTE_IRR), 0);
			if (e & IOAPIC_RTE_REMOTE_IRR)
				CHECK(e & IOAPIC_RTE_LEVEL);
		}
		CHECK(io.id <= 15);
	}
	CHECK(nmsgs > 0);
	for (unsigned int i = 0; i < MIN(nmsgs, (unsigned int)MAX_MSGS); i++) {
		CHECK(msgs[i].dest <= 0xff);
		CHECK(msgs[i].delivery != 3 && msgs[i].delivery != IRQ_DM_STARTUP);
	}
}
