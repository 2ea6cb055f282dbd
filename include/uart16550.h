/*
 * A 16550A UART device model (NS16550A data sheet; Linux's 8250 driver is
 * the client that matters), one per guest on COM1/IRQ 4. Register accesses
 * arrive as (offset 0..7, value); output bytes and interrupt-line changes
 * leave through callbacks. Pure: no hardware, host-tested.
 *
 * Modelled: divisor latch (DLAB), IER/IIR with the priority order
 * line-status > received-data > THR-empty > modem-status, 16-byte RX FIFO
 * (FCR enable and reset, trigger level), LSR (DR, OE, THRE, TEMT), MCR with
 * loopback (which the 8250 driver's probe uses), MSR with deltas, SCR.
 * Transmission is instant: a THR write is delivered and THRE rises again.
 */
#ifndef TANDEM_UART16550_H
#define TANDEM_UART16550_H

#include <stdbool.h>
#include <stdint.h>

#define UART_RX_FIFO 16

struct uart16550 {
	/* Callbacks, set by the owner; either may be NULL. */
	void (*tx)(void *ctx, uint8_t byte); /* a byte the guest sent */
	void (*irq)(void *ctx, bool level);  /* the interrupt line changed */
	void *ctx;

	/* Registers. */
	uint8_t ier, lcr, mcr, lsr, msr, scr, fcr;
	uint16_t divisor;
	bool thre_pending; /* THR-empty interrupt armed (cleared by reading IIR or writing THR) */
	bool irq_level;

	uint8_t rx[UART_RX_FIFO];
	unsigned int rx_head, rx_count;
};

void uart_init(struct uart16550 *u);

/* Guest accesses; offset is 0..7 (bigger offsets read 0xff, writes ignored). */
uint8_t uart_read(struct uart16550 *u, unsigned int offset);
void uart_write(struct uart16550 *u, unsigned int offset, uint8_t value);

/* Console input for the guest; false when the FIFO is full (the byte is dropped, OE set). */
bool uart_receive(struct uart16550 *u, uint8_t byte);

#endif
