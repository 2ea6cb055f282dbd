/*
 * The devices of a Linux guest: COM1 (a 16550 on GSI 4) wired to Tandem's
 * console multiplexer, the ACPI PM block and reset port, the 8042's reset
 * command, and statistics marks from the console.
 */
#include <arch.h>
#include <errcode.h>
#include <log.h>
#include <string.h>
#include <x86/vmx_vm.h>
#include "linux_guest_priv.h"

#define COM1_PORT       0x3f8
#define COM1_GSI        4
#define KBC_CMD_PORT    0x64
#define KBC_PULSE_RESET 0xfe

/* ---- console: the guest's UART on Tandem's serial line (console_mux.h) ---- */

static struct console_mux consoles;

static void console_print(const char *str, size_t n)
{
	kprintf("%.*s", (int)n, str);
}

/* uart16550 callback, under uart_lock. */
static void uart_tx(void *ctx, uint8_t byte)
{
	struct linux_guest *g = ctx;

	console_mux_out(&consoles, &g->console, byte);
}

/* A byte typed for this guest (console interrupt, boot CPU). */
static void console_input(void *ctx, uint8_t byte)
{
	struct linux_guest *g = ctx;
	unsigned long f = spin_lock_irqsave(&g->uart_lock);

	if (g->uart_live)
		uart_receive(&g->uart, byte);
	spin_unlock_irqrestore(&g->uart_lock, f);
}

/* A vCPU went idle (HLT): show a partial line left alone a while, such as a shell prompt. */
static void guest_idle(struct vm *vm)
{
	struct linux_guest *g = vm->priv;
	unsigned long f = spin_lock_irqsave(&g->uart_lock);

	console_mux_idle(&consoles, &g->console, arch_time_ns());
	spin_unlock_irqrestore(&g->uart_lock, f);
}

void linux_console_drain(struct linux_guest *g)
{
	unsigned long f = spin_lock_irqsave(&g->uart_lock);

	console_mux_flush(&consoles, &g->console);
	spin_unlock_irqrestore(&g->uart_lock, f);
}

static void uart_irq(void *ctx, bool level)
{
	struct linux_guest *g = ctx;

	irq_line(&g->vm, COM1_GSI, level);
}

static bool uart_read_port(void *ctx, uint64_t port, unsigned int size, uint64_t *val)
{
	struct linux_guest *g = ctx;
	unsigned long f = spin_lock_irqsave(&g->uart_lock);

	*val = uart_read(&g->uart, (unsigned int)(port - COM1_PORT));
	for (unsigned int i = 1; i < size; i++) /* wider reads: the next registers */
		*val |= (uint64_t)uart_read(&g->uart, (unsigned int)(port - COM1_PORT + i))
		        << (8 * i);
	spin_unlock_irqrestore(&g->uart_lock, f);
	return true;
}

static bool uart_write_port(void *ctx, uint64_t port, unsigned int size, uint64_t val)
{
	struct linux_guest *g = ctx;
	unsigned long f = spin_lock_irqsave(&g->uart_lock);

	for (unsigned int i = 0; i < size; i++)
		uart_write(&g->uart, (unsigned int)(port - COM1_PORT + i),
		           (uint8_t)(val >> (8 * i)));
	spin_unlock_irqrestore(&g->uart_lock, f);
	return true;
}

/* ---- ACPI PM block, reset ---- */

static uint32_t pm_timer(void *ctx)
{
	uint64_t ns = arch_time_ns();

	return (uint32_t)(ns / 1000000000u * ACPI_PM_TIMER_HZ +
	                  ns % 1000000000u * ACPI_PM_TIMER_HZ / 1000000000u);
}

static void pm_poweroff(void *ctx)
{
	struct linux_guest *g = ctx;

	log_info("%s: ACPI power-off (S5)", g->cfg.name);
	vm_stop(&g->vm, VM_STOP_POWEROFF);
}

static void pm_reset(void *ctx)
{
	struct linux_guest *g = ctx;

	log_info("%s: reset requested", g->cfg.name);
	vm_stop(&g->vm, VM_STOP_REBOOT);
}

static bool pm_read_port(void *ctx, uint64_t port, unsigned int size, uint64_t *val)
{
	*val = acpi_pm_read(&((struct linux_guest *)ctx)->pm, (uint16_t)port, size);
	return true;
}

static bool pm_write_port(void *ctx, uint64_t port, unsigned int size, uint64_t val)
{
	acpi_pm_write(&((struct linux_guest *)ctx)->pm, (uint16_t)port, size, (uint32_t)val);
	return true;
}

/* The 8042's "pulse reset line" command, which Linux tries when ACPI reset fails. */
static bool kbc_write(void *ctx, uint64_t port, unsigned int size, uint64_t val)
{
	if ((uint8_t)val == KBC_PULSE_RESET)
		pm_reset(ctx);
	return true;
}

static bool kbc_read(void *ctx, uint64_t port, unsigned int size, uint64_t *val)
{
	*val = 0; /* status: output buffer empty, input buffer empty */
	return true;
}

/*
 * Statistics marks: a console line "TANDEM-MARK N" (N a number) makes Tandem
 * print every vCPU's exits, run and steal time since the previous mark
 * (vcpu_stats_mark), and every guest's share of the pCPUs since the
 * previous mark of any guest (linux_guests_mark). In-band,
 * so that a stock guest's shell can take one; a guest that floods them only
 * slows its own console.
 */
#define MARK_PREFIX "TANDEM-MARK "

static void console_line(void *ctx, const char *text, size_t n)
{
	struct linux_guest *g = ctx;
	size_t plen = sizeof(MARK_PREFIX) - 1;
	unsigned int mark = 0;
	unsigned long f;

	if (n <= plen || memcmp(text, MARK_PREFIX, plen) != 0)
		return;
	for (size_t i = plen; i < n && text[i] >= '0' && text[i] <= '9' && mark < 100000; i++)
		mark = mark * 10 + (unsigned int)(text[i] - '0');
	f = spin_lock_irqsave(&g->vm.lock);
	for (unsigned int i = 0; i < g->vm.nvcpus; i++)
		if (g->vm.vcpu[i])
			vcpu_stats_mark(g->vm.vcpu[i], mark);
	spin_unlock_irqrestore(&g->vm.lock, f);
	linux_guests_mark(g, mark);
}

int linux_devices_add(struct linux_guest *g, const struct guest_acpi_cfg *acfg)
{
	const struct vm_device devs[] = {
	    {"com1", false, COM1_PORT, 8, uart_read_port, uart_write_port, g},
	    {"pm1a-evt", false, acfg->pm1a_evt_port, 4, pm_read_port, pm_write_port, g},
	    {"pm1a-cnt", false, acfg->pm1a_cnt_port, 2, pm_read_port, pm_write_port, g},
	    {"pm-tmr", false, acfg->pm_tmr_port, 4, pm_read_port, pm_write_port, g},
	    {"reset", false, acfg->reset_port, 1, pm_read_port, pm_write_port, g},
	    {"kbc", false, KBC_CMD_PORT, 1, kbc_read, kbc_write, g},
	};
	int err = 0;
	unsigned long f = spin_lock_irqsave(&g->uart_lock);

	uart_init(&g->uart);
	g->uart.tx = uart_tx;
	g->uart.irq = uart_irq;
	g->uart.ctx = g;
	g->uart_live = true;
	spin_unlock_irqrestore(&g->uart_lock, f);
	g->vm.priv = g;
	g->vm.on_idle = guest_idle;
	g->pm = (struct acpi_pm){.evt_port = acfg->pm1a_evt_port,
	                         .cnt_port = acfg->pm1a_cnt_port,
	                         .tmr_port = acfg->pm_tmr_port,
	                         .reset_port = acfg->reset_port,
	                         .reset_value = acfg->reset_value,
	                         .s5_slp_typ = acfg->s5_slp_typ,
	                         .timer = pm_timer,
	                         .poweroff = pm_poweroff,
	                         .reset = pm_reset,
	                         .ctx = g};
	acpi_pm_init(&g->pm);
	for (unsigned int i = 0; i < ARRAY_SIZE(devs) && !err; i++)
		err = vm_device_add(&g->vm, &devs[i]);
	return err;
}

void linux_devices_retire(struct linux_guest *g)
{
	unsigned long f = spin_lock_irqsave(&g->uart_lock);

	g->uart_live = false;
	spin_unlock_irqrestore(&g->uart_lock, f);
}

void linux_console_init(void)
{
	console_mux_init(&consoles, console_print);
}

bool linux_console_attach(struct linux_guest *g)
{
	g->console = (struct console_sink){
	    .name = g->cfg.name, .input = console_input, .on_line = console_line, .ctx = g};
	return console_mux_add(&consoles, &g->console) == 0;
}

static void console_rx(uint8_t byte)
{
	console_mux_in(&consoles, byte);
}

void linux_console_input_start(void)
{
	int err = arch_console_input(console_rx);

	if (err)
		log_warn("console: no console input (%s)", err_str(err));
	else if (consoles.nsinks)
		log_info("console: input goes to %s; Ctrl-T ? lists the guests",
		         consoles.sink[0]->name);
}
