#include <acpi_pm.h>
#include <guest_acpi.h>
#include <log.h>

void acpi_pm_init(struct acpi_pm *pm)
{
	pm->sts = 0;
	pm->en = 0;
	pm->cnt = ACPI_PM1_CNT_SCI_EN;
}

static bool in(uint16_t port, uint16_t base, unsigned int len)
{
	return base && port >= base && (unsigned int)(port - base) < len;
}

bool acpi_pm_claims(const struct acpi_pm *pm, uint16_t port)
{
	return in(port, pm->evt_port, 4) || in(port, pm->cnt_port, 2) ||
	       in(port, pm->tmr_port, 4) || in(port, pm->reset_port, 1);
}

/* One byte of a register file; the blocks are byte-addressable little-endian registers. */
static uint8_t read_byte(struct acpi_pm *pm, uint16_t port)
{
	if (in(port, pm->evt_port, 4)) {
		unsigned int off = port - pm->evt_port;
		uint16_t r = off < 2 ? pm->sts : pm->en;

		return (uint8_t)(r >> (8 * (off & 1)));
	}
	if (in(port, pm->cnt_port, 2))
		return (uint8_t)(pm->cnt >> (8 * (port - pm->cnt_port)));
	if (in(port, pm->tmr_port, 4)) {
		uint32_t t = pm->timer ? pm->timer(pm->ctx) : 0;

		return (uint8_t)(t >> (8 * (port - pm->tmr_port)));
	}
	return 0xff;
}

uint32_t acpi_pm_read(struct acpi_pm *pm, uint16_t port, unsigned int size)
{
	uint32_t v = 0;

	/* A 32-bit timer read must be one sample, not four. */
	if (size == 4 && port == pm->tmr_port && pm->tmr_port)
		return pm->timer ? pm->timer(pm->ctx) : 0;
	for (unsigned int i = 0; i < size && i < 4; i++)
		v |= (uint32_t)read_byte(pm, (uint16_t)(port + i)) << (8 * i);
	return v;
}

static void cnt_write(struct acpi_pm *pm, uint16_t val)
{
	/* SCI_EN stays set (no legacy mode); SLP_EN is write-only and reads 0. */
	pm->cnt = (uint16_t)((val & ~ACPI_PM1_CNT_SLP_EN) | ACPI_PM1_CNT_SCI_EN);
	if (!(val & ACPI_PM1_CNT_SLP_EN))
		return;
	if (ACPI_PM1_CNT_SLP_TYP(val) == pm->s5_slp_typ) {
		if (pm->poweroff)
			pm->poweroff(pm->ctx);
		return;
	}
	log_info("acpi-pm: sleep type %u requested; only S5 (type %u) is offered: ignored",
	         ACPI_PM1_CNT_SLP_TYP(val), pm->s5_slp_typ);
}

void acpi_pm_write(struct acpi_pm *pm, uint16_t port, unsigned int size, uint32_t val)
{
	if (size > 4)
		return;
	if (in(port, pm->reset_port, 1)) {
		if ((uint8_t)val == pm->reset_value && pm->reset)
			pm->reset(pm->ctx);
		return;
	}
	if (in(port, pm->cnt_port, 2)) {
		unsigned int off = port - pm->cnt_port;
		uint16_t v = pm->cnt;

		/* Merge a byte write into the register the way the hardware latches it. */
		if (size == 1)
			v = off ? (uint16_t)((v & 0x00ff) | (val & 0xff) << 8)
			        : (uint16_t)((v & 0xff00) | (val & 0xff));
		else if (off == 0)
			v = (uint16_t)val;
		v &= (uint16_t)~ACPI_PM1_CNT_SLP_EN;
		if ((size == 1 && off == 1 && (val & (ACPI_PM1_CNT_SLP_EN >> 8))) ||
		    (size != 1 && off == 0 && (val & ACPI_PM1_CNT_SLP_EN)))
			v |= ACPI_PM1_CNT_SLP_EN;
		cnt_write(pm, v);
		return;
	}
	if (in(port, pm->evt_port, 4)) {
		unsigned int off = port - pm->evt_port;

		for (unsigned int i = 0; i < size && off + i < 4; i++) {
			uint16_t b = (uint16_t)((val >> (8 * i)) & 0xff) << (8 * ((off + i) & 1));

			if (off + i < 2)
				pm->sts &= (uint16_t)~b; /* PM1_STS: write one to clear */
			else
				pm->en =
				    (uint16_t)((pm->en & ~(0xff << (8 * ((off + i) & 1)))) | b);
		}
	}
	/* The timer is read-only. */
}
