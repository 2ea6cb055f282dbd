/*
 * 16550 UART on COM1 (polled), plus Bochs/QEMU's port 0xE9 debug console when
 * present. This is the arch_console_* implementation.
 */
#include <arch.h>
#include <errcode.h>
#include <x86/io.h>
#include <x86/ioapic.h>
#include <x86/irq.h>
#include <x86/percpu.h>
#include <x86/serial.h>

/* 16550 registers (offsets from the base port) and bits, per the NS16550A data sheet. */
enum uart_reg {
	UART_THR = 0, /* transmit holding (write), receive buffer (read) */
	UART_IER = 1,
	UART_FCR = 2,
	UART_LCR = 3,
	UART_MCR = 4,
	UART_LSR = 5,
	UART_SCR = 7,
	UART_DLL = 0, /* with LCR.DLAB */
	UART_DLM = 1,
};
#define LCR_8N1          0x03
#define LCR_DLAB         0x80
#define LSR_DR           0x01
#define LSR_THRE         0x20
#define LSR_TEMT         0x40 /* transmitter and FIFO empty */
#define MCR_DTR_RTS_OUT2 0x0b
#define FCR_ENABLE_CLEAR 0x07

#define IER_RX_DATA 0x01 /* interrupt when received data is available */
#define COM1_IRQ    4

#define COM1_BASE   0x3f8
#define DEBUGCON    0xe9
#define UART_CLOCK  115200
#define TX_SPIN_MAX 100000 /* ~0.1 s at a microsecond per port read: never hang on a dead UART */

static struct {
	uint16_t base;
	bool uart;
	bool debugcon;
} con = {COM1_BASE, false, false};

void serial_init(void)
{
	uint16_t b = con.base;

	/* A UART is there if its scratch register holds a value. */
	outb(b + UART_SCR, 0x5a);
	con.uart = inb(b + UART_SCR) == 0x5a;
	if (con.uart) {
		unsigned int div = UART_CLOCK / 115200;

		outb(b + UART_IER, 0);
		outb(b + UART_LCR, LCR_DLAB);
		outb(b + UART_DLL, div & 0xff);
		outb(b + UART_DLM, div >> 8);
		outb(b + UART_LCR, LCR_8N1);
		outb(b + UART_FCR, FCR_ENABLE_CLEAR);
		outb(b + UART_MCR, MCR_DTR_RTS_OUT2);
	}
	/* Bochs (port_e9_hack) and QEMU's debugcon read back 0xE9. */
	con.debugcon = inb(DEBUGCON) == DEBUGCON;
}

bool serial_has_debugcon(void)
{
	return con.debugcon;
}

static void uart_putc(char c)
{
	for (int i = 0; i < TX_SPIN_MAX; i++)
		if (inb(con.base + UART_LSR) & LSR_THRE)
			break;
	outb(con.base + UART_THR, (uint8_t)c);
}

void arch_console_write(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n' && con.uart)
			uart_putc('\r');
		if (con.uart)
			uart_putc(s[i]);
		if (con.debugcon)
			outb(DEBUGCON, (uint8_t)s[i]);
	}
}

void serial_flush(void)
{
	for (int i = 0; con.uart && i < TX_SPIN_MAX; i++)
		if (inb(con.base + UART_LSR) & LSR_TEMT)
			break;
}

int arch_console_getc(void)
{
	if (!con.uart || !(inb(con.base + UART_LSR) & LSR_DR))
		return -1;
	return inb(con.base + UART_THR);
}

static void (*input_fn)(uint8_t byte);

/* Drain the FIFO: the line drops once it is empty, so the next byte is a new edge. */
static void rx_irq(struct irq_frame *f)
{
	int c;

	while ((c = arch_console_getc()) >= 0)
		if (input_fn)
			input_fn((uint8_t)c);
}

int arch_console_input(void (*fn)(uint8_t byte))
{
	int err;

	if (!con.uart)
		return -ERR_NOTSUP;
	input_fn = fn;
	irq_register(VEC_CONSOLE, rx_irq);
	err = ioapic_route_isa(COM1_IRQ, VEC_CONSOLE, percpu[0].apic_id);
	if (err)
		return err;
	outb(con.base + UART_IER, IER_RX_DATA);
	while (arch_console_getc() >= 0) /* stale input from before boot */
		;
	return 0;
}
