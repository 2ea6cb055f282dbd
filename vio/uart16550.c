#include <string.h>
#include <uart16550.h>

enum {
	RBR_THR = 0,
	IER = 1,
	IIR_FCR = 2,
	LCR = 3,
	MCR = 4,
	LSR = 5,
	MSR = 6,
	SCR = 7
};

#define IER_RDI  0x01 /* received data available */
#define IER_THRI 0x02 /* transmitter holding register empty */
#define IER_RLSI 0x04 /* receiver line status */
#define IER_MSI  0x08 /* modem status */

#define IIR_NONE         0x01
#define IIR_MSI          0x00
#define IIR_THRI         0x02
#define IIR_RDI          0x04
#define IIR_RLSI         0x06
#define IIR_FIFO_ENABLED 0xc0

#define FCR_ENABLE   0x01
#define FCR_CLEAR_RX 0x02
#define LCR_DLAB     0x80

#define MCR_DTR  0x01
#define MCR_RTS  0x02
#define MCR_OUT1 0x04
#define MCR_OUT2 0x08
#define MCR_LOOP 0x10

#define LSR_DR   0x01
#define LSR_OE   0x02
#define LSR_THRE 0x20
#define LSR_TEMT 0x40

#define MSR_DELTAS 0x0f
#define MSR_CTS    0x10
#define MSR_DSR    0x20
#define MSR_RI     0x40
#define MSR_DCD    0x80

/* The pending interrupt of highest priority, as IIR reports it (data sheet Table 4). */
static uint8_t pending(const struct uart16550 *u)
{
	if ((u->ier & IER_RLSI) && (u->lsr & LSR_OE))
		return IIR_RLSI;
	if ((u->ier & IER_RDI) && u->rx_count)
		return IIR_RDI;
	if ((u->ier & IER_THRI) && u->thre_pending)
		return IIR_THRI;
	if ((u->ier & IER_MSI) && (u->msr & MSR_DELTAS))
		return IIR_MSI;
	return IIR_NONE;
}

static void update_irq(struct uart16550 *u)
{
	/* On a PC the line reaches the interrupt controller only with OUT2 set. */
	bool level = pending(u) != IIR_NONE && (u->mcr & MCR_OUT2) && !(u->mcr & MCR_LOOP);

	if (level != u->irq_level) {
		u->irq_level = level;
		if (u->irq)
			u->irq(u->ctx, level);
	}
}

/* Modem-status inputs: external ones are "connected"; in loopback they follow MCR. */
static void update_msr(struct uart16550 *u)
{
	uint8_t in, old = u->msr & 0xf0;

	if (u->mcr & MCR_LOOP)
		in = ((u->mcr & MCR_RTS) ? MSR_CTS : 0) | ((u->mcr & MCR_DTR) ? MSR_DSR : 0) |
		     ((u->mcr & MCR_OUT1) ? MSR_RI : 0) | ((u->mcr & MCR_OUT2) ? MSR_DCD : 0);
	else
		in = MSR_CTS | MSR_DSR | MSR_DCD;
	u->msr = (uint8_t)(in | (u->msr & MSR_DELTAS));
	if ((in ^ old) & MSR_CTS)
		u->msr |= 0x01;
	if ((in ^ old) & MSR_DSR)
		u->msr |= 0x02;
	if ((old & MSR_RI) && !(in & MSR_RI))
		u->msr |= 0x04; /* trailing edge of RI */
	if ((in ^ old) & MSR_DCD)
		u->msr |= 0x08;
}

void uart_init(struct uart16550 *u)
{
	void (*tx)(void *, uint8_t) = u->tx;
	void (*irq)(void *, bool) = u->irq;
	void *ctx = u->ctx;

	memset(u, 0, sizeof(*u));
	u->tx = tx;
	u->irq = irq;
	u->ctx = ctx;
	u->lsr = LSR_THRE | LSR_TEMT;
	u->divisor = 12; /* 9600 baud, as after reset */
	update_msr(u);
	u->msr &= (uint8_t)~MSR_DELTAS;
}

static bool rx_push(struct uart16550 *u, uint8_t b)
{
	unsigned int cap = (u->fcr & FCR_ENABLE) ? UART_RX_FIFO : 1;

	if (u->rx_count >= cap) {
		u->lsr |= LSR_OE;
		return false;
	}
	u->rx[(u->rx_head + u->rx_count) % UART_RX_FIFO] = b;
	u->rx_count++;
	u->lsr |= LSR_DR;
	return true;
}

bool uart_receive(struct uart16550 *u, uint8_t byte)
{
	bool ok = rx_push(u, byte);

	update_irq(u);
	return ok;
}

uint8_t uart_read(struct uart16550 *u, unsigned int offset)
{
	uint8_t v = 0xff;

	switch (offset) {
	case RBR_THR:
		if (u->lcr & LCR_DLAB)
			return (uint8_t)u->divisor;
		v = 0;
		if (u->rx_count) {
			v = u->rx[u->rx_head];
			u->rx_head = (u->rx_head + 1) % UART_RX_FIFO;
			if (--u->rx_count == 0)
				u->lsr &= (uint8_t)~LSR_DR;
		}
		break;
	case IER:
		return (u->lcr & LCR_DLAB) ? (uint8_t)(u->divisor >> 8) : u->ier;
	case IIR_FCR:
		v = pending(u);
		if (v == IIR_THRI)
			u->thre_pending = false; /* reading IIR acknowledges THR-empty */
		if (u->fcr & FCR_ENABLE)
			v |= IIR_FIFO_ENABLED;
		break;
	case LCR:
		return u->lcr;
	case MCR:
		return u->mcr;
	case LSR:
		v = u->lsr;
		u->lsr &= (uint8_t)~LSR_OE; /* reading LSR clears the error bits */
		break;
	case MSR:
		v = u->msr;
		u->msr &= (uint8_t)~MSR_DELTAS;
		break;
	case SCR:
		return u->scr;
	default:
		return 0xff;
	}
	update_irq(u);
	return v;
}

void uart_write(struct uart16550 *u, unsigned int offset, uint8_t value)
{
	switch (offset) {
	case RBR_THR:
		if (u->lcr & LCR_DLAB) {
			u->divisor = (uint16_t)((u->divisor & 0xff00) | value);
			return;
		}
		if (u->mcr & MCR_LOOP)
			rx_push(u, value); /* loopback: the byte comes straight back */
		else if (u->tx)
			u->tx(u->ctx, value);
		u->thre_pending = true; /* instant transmission: empty again */
		break;
	case IER:
		if (u->lcr & LCR_DLAB) {
			u->divisor = (uint16_t)((u->divisor & 0x00ff) | (value << 8));
			return;
		}
		/* Enabling THRI with the holder empty raises the interrupt (as the 8250 driver expects). */
		if ((value & IER_THRI) && !(u->ier & IER_THRI))
			u->thre_pending = true;
		u->ier = value & 0x0f;
		break;
	case IIR_FCR:
		if (value & FCR_CLEAR_RX) {
			u->rx_count = 0;
			u->lsr &= (uint8_t)~LSR_DR;
		}
		u->fcr = value & 0xc9; /* enable, DMA mode, trigger level */
		break;
	case LCR:
		u->lcr = value;
		return;
	case MCR:
		u->mcr = value & 0x1f;
		update_msr(u);
		break;
	case SCR:
		u->scr = value;
		return;
	default: /* LSR and MSR are read-only */
		return;
	}
	update_irq(u);
}
