/*
 * The ACPI fixed-hardware power-management block a Linux guest drives
 * (ACPI 6.5 section 4.8): PM1a event (PM1_STS, PM1_EN) and control
 * (PM1_CNT) registers, the 32-bit PM timer, and the reset register. Ports
 * are the ones the guest's FADT names (guest_acpi.h). Pure: the timer's
 * clock, power-off and reset leave through callbacks; host-tested.
 *
 * Writing PM1_CNT with SLP_EN set and SLP_TYP = the \_S5 value is a
 * power-off; any other sleep type is refused (logged, no state change: a
 * VM does not suspend). Writing the reset value to the reset port resets.
 */
#ifndef TANDEM_ACPI_PM_H
#define TANDEM_ACPI_PM_H

#include <stdbool.h>
#include <stdint.h>

#define ACPI_PM_TIMER_HZ 3579545u

#define ACPI_PM1_STS_TMR        (1u << 0)
#define ACPI_PM1_STS_PWRBTN     (1u << 8)
#define ACPI_PM1_STS_WAK        (1u << 15)
#define ACPI_PM1_CNT_SCI_EN     (1u << 0)
#define ACPI_PM1_CNT_SLP_TYP(v) (((v) >> 10) & 7u)
#define ACPI_PM1_CNT_SLP_EN     (1u << 13)

struct acpi_pm {
	/* Configuration (the FADT's). */
	uint16_t evt_port, cnt_port, tmr_port, reset_port;
	uint8_t reset_value, s5_slp_typ;
	/* Callbacks. */
	uint32_t (*timer)(void *ctx); /* the PM timer: ACPI_PM_TIMER_HZ ticks, wrapping at 2^32 */
	void (*poweroff)(void *ctx);
	void (*reset)(void *ctx);
	void *ctx;
	/* Registers. */
	uint16_t sts, en, cnt;
};

/* Resets the registers (SCI_EN set: the VM is in ACPI mode from the start, no SMI_CMD). */
void acpi_pm_init(struct acpi_pm *pm);

/* True when port lies in one of the blocks (the caller registers them as devices). */
bool acpi_pm_claims(const struct acpi_pm *pm, uint16_t port);

/* Accesses of size 1, 2 or 4 at port; reads of unclaimed bytes are all ones. */
uint32_t acpi_pm_read(struct acpi_pm *pm, uint16_t port, unsigned int size);
void acpi_pm_write(struct acpi_pm *pm, uint16_t port, unsigned int size, uint32_t val);

#endif
