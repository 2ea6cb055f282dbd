/*
 * A virtual I/O APIC: the 82093AA's 24-pin redirection table behind
 * IOREGSEL/IOWIN, plus the EOI register of version-0x20 parts (the ICH's).
 * Device models drive its input pins; each interrupt leaves as one
 * struct irq_msg through ops->deliver, and the vLAPICs' EOIs of level
 * vectors come back through vioapic_eoi(). Pure: no hardware, host-tested.
 *
 * Decisions where the datasheet leaves room (82093AA datasheet 3.2.4):
 *  - An edge on a masked pin is lost, not latched ("edge-sensitive
 *    interrupts signaled on a masked interrupt pin are ignored"; QEMU does
 *    the same). A level pin still asserted when unmasked is delivered.
 *  - NMI, INIT, SMI and ExtINT are edge-only: such an entry programmed
 *    level behaves as edge (no remote IRR), as the datasheet requires.
 *  - Reserved delivery modes (3, 6) are stored as written but never
 *    delivered; each attempt is logged.
 *  - Delivery is instantaneous: delivery status (bit 12) always reads 0.
 *    Remote IRR is set on every level delivery, even if no vLAPIC matches
 *    the destination (deliver() cannot say); an EOI of the vector clears it.
 *  - Writing an entry as edge clears its remote IRR (what KVM does; Linux
 *    relies on it to unstick IOAPICs that lack the EOI register).
 *  - Destination is the 8-bit xAPIC ID or logical mask in bits 63:56; the
 *    82093AA's 4-bit physical ID is widened as on every IOAPIC since. KVM's
 *    extended destination ID (bits 55:49) is not advertised, so those bits
 *    are reserved here like the rest of 55:17.
 *  - An undriven pin floats inactive whatever its polarity (the board's
 *    pull resistor matches the wiring the firmware describes): only pins
 *    that a device has driven with vioapic_set_irq() can interrupt.
 *  - Anything that is not a register reads 0 (as in KVM and QEMU): offsets
 *    other than IOREGSEL/IOWIN/EOI, sizes other than 4 (IOREGSEL also takes
 *    1, the ICH's 8-bit index register), indices past the table.
 *
 * Guest mistakes are answered as the hardware would and logged, at most
 * VIOAPIC_LOG_BUDGET lines per IOAPIC.
 */
#ifndef TANDEM_VIOAPIC_H
#define TANDEM_VIOAPIC_H

#include <stdbool.h>
#include <stdint.h>
#include <irq_msg.h>

#define VIOAPIC_PINS       24
#define VIOAPIC_VERSION    0x20u /* with the EOI register */
#define VIOAPIC_LOG_BUDGET 32

struct vioapic_ops {
	/*
	 * Sends one interrupt message to the vLAPICs. Called with the
	 * caller's serialisation held; it must not call back into this
	 * IOAPIC (a vLAPIC's EOI arrives later, from a guest write).
	 */
	void (*deliver)(void *ctx, const struct irq_msg *m);
};

/*
 * Every field is guarded by the owner's lock (the VM's interrupt-routing
 * lock): the functions below are called serialised. Lifetime: the VM's.
 */
struct vioapic {
	/* Set by vioapic_init(), constant afterwards. */
	const struct vioapic_ops *ops; /* may be NULL: nothing is delivered */
	void *ctx;

	/* Guest-visible registers. */
	uint8_t id;                 /* ID register bits 27:24 */
	uint8_t regsel;             /* IOREGSEL */
	uint64_t rte[VIOAPIC_PINS]; /* reserved bits and delivery status always 0 */

	/* Input pins, bit n for pin n. */
	uint32_t line;   /* electrical level last driven */
	uint32_t driven; /* pins driven since reset; the others float inactive */

	unsigned int logged; /* guest-error lines printed so far */
};

/*
 * Resets the IOAPIC: every entry masked (and otherwise zero), IOREGSEL 0,
 * no pin driven. id is the 4-bit IOAPIC ID the MADT reports. Returns 0, or
 * -ERR_RANGE (logged) when id does not fit in 4 bits.
 */
int vioapic_init(struct vioapic *io, uint8_t id, const struct vioapic_ops *ops, void *ctx);

/*
 * Guest accesses at offset (0 .. IOAPIC_MMIO_SIZE - 1) into the IOAPIC's
 * window, size 1, 2, 4 or 8 bytes. Registers take 32-bit accesses; other
 * accesses read 0 and writes are ignored, logged.
 */
uint32_t vioapic_mmio_read(struct vioapic *io, uint32_t offset, unsigned int size);
void vioapic_mmio_write(struct vioapic *io, uint32_t offset, unsigned int size, uint32_t val);

/*
 * A device's interrupt line into pin: level is the electrical input, which
 * an active-low entry (bit 13) inverts. Edge entries deliver on each
 * inactive-to-active transition while unmasked; level entries deliver
 * while active, unmasked and remote IRR clear. A pin past the table is
 * logged and ignored.
 */
void vioapic_set_irq(struct vioapic *io, unsigned int pin, bool level);

/*
 * A vLAPIC's EOI of a level-triggered vector (broadcast to every IOAPIC),
 * also reached by writing the EOI register: clears remote IRR of the level
 * entries with that vector and delivers again those whose pin is still
 * active and unmasked.
 */
void vioapic_eoi(struct vioapic *io, uint8_t vector);

#endif
