/*
 * What guest/linux_guest.c (lifecycle, vCPU threads) and guest/linux_devices.c
 * (the devices a Linux guest sees, and its console) share. Nothing else
 * includes it.
 *
 * Lifetime: a struct linux_guest lives from linux_guests_start to the end of
 * Tandem (never freed: the console multiplexer keeps pointing at it); its
 * struct vm is created and destroyed once per boot.
 */
#ifndef TANDEM_LINUX_GUEST_PRIV_H
#define TANDEM_LINUX_GUEST_PRIV_H

#include <acpi_pm.h>
#include <console_mux.h>
#include <guest_acpi.h>
#include <guest_config.h>
#include <irq_route.h>
#include <sched.h>
#include <spinlock.h>
#include <uart16550.h>
#include <vm.h>

#define GUEST_CMDLINE_MAX 2048 /* the boot protocol's cmdline_size on current kernels */

struct linux_boot;

struct linux_guest;

struct linux_guest {
	struct guest_cfg cfg;
	struct vm vm;
	unsigned int index; /* in boot order; its scheduler domain's id */
	struct sched_dom sdom;
	unsigned int boots;
	uint64_t t0; /* this boot started (ns) */
	bool live;   /* its VM and vCPUs exist (from boot_start to vm_stopped) */
	/* Run and steal time at the last mark of any guest, and in the period it ended (ns). */
	uint64_t share_mark_run, share_mark_steal, share_run, share_steal;
	struct linux_boot *lb;           /* this boot's loader output */
	char cmdline[GUEST_CMDLINE_MAX]; /* the module's, plus " tandem.boot=N" */

	/* The UART and its console sink; uart_lock orders before vm_irq.lock. */
	spinlock_t uart_lock;
	bool uart_live; /* the VM exists: input may raise its interrupt line */
	struct uart16550 uart;
	struct console_sink console;
	struct acpi_pm pm;
	struct vm_irq irq;
};

/* linux_guest.c */

/*
 * A statistics mark of guest `by`: every guest's run and steal time since
 * the previous mark of any guest, and the shares of run time, are printed
 * ("sched-share:" lines), and the scheduler trace window follows the marks.
 */
void linux_guests_mark(struct linux_guest *by, unsigned int mark);

/* linux_devices.c */

/* Registers COM1, the ACPI PM block, the reset port and the 8042 for this boot. */
int linux_devices_add(struct linux_guest *g, const struct guest_acpi_cfg *acfg);

/* The VM is going away: console input is dropped from now on. */
void linux_devices_retire(struct linux_guest *g);

/* Once, before any guest: the console multiplexer. */
void linux_console_init(void);

/* g's console sink (its name is g->cfg.name); false when the table is full. */
bool linux_console_attach(struct linux_guest *g);

/* Prints what is left of g's last output line (its VM stopped). */
void linux_console_drain(struct linux_guest *g);

/* After the guests started: host console input to the focused guest. */
void linux_console_input_start(void);

#endif
