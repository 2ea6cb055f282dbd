/* The host serial console (COM1) and the 0xE9 debug port. */
#ifndef X86_SERIAL_H
#define X86_SERIAL_H

#include <stdbool.h>

/* Probes and programs COM1 at 115200 8N1 and probes port 0xE9. Idempotent. */
void serial_init(void);

/* Waits until the UART has sent every byte (before an emulator exit). */
void serial_flush(void);

/* True when port 0xE9 echoes (Bochs port_e9_hack, QEMU debugcon). */
bool serial_has_debugcon(void);

#endif
