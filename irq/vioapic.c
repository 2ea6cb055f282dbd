#include <compiler.h>
#include <errcode.h>
#include <hw/ioapic.h>
#include <log.h>
#include <string.h>
#include <vioapic.h>

_Static_assert(VIOAPIC_PINS <= 32, "pin bitmaps are 32 bits");
_Static_assert(IOAPIC_REG_REDTBL + 2 * VIOAPIC_PINS <= 0x100, "the table fits the 8-bit index");

/* Guest misbehaviour: one line each, up to the budget, then one saying so. */
#define io_log(io, fmt, ...)                                                                       \
	do {                                                                                       \
		if ((io)->logged < VIOAPIC_LOG_BUDGET) {                                           \
			(io)->logged++;                                                            \
			log_info("vioapic %u: " fmt, (io)->id, ##__VA_ARGS__);                     \
			if ((io)->logged == VIOAPIC_LOG_BUDGET)                                    \
				log_info("vioapic %u: further guest errors not logged", (io)->id); \
		}                                                                                  \
	} while (0)

static unsigned int rte_dm(uint64_t e)
{
	return (unsigned int)((e & IOAPIC_RTE_DM_MASK) >> IOAPIC_RTE_DM_SHIFT);
}

/* Level semantics apply to fixed and lowest-priority entries only (3.2.4: the others are edge). */
static bool rte_is_level(uint64_t e)
{
	unsigned int dm = rte_dm(e);

	return (e & IOAPIC_RTE_LEVEL) && (dm == IRQ_DM_FIXED || dm == IRQ_DM_LOWEST);
}

/* The pin's logical state: driven, and at the level its polarity calls active. */
static bool pin_active(const struct vioapic *io, unsigned int pin)
{
	bool high = io->line & (1u << pin);

	if (!(io->driven & (1u << pin)))
		return false;
	return (io->rte[pin] & IOAPIC_RTE_ACTIVE_LOW) ? !high : high;
}

/* Sends the entry's message; a level entry then waits for its EOI (remote IRR). */
static void deliver(struct vioapic *io, unsigned int pin)
{
	uint64_t e = io->rte[pin];
	unsigned int dm = rte_dm(e);
	struct irq_msg m = {
	    .dest = (uint32_t)(e >> IOAPIC_RTE_DEST_SHIFT),
	    .logical = e & IOAPIC_RTE_LOGICAL,
	    .level = rte_is_level(e),
	    .delivery = (uint8_t)dm,
	    .vector = (uint8_t)(e & IOAPIC_RTE_VECTOR_MASK),
	    .shorthand = IRQ_DEST_NONE,
	};

	if (dm == 3 || dm == IRQ_DM_STARTUP) {
		io_log(io, "pin %u: reserved delivery mode %u, not delivered", pin, dm);
		return;
	}
	if (m.level)
		io->rte[pin] |= IOAPIC_RTE_REMOTE_IRR;
	if (io->ops && io->ops->deliver)
		io->ops->deliver(io->ctx, &m);
}

/* A level entry interrupts whenever it can; edge entries only on an edge (set_irq). */
static void service_level(struct vioapic *io, unsigned int pin)
{
	uint64_t e = io->rte[pin];

	if (rte_is_level(e) && !(e & (IOAPIC_RTE_MASKED | IOAPIC_RTE_REMOTE_IRR)) &&
	    pin_active(io, pin))
		deliver(io, pin);
}

int vioapic_init(struct vioapic *io, uint8_t id, const struct vioapic_ops *ops, void *ctx)
{
	if (id > (IOAPIC_ID_MASK >> IOAPIC_ID_SHIFT)) {
		log_err("vioapic: ID %u does not fit the 4-bit ID register", id);
		return -ERR_RANGE;
	}
	memset(io, 0, sizeof(*io));
	io->ops = ops;
	io->ctx = ctx;
	io->id = id;
	for (unsigned int pin = 0; pin < VIOAPIC_PINS; pin++)
		io->rte[pin] = IOAPIC_RTE_MASKED; /* 3.2.4: mask is set after reset */
	return 0;
}

static uint32_t read_reg(struct vioapic *io, uint8_t index)
{
	unsigned int pin;
	uint64_t e;

	switch (index) {
	case IOAPIC_REG_ID:
	case IOAPIC_REG_ARB: /* 3.2.3: the arbitration ID is loaded from the ID */
		return (uint32_t)io->id << IOAPIC_ID_SHIFT;
	case IOAPIC_REG_VER:
		return (VIOAPIC_PINS - 1) << IOAPIC_VER_MRE_SHIFT | VIOAPIC_VERSION;
	}
	if (index < IOAPIC_REG_REDTBL || index >= ioapic_redtbl_index(VIOAPIC_PINS)) {
		io_log(io, "read of register %#x, which does not exist: 0", index);
		return 0;
	}
	pin = (index - IOAPIC_REG_REDTBL) / 2;
	e = io->rte[pin];
	return (index & 1) ? (uint32_t)(e >> 32) : (uint32_t)e;
}

static void write_id(struct vioapic *io, uint32_t val)
{
	if (val & ~IOAPIC_ID_MASK)
		io_log(io, "ID write %#x sets reserved bits; dropped", val);
	io->id = (uint8_t)((val & IOAPIC_ID_MASK) >> IOAPIC_ID_SHIFT);
}

/* One half of pin's entry. Read-only and reserved bits keep their value (reserved: 0). */
static void write_rte(struct vioapic *io, unsigned int pin, bool high, uint32_t val)
{
	uint64_t half = high ? 0xffffffff00000000ull : 0xffffffffull;
	uint64_t v = (uint64_t)val << (high ? 32 : 0);
	uint64_t rsvd = v & ~(IOAPIC_RTE_WRITABLE | IOAPIC_RTE_READONLY);
	uint64_t e;

	if (rsvd)
		io_log(io, "pin %u: entry write %#x sets reserved bits %#x; dropped", pin, val,
		       (uint32_t)(rsvd >> (high ? 32 : 0)));
	e = (io->rte[pin] & ~(half & IOAPIC_RTE_WRITABLE)) | (v & half & IOAPIC_RTE_WRITABLE);
	if (!(e & IOAPIC_RTE_LEVEL))
		e &= ~IOAPIC_RTE_REMOTE_IRR;
	io->rte[pin] = e;
	/* An unmasked (or newly level) entry whose pin is active interrupts now. */
	service_level(io, pin);
}

static void write_reg(struct vioapic *io, uint8_t index, uint32_t val)
{
	switch (index) {
	case IOAPIC_REG_ID:
		write_id(io, val);
		return;
	case IOAPIC_REG_VER:
	case IOAPIC_REG_ARB:
		io_log(io, "write %#x to read-only register %#x ignored", val, index);
		return;
	}
	if (index < IOAPIC_REG_REDTBL || index >= ioapic_redtbl_index(VIOAPIC_PINS)) {
		io_log(io, "write %#x to register %#x, which does not exist, ignored", val, index);
		return;
	}
	write_rte(io, (index - IOAPIC_REG_REDTBL) / 2, index & 1, val);
}

static bool access_ok(struct vioapic *io, uint32_t offset, unsigned int size, bool write)
{
	if ((offset == IOAPIC_REGSEL && (size == 4 || size == 1)) ||
	    (offset == IOAPIC_WIN && size == 4) || (offset == IOAPIC_EOI && size == 4 && write))
		return true;
	io_log(io, "%u-byte %s at offset %#x: %s", size, write ? "write" : "read", offset,
	       write ? "ignored" : "reads 0");
	return false;
}

uint32_t vioapic_mmio_read(struct vioapic *io, uint32_t offset, unsigned int size)
{
	if (!access_ok(io, offset, size, false))
		return 0;
	if (offset == IOAPIC_REGSEL)
		return io->regsel;
	return read_reg(io, io->regsel);
}

void vioapic_mmio_write(struct vioapic *io, uint32_t offset, unsigned int size, uint32_t val)
{
	if (!access_ok(io, offset, size, true))
		return;
	switch (offset) {
	case IOAPIC_REGSEL:
		if (size == 4 && (val & ~0xffu))
			io_log(io, "IOREGSEL write %#x sets reserved bits; dropped", val);
		io->regsel = (uint8_t)val;
		break;
	case IOAPIC_WIN:
		write_reg(io, io->regsel, val);
		break;
	case IOAPIC_EOI:
		vioapic_eoi(io, (uint8_t)val); /* bits 31:8 reserved, ignored */
		break;
	}
}

void vioapic_set_irq(struct vioapic *io, unsigned int pin, bool level)
{
	bool was;

	if (pin >= VIOAPIC_PINS) {
		io_log(io, "set_irq on pin %u, past the %u pins; ignored", pin, VIOAPIC_PINS);
		return;
	}
	was = pin_active(io, pin);
	io->driven |= 1u << pin;
	io->line = level ? io->line | 1u << pin : io->line & ~(1u << pin);
	if (io->rte[pin] & IOAPIC_RTE_MASKED)
		return; /* 3.2.4: edges and level changes on a masked pin have no effect */
	if (rte_is_level(io->rte[pin]))
		service_level(io, pin);
	else if (!was && pin_active(io, pin))
		deliver(io, pin);
}

void vioapic_eoi(struct vioapic *io, uint8_t vector)
{
	for (unsigned int pin = 0; pin < VIOAPIC_PINS; pin++) {
		uint64_t e = io->rte[pin];

		if ((e & IOAPIC_RTE_VECTOR_MASK) != vector || !(e & IOAPIC_RTE_REMOTE_IRR))
			continue;
		io->rte[pin] = e & ~IOAPIC_RTE_REMOTE_IRR;
		service_level(io, pin);
	}
}
