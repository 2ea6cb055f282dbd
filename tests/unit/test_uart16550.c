/* The 16550A model against the register behaviour Linux's 8250 driver relies on. */
#include <string.h>
#include <uart16550.h>

#include "unit.h"

static char out[256];
static unsigned int nout, irq_changes;
static bool line;

static void tx(void *ctx, uint8_t b)
{
	if (nout < sizeof(out) - 1)
		out[nout++] = (char)b;
}

static void irq(void *ctx, bool level)
{
	line = level;
	irq_changes++;
}

static struct uart16550 u;

static void fresh(void)
{
	memset(&u, 0, sizeof(u));
	u.tx = tx;
	u.irq = irq;
	uart_init(&u);
	nout = 0;
	irq_changes = 0;
	line = false;
	memset(out, 0, sizeof(out));
}

TEST(probe_like_the_8250_driver)
{
	fresh();
	/* Scratch register holds values (serial8250 autoconfig). */
	uart_write(&u, 7, 0xa5);
	CHECK_EQ(uart_read(&u, 7), 0xa5);
	/* IER writable with DLAB clear; reads back the low nibble. */
	uart_write(&u, 1, 0x0f);
	CHECK_EQ(uart_read(&u, 1), 0x0f);
	uart_write(&u, 1, 0);
	/* Divisor latch through DLAB. */
	uart_write(&u, 3, 0x80);
	uart_write(&u, 0, 0x01);
	uart_write(&u, 1, 0x00);
	CHECK_EQ(uart_read(&u, 0), 0x01);
	CHECK_EQ(u.divisor, 1);
	uart_write(&u, 3, 0x03);
	/* FIFO enabled: IIR bits 7:6 say 16550A. */
	uart_write(&u, 2, 0x07);
	CHECK_EQ(uart_read(&u, 2) & 0xc0, 0xc0);
	/* Loopback: MSR follows MCR (RTS->CTS, DTR->DSR, OUT1->RI, OUT2->DCD). */
	uart_write(&u, 4, 0x10 | 0x0a);
	CHECK_EQ(uart_read(&u, 6) & 0xf0, 0x90);
	uart_write(&u, 4, 0x10 | 0x05);
	CHECK_EQ(uart_read(&u, 6) & 0xf0, 0x60);
	/* Loopback data comes back to the receiver and is not sent. */
	uart_write(&u, 0, 'Z');
	CHECK(uart_read(&u, 5) & 0x01);
	CHECK_EQ(uart_read(&u, 0), 'Z');
	CHECK_EQ(nout, 0);
	/* Unknown offsets read as all ones. */
	CHECK_EQ(uart_read(&u, 8), 0xff);
}

TEST(transmit_and_thre_interrupt)
{
	fresh();
	uart_write(&u, 4, 0x08); /* OUT2: the line reaches the PIC/IOAPIC */
	CHECK(uart_read(&u, 5) & 0x60);
	uart_write(&u, 1, 0x02); /* enable THRI: the empty holder interrupts at once */
	CHECK(line);
	CHECK_EQ(uart_read(&u, 2) & 0x0f, 0x02);
	CHECK(!line); /* reading IIR acknowledged it */
	for (const char *s = "hi\n"; *s; s++)
		uart_write(&u, 0, (uint8_t)*s);
	CHECK_STR(out, "hi\n");
	CHECK(line);
	uart_write(&u, 1, 0);
	CHECK(!line);
}

TEST(receive_fifo_interrupt_and_overrun)
{
	fresh();
	uart_write(&u, 2, 0x01);
	uart_write(&u, 4, 0x08);
	uart_write(&u, 1, 0x05); /* RDI and RLSI */
	CHECK(!line);
	CHECK(uart_receive(&u, 'a'));
	CHECK(line);
	CHECK_EQ(uart_read(&u, 2) & 0x0f, 0x04);
	for (int i = 1; i < UART_RX_FIFO; i++)
		CHECK(uart_receive(&u, (uint8_t)('a' + i)));
	CHECK(!uart_receive(&u, '!'));           /* full: dropped, overrun */
	CHECK_EQ(uart_read(&u, 2) & 0x0f, 0x06); /* line status outranks data */
	CHECK(uart_read(&u, 5) & 0x02);
	CHECK(!(uart_read(&u, 5) & 0x02)); /* cleared by the read */
	for (int i = 0; i < UART_RX_FIFO; i++)
		CHECK_EQ(uart_read(&u, 0), 'a' + i);
	CHECK(!(uart_read(&u, 5) & 0x01));
	CHECK(!line);
	CHECK_EQ(uart_read(&u, 0), 0); /* empty RBR */
}

TEST(no_irq_without_out2_and_fifo_reset)
{
	fresh();
	uart_write(&u, 1, 0x01);
	uart_receive(&u, 'x');
	CHECK(!line);
	CHECK_EQ(irq_changes, 0);
	uart_write(&u, 2, 0x03); /* enable + clear RX */
	CHECK(!(uart_read(&u, 5) & 0x01));
	/* Without the FIFO the receiver holds one byte. */
	uart_write(&u, 2, 0x00);
	CHECK(uart_receive(&u, '1'));
	CHECK(!uart_receive(&u, '2'));
}
