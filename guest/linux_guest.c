#include <acpi_pm.h>
#include <arch.h>
#include <boot/modules.h>
#include <bootinfo.h>
#include <cmdline.h>
#include <errcode.h>
#include <frame.h>
#include <guest_acpi.h>
#include <guest_config.h>
#include <irq_route.h>
#include <kalloc.h>
#include <linux_guest.h>
#include <linux_load.h>
#include <log.h>
#include <smp.h>
#include <string.h>
#include <uart16550.h>
#include <vm.h>
#include <x86/tsc.h>
#include <x86/vcpu_lapic.h>
#include <x86/vmx.h>
#include <x86/vmx_vm.h>

#define COM1_PORT       0x3f8
#define COM1_GSI        4
#define KBC_CMD_PORT    0x64
#define KBC_PULSE_RESET 0xfe
#define MAX_REBOOTS     8
#define LINE_MAX        200

static bool opt_exit_after_guests;
BOOT_OPTION_BOOL("exit_after_guests", opt_exit_after_guests,
                 "end the machine (test exit port) once every guest has ended: for system tests");

static unsigned int guests_running;
static bool guests_all_ok = true;

struct linux_guest {
	struct guest_cfg cfg;
	struct vm vm;
	unsigned int pcpu;
	unsigned int boots;
	struct uart16550 uart;
	char line[LINE_MAX + 1];
	unsigned int line_len;
	struct acpi_pm pm;
	struct vm_irq irq;
};

/* ---- console: the guest's UART output, one prefixed line at a time ---- */

static void console_flush(struct linux_guest *g)
{
	g->line[g->line_len] = '\0';
	kprintf("%s| %s\n", g->cfg.name, g->line);
	g->line_len = 0;
}

static void uart_tx(void *ctx, uint8_t byte)
{
	struct linux_guest *g = ctx;

	if (byte == '\r')
		return;
	if (byte == '\n') {
		console_flush(g);
		return;
	}
	g->line[g->line_len++] = (byte >= 0x20 && byte < 0x7f) || byte == '\t' ? (char)byte : '?';
	if (g->line_len == LINE_MAX)
		console_flush(g);
}

static void uart_irq(void *ctx, bool level)
{
	struct linux_guest *g = ctx;

	irq_line(&g->vm, COM1_GSI, level);
}

static bool uart_read_port(void *ctx, uint64_t port, unsigned int size, uint64_t *val)
{
	struct linux_guest *g = ctx;

	*val = uart_read(&g->uart, (unsigned int)(port - COM1_PORT));
	for (unsigned int i = 1; i < size; i++) /* wider reads: the next registers */
		*val |= (uint64_t)uart_read(&g->uart, (unsigned int)(port - COM1_PORT + i))
		        << (8 * i);
	return true;
}

static bool uart_write_port(void *ctx, uint64_t port, unsigned int size, uint64_t val)
{
	struct linux_guest *g = ctx;

	for (unsigned int i = 0; i < size; i++)
		uart_write(&g->uart, (unsigned int)(port - COM1_PORT + i),
		           (uint8_t)(val >> (8 * i)));
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

static int add_devices(struct linux_guest *g, const struct guest_acpi_cfg *acfg)
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

	uart_init(&g->uart);
	g->uart.tx = uart_tx;
	g->uart.irq = uart_irq;
	g->uart.ctx = g;
	g->line_len = 0;
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

/* ---- one boot of a guest ---- */

static enum vm_stop boot_once(struct linux_guest *g)
{
	const struct boot_mod *k = boot_module((unsigned int)g->cfg.kernel);
	const struct boot_mod *rd =
	    g->cfg.initrd >= 0 ? boot_module((unsigned int)g->cfg.initrd) : NULL;
	struct linux_image img = {(const void *)k->start, (size_t)(k->end - k->start),
	                          rd ? (const void *)rd->start : NULL,
	                          rd ? (size_t)(rd->end - rd->start) : 0, g->cfg.cmdline};
	struct guest_acpi_cfg acfg;
	struct linux_boot *lb;
	struct vcpu *v = NULL;
	enum vm_stop why = VM_STOP_ENTRY_FAILED;
	uint64_t t0 = arch_time_ns();
	int err;

	lb = kzalloc(sizeof(*lb));
	if (!lb) {
		log_err("%s: no memory for the loader", g->cfg.name);
		return why;
	}
	guest_acpi_cfg_init(&acfg, 1);
	err = vmx_vm_create(&g->vm, g->cfg.name, g->cfg.mem);
	if (err)
		goto out_free;
	memset(&g->irq, 0, sizeof(g->irq));
	err = irq_route_init(&g->vm, &g->irq, acfg.ioapic_id);
	if (!err)
		err = vm_irq_devices_add(&g->vm);
	if (!err)
		err = add_devices(g, &acfg);
	if (!err)
		err = linux_load(&g->vm.mem, &img, &acfg, lb);
	if (err) {
		log_err("%s: cannot load the kernel (module %u): %s", g->cfg.name, k->index,
		        err_str(err));
		goto out_vm;
	}
	log_info("%s: Linux %s, protocol %u.%02u, kernel at %#lx, initrd %lu KiB at %#lx, "
	         "%lu MiB RAM, entry %#lx",
	         g->cfg.name, lb->info.kernel_version[0] ? lb->info.kernel_version : "(no version)",
	         lb->info.version >> 8, lb->info.version & 0xff, lb->lay.kernel_gpa,
	         lb->lay.initrd_size >> 10, lb->lay.initrd_gpa, g->cfg.mem >> 20, lb->rip);
	const struct vcpu_start st = {.mode = VCPU_MODE_LONG64,
	                              .rip = lb->rip,
	                              .rsp = lb->rsp,
	                              .rsi = lb->rsi,
	                              .cr3 = lb->cr3,
	                              .gdt = lb->gdt,
	                              .gdt_limit = lb->gdt_limit,
	                              .cs = lb->cs,
	                              .ds = lb->ds};
	v = vmx_vcpu_create(&g->vm, &st);
	if (v && vcpu_lapic_create(v) != 0) {
		vmx_vcpu_destroy(v);
		v = NULL;
	}
	if (!v) {
		log_err("%s: cannot create its vCPU", g->cfg.name);
		goto out_vm;
	}
	vcpu_run(v);
	why = g->vm.stop_reason;
	if (g->line_len)
		console_flush(g);
	log_info("%s: stopped after %lu ms: %s", g->cfg.name, (arch_time_ns() - t0) / 1000000,
	         vm_stop_name(why));
	vcpu_print_stats(v);
	vcpu_lapic_destroy(v);
	vmx_vcpu_destroy(v);
out_vm:
	vmx_vm_destroy(&g->vm);
out_free:
	kfree(lb);
	return why;
}

static void guest_main(void *arg)
{
	struct linux_guest *g = arg;
	enum vm_stop why;

	do {
		g->boots++;
		if (g->boots > 1)
			log_info("%s: rebooting (boot %u)", g->cfg.name, g->boots);
		why = boot_once(g);
	} while (why == VM_STOP_REBOOT && g->boots <= MAX_REBOOTS);
	if (why == VM_STOP_REBOOT)
		log_warn("%s: rebooted %u times; not restarting it again", g->cfg.name,
		         MAX_REBOOTS);
	log_info("%s: guest ended: %s", g->cfg.name, vm_stop_name(why));
	if (why != VM_STOP_POWEROFF)
		guests_all_ok = false;
	if (__atomic_sub_fetch(&guests_running, 1, __ATOMIC_SEQ_CST) == 0) {
		log_info("guests: all ended%s",
		         opt_exit_after_guests ? "; ending the machine" : "");
		if (opt_exit_after_guests)
			arch_test_exit(guests_all_ok);
	}
}

static unsigned int first_cpu(uint64_t mask)
{
	for (unsigned int i = 0; i < 64; i++)
		if (mask & (1ull << i))
			return i;
	return 0;
}

unsigned int linux_guests_start(void)
{
	static struct guest_module mods[BOOTINFO_MAX_MODULES];
	static struct guest_cfg cfgs[GUEST_MAX];
	unsigned int n = boot_module_count(), ng, started = 0;
	struct frame_stats fs;
	uint64_t used_cpus = 0;

	if (n == 0)
		return 0;
	if (!vmx_usable()) {
		log_err("guests: %u module(s) given but VMX is not usable here: no guest starts",
		        n);
		return 0;
	}
	for (unsigned int i = 0; i < n && i < ARRAY_SIZE(mods); i++) {
		const struct boot_mod *m = boot_module(i);

		mods[i] = (struct guest_module){m->cmd, m->index, m->path};
	}
	frame_stats(&frames, &fs);
	/* Keep 16 MiB for Tandem's own allocations (EPT tables, VMCSs, kalloc). */
	uint64_t free_mem =
	    fs.free * FRAME_SIZE > (16ull << 20) ? fs.free * FRAME_SIZE - (16ull << 20) : 0;

	ng = guest_config_build(mods, MIN(n, (unsigned int)ARRAY_SIZE(mods)), arch_cpu_count(),
	                        free_mem, cfgs);
	for (unsigned int i = 0; i < ng; i++) {
		struct linux_guest *g = kzalloc(sizeof(*g));
		uint64_t avail = cfgs[i].pcpus & ~used_cpus;

		if (!g) {
			log_err("%s: no memory for the guest", cfgs[i].name);
			continue;
		}
		g->cfg = cfgs[i];
		/* One guest per pCPU until the scheduler exists: its first free allowed pCPU. */
		if (!avail) {
			log_err(
			    "%s: refused: every pCPU it may use already runs a guest (no scheduler yet)",
			    g->cfg.name);
			kfree(g);
			continue;
		}
		g->pcpu = first_cpu(avail);
		used_cpus |= 1ull << g->pcpu;
		if (g->cfg.vcpus > 1)
			log_warn(
			    "%s: %u vCPUs asked; only the boot vCPU runs until SMP guests exist",
			    g->cfg.name, g->cfg.vcpus);
		log_info("%s: starting on pCPU %u, %lu MiB, command line '%s'", g->cfg.name,
		         g->pcpu, g->cfg.mem >> 20, g->cfg.cmdline);
		__atomic_add_fetch(&guests_running, 1, __ATOMIC_SEQ_CST);
		if (smp_post(g->pcpu, guest_main, g) != 0) {
			log_err("%s: pCPU %u is busy", g->cfg.name, g->pcpu);
			__atomic_sub_fetch(&guests_running, 1, __ATOMIC_SEQ_CST);
			kfree(g);
			continue;
		}
		started++;
	}
	return started;
}
