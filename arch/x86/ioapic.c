/*
 * Host I/O APIC programming: mask everything at boot, then route the few
 * ISA interrupts Tandem takes itself. The MADT says where each I/O APIC is
 * and which GSIs it serves (ACPI 6.5 5.2.12.3) and how ISA IRQs map to GSIs
 * (5.2.12.5). The windows are in the identity map, uncached.
 */
#include <errcode.h>
#include <hw/acpi_tables.h>
#include <hw/ioapic.h>
#include <log.h>
#include <x86/acpi.h>
#include <x86/ioapic.h>

struct host_ioapic {
	volatile uint32_t *mmio;
	uint32_t gsi_base;
	unsigned int pins;
};

static struct host_ioapic ioapics[ACPI_MAX_IOAPICS];
static unsigned int nioapics;
static struct acpi_override overrides[ACPI_MAX_OVERRIDES];
static unsigned int noverrides;

static uint32_t reg_read(struct host_ioapic *io, unsigned int reg)
{
	io->mmio[IOAPIC_REGSEL / 4] = reg;
	return io->mmio[IOAPIC_WIN / 4];
}

static void reg_write(struct host_ioapic *io, unsigned int reg, uint32_t val)
{
	io->mmio[IOAPIC_REGSEL / 4] = reg;
	io->mmio[IOAPIC_WIN / 4] = val;
}

static void rte_write(struct host_ioapic *io, unsigned int pin, uint64_t rte)
{
	/* Mask first, and write the high half before the unmasking low half. */
	reg_write(io, ioapic_redtbl_index(pin), IOAPIC_RTE_MASKED);
	reg_write(io, ioapic_redtbl_index(pin) + 1, (uint32_t)(rte >> 32));
	reg_write(io, ioapic_redtbl_index(pin), (uint32_t)rte);
}

void ioapic_init(const struct acpi_info *ai)
{
	for (unsigned int i = 0; i < ai->nioapics && i < ACPI_MAX_IOAPICS; i++) {
		struct host_ioapic *io = &ioapics[nioapics];
		uint32_t ver;

		io->mmio = (volatile uint32_t *)(uintptr_t)ai->ioapics[i].addr;
		io->gsi_base = ai->ioapics[i].gsi_base;
		ver = reg_read(io, IOAPIC_REG_VER);
		if (ver == 0xffffffffu) {
			log_warn("ioapic: nothing answers at %#x; ignored", ai->ioapics[i].addr);
			continue;
		}
		io->pins = ((ver & IOAPIC_VER_MRE_MASK) >> IOAPIC_VER_MRE_SHIFT) + 1;
		for (unsigned int p = 0; p < io->pins; p++)
			rte_write(io, p, IOAPIC_RTE_MASKED);
		nioapics++;
	}
	noverrides = ai->noverrides < ACPI_MAX_OVERRIDES ? ai->noverrides : ACPI_MAX_OVERRIDES;
	for (unsigned int i = 0; i < noverrides; i++)
		overrides[i] = ai->overrides[i];
}

int ioapic_route_isa(unsigned int irq, uint8_t vector, uint32_t dest)
{
	uint32_t gsi = irq;
	uint64_t rte = vector;

	if (dest > 0xff)
		return -ERR_RANGE;
	for (unsigned int i = 0; i < noverrides; i++) {
		if (overrides[i].irq != irq)
			continue;
		gsi = overrides[i].gsi;
		if (overrides[i].polarity == ACPI_INTI_ACTIVE_LOW)
			rte |= IOAPIC_RTE_ACTIVE_LOW;
		if (overrides[i].trigger == ACPI_INTI_LEVEL)
			rte |= IOAPIC_RTE_LEVEL;
	}
	for (unsigned int i = 0; i < nioapics; i++) {
		struct host_ioapic *io = &ioapics[i];

		if (gsi < io->gsi_base || gsi - io->gsi_base >= io->pins)
			continue;
		rte |= (uint64_t)dest << IOAPIC_RTE_DEST_SHIFT; /* fixed, physical */
		rte_write(io, gsi - io->gsi_base, rte);
		return 0;
	}
	return -ERR_NOENT;
}
