/* 8254 PIT channel 2 as a one-shot delay (gate and OUT2 through port 0x61). */
#include <x86/clocksource.h>
#include <x86/io.h>

#define PIT_CH2     0x42
#define PIT_CMD     0x43
#define PORT_B      0x61
#define PORTB_GATE2 0x01
#define PORTB_SPKR  0x02
#define PORTB_OUT2  0x20
#define CMD_CH2_MODE0_LOHI                                                                         \
	0xb0 /* channel 2, lobyte/hibyte, mode 0 (interrupt on terminal count), binary */

void pit_wait_us(unsigned int us)
{
	uint32_t count = (uint32_t)(PIT_HZ * us / 1000000);
	uint8_t b;

	if (count > 0xffff)
		count = 0xffff;
	b = inb(PORT_B);
	outb(PORT_B, (b & ~PORTB_SPKR) & ~PORTB_GATE2);
	outb(PIT_CMD, CMD_CH2_MODE0_LOHI);
	outb(PIT_CH2, count & 0xff);
	outb(PIT_CH2, count >> 8);
	outb(PORT_B, (b & ~PORTB_SPKR) | PORTB_GATE2); /* rising gate starts the count */
	while (!(inb(PORT_B) & PORTB_OUT2))
		;
}
