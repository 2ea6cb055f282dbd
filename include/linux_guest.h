/*
 * Linux guests from the Multiboot modules (guest_config.h): each valid
 * guest gets a VM with its own memory, UART, ACPI PM block and reset port,
 * and its vCPUs are the credit scheduler's, on the pCPUs its pcpus list
 * allows, sharing them with other guests' by weight and cap. A guest that
 * asks to reboot restarts from its modules; one that powers off, crashes
 * or hits an unhandled exit is stopped with its exit statistics, and the
 * others go on.
 */
#ifndef TANDEM_LINUX_GUEST_H
#define TANDEM_LINUX_GUEST_H

/* Builds the configurations from the boot modules and starts every valid guest. */
unsigned int linux_guests_start(void);

/* Then every pCPU runs the scheduler's loop, the caller's included: never returns. */
__attribute__((noreturn)) void linux_guests_run(void);

#endif
