#include <arch.h>
#include <boot/modules.h>
#include <bootinfo.h>
#include <cmdline.h>
#include <errcode.h>
#include <format.h>
#include <frame.h>
#include <kalloc.h>
#include <linux_guest.h>
#include <linux_load.h>
#include <log.h>
#include <smp.h>
#include <string.h>
#include <vm.h>
#include <x86/vcpu_lapic.h>
#include <x86/vmx.h>
#include <x86/vmx_vm.h>
#include "linux_guest_priv.h"

#define MAX_REBOOTS 8

static bool opt_exit_after_guests;
BOOT_OPTION_BOOL("exit_after_guests", opt_exit_after_guests,
                 "end the machine (test exit port) once every guest has ended: for system tests");

static unsigned int guests_running;
static bool guests_all_ok = true;

/* ---- the vCPU threads of one boot: one per vCPU, each on its own pCPU ---- */

static void wait_for(volatile unsigned int *count, unsigned int n)
{
	while (__atomic_load_n(count, __ATOMIC_ACQUIRE) < n)
		__builtin_ia32_pause();
}

/*
 * Creates vCPU id on this pCPU, waits for its siblings, runs it, and once
 * every vCPU of the VM has left its run loop (so no IPI can reach a freed
 * one) prints its statistics and destroys it. vCPU 0 starts at the kernel's
 * 64-bit entry; the others wait for INIT-SIPI-SIPI.
 */
static void vcpu_thread(struct linux_guest *g, unsigned int id)
{
	struct linux_boot *lb = g->lb;
	struct vcpu_start st = {.mode = VCPU_MODE_REAL};
	struct vcpu *v;

	if (id == 0)
		st = (struct vcpu_start){.mode = VCPU_MODE_LONG64,
		                         .rip = lb->rip,
		                         .rsp = lb->rsp,
		                         .rsi = lb->rsi,
		                         .cr3 = lb->cr3,
		                         .gdt = lb->gdt,
		                         .gdt_limit = lb->gdt_limit,
		                         .cs = lb->cs,
		                         .ds = lb->ds};
	v = vmx_vcpu_create(&g->vm, id, &st);
	if (v && vcpu_lapic_create(v) != 0) {
		vmx_vcpu_destroy(v);
		v = NULL;
	}
	if (!v) {
		log_err("%s: cannot create vCPU %u on pCPU %u", g->cfg.name, id, g->pcpu[id]);
		vm_stop(&g->vm, VM_STOP_ENTRY_FAILED);
	} else {
		v->wait_sipi = id != 0;
	}
	__atomic_add_fetch(&g->created, 1, __ATOMIC_SEQ_CST);
	wait_for(&g->created, g->cfg.vcpus);
	if (v)
		vcpu_run(v);
	__atomic_add_fetch(&g->stopped, 1, __ATOMIC_SEQ_CST);
	wait_for(&g->stopped, g->cfg.vcpus);
	wait_for(&g->printed, id); /* statistics in vCPU order, not interleaved */
	if (v)
		vcpu_print_stats(v);
	__atomic_add_fetch(&g->printed, 1, __ATOMIC_SEQ_CST);
	if (v) {
		vcpu_lapic_destroy(v);
		vmx_vcpu_destroy(v);
	}
	__atomic_add_fetch(&g->destroyed, 1, __ATOMIC_SEQ_CST);
}

static void ap_thread(void *arg)
{
	struct vcpu_thread *t = arg;

	vcpu_thread(t->g, t->id);
}

/* ---- one boot of a guest ---- */

static int load(struct linux_guest *g, struct guest_acpi_cfg *acfg)
{
	const struct boot_mod *k = boot_module((unsigned int)g->cfg.kernel);
	const struct boot_mod *rd =
	    g->cfg.initrd >= 0 ? boot_module((unsigned int)g->cfg.initrd) : NULL;
	struct linux_image img = {(const void *)k->start, (size_t)(k->end - k->start),
	                          rd ? (const void *)rd->start : NULL,
	                          rd ? (size_t)(rd->end - rd->start) : 0, g->cmdline};
	struct linux_boot *lb = g->lb;
	int err;

	/* Which boot this is, for the guest's own scripts (a test that reboots once). */
	if (ksnprintf(g->cmdline, sizeof(g->cmdline), "%s%standem.boot=%u", g->cfg.cmdline,
	              g->cfg.cmdline[0] ? " " : "", g->boots) >= sizeof(g->cmdline)) {
		log_err("%s: command line too long (%zu bytes)", g->cfg.name,
		        strlen(g->cfg.cmdline));
		return -ERR_RANGE;
	}

	memset(&g->irq, 0, sizeof(g->irq));
	err = irq_route_init(&g->vm, &g->irq, acfg->ioapic_id);
	if (!err)
		err = vm_irq_devices_add(&g->vm);
	if (!err)
		err = linux_devices_add(g, acfg);
	if (!err)
		err = linux_load(&g->vm.mem, &img, acfg, lb);
	if (err) {
		log_err("%s: cannot load the kernel (module %u): %s", g->cfg.name, k->index,
		        err_str(err));
		return err;
	}
	log_info("%s: Linux %s, protocol %u.%02u, kernel at %#lx, initrd %lu KiB at %#lx, "
	         "%lu MiB RAM, %u vCPU(s), entry %#lx",
	         g->cfg.name, lb->info.kernel_version[0] ? lb->info.kernel_version : "(no version)",
	         lb->info.version >> 8, lb->info.version & 0xff, lb->lay.kernel_gpa,
	         lb->lay.initrd_size >> 10, lb->lay.initrd_gpa, g->cfg.mem >> 20, g->cfg.vcpus,
	         lb->rip);
	return 0;
}

/* Runs on vCPU 0's pCPU; the other vCPUs' threads are posted to theirs. */
static enum vm_stop boot_once(struct linux_guest *g)
{
	struct guest_acpi_cfg acfg;
	enum vm_stop why = VM_STOP_ENTRY_FAILED;
	uint64_t t0 = arch_time_ns();
	int err;

	g->lb = kzalloc(sizeof(*g->lb));
	if (!g->lb) {
		log_err("%s: no memory for the loader", g->cfg.name);
		return why;
	}
	guest_acpi_cfg_init(&acfg, g->cfg.vcpus);
	err = vmx_vm_create(&g->vm, g->cfg.name, g->cfg.mem);
	if (err)
		goto out_free;
	if (load(g, &acfg) != 0)
		goto out_vm;
	g->created = g->stopped = g->printed = g->destroyed = 0;
	g->vm.state = VM_RUNNING;
	for (unsigned int id = 1; id < g->cfg.vcpus; id++) {
		g->thr[id] = (struct vcpu_thread){g, id};
		if (smp_post(g->pcpu[id], ap_thread, &g->thr[id]) != 0) {
			log_err("%s: pCPU %u is busy: vCPU %u cannot start", g->cfg.name,
			        g->pcpu[id], id);
			vm_stop(&g->vm, VM_STOP_ENTRY_FAILED);
			/* Stand in for the thread that never ran. */
			__atomic_add_fetch(&g->created, 1, __ATOMIC_SEQ_CST);
			__atomic_add_fetch(&g->stopped, 1, __ATOMIC_SEQ_CST);
			__atomic_add_fetch(&g->printed, 1, __ATOMIC_SEQ_CST);
			__atomic_add_fetch(&g->destroyed, 1, __ATOMIC_SEQ_CST);
		}
	}
	vcpu_thread(g, 0);
	wait_for(&g->destroyed, g->cfg.vcpus);
	why = g->vm.stop_reason;
	linux_console_drain(g);
	log_info("%s: stopped after %lu ms: %s", g->cfg.name, (arch_time_ns() - t0) / 1000000,
	         vm_stop_name(why));
out_vm:
	linux_devices_retire(g);
	vmx_vm_destroy(&g->vm);
out_free:
	kfree(g->lb);
	g->lb = NULL;
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

/* Gives each vCPU of g its own pCPU among those it may use and nobody uses yet. */
static bool pick_pcpus(struct linux_guest *g, uint64_t *used)
{
	uint64_t avail = g->cfg.pcpus & ~*used;
	unsigned int n = 0;

	if (g->cfg.vcpus > VM_MAX_VCPUS) {
		log_err("%s: refused: %u vCPUs, at most %u", g->cfg.name, g->cfg.vcpus,
		        VM_MAX_VCPUS);
		return false;
	}
	for (unsigned int c = 0; c < 64 && n < g->cfg.vcpus; c++)
		if (avail & (1ull << c))
			g->pcpu[n++] = c;
	if (n < g->cfg.vcpus) {
		log_err("%s: refused: %u vCPUs need as many free pCPUs, %u of those it may use are "
		        "free (each vCPU has a pCPU to itself: no scheduler yet)",
		        g->cfg.name, g->cfg.vcpus, n);
		return false;
	}
	for (unsigned int i = 0; i < n; i++)
		*used |= 1ull << g->pcpu[i];
	return true;
}

static const char *pcpu_list(const struct linux_guest *g, char *buf, size_t len)
{
	size_t at = 0;

	buf[0] = '\0';
	for (unsigned int i = 0; i < g->cfg.vcpus && at < len; i++)
		at += ksnprintf(buf + at, len - at, "%s%u", i ? "," : "", g->pcpu[i]);
	return buf;
}

unsigned int linux_guests_start(void)
{
	static struct guest_module mods[BOOTINFO_MAX_MODULES];
	static struct guest_cfg cfgs[GUEST_MAX];
	unsigned int n = boot_module_count(), ng, started = 0;
	struct frame_stats fs;
	uint64_t used_cpus = 0;
	char list[64];

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
	linux_console_init();
	frame_stats(&frames, &fs);
	/* Keep 16 MiB for Tandem's own allocations (EPT tables, VMCSs, kalloc). */
	uint64_t free_mem =
	    fs.free * FRAME_SIZE > (16ull << 20) ? fs.free * FRAME_SIZE - (16ull << 20) : 0;

	ng = guest_config_build(mods, MIN(n, (unsigned int)ARRAY_SIZE(mods)), arch_cpu_count(),
	                        free_mem, cfgs);
	for (unsigned int i = 0; i < ng; i++) {
		struct linux_guest *g = kzalloc(sizeof(*g));
		if (!g) {
			log_err("%s: no memory for the guest", cfgs[i].name);
			continue;
		}
		g->cfg = cfgs[i];
		/* Until the scheduler exists every vCPU has a pCPU to itself: the first free ones allowed. */
		if (!pick_pcpus(g, &used_cpus)) {
			kfree(g);
			continue;
		}
		log_info("%s: starting on pCPU %s, %lu MiB, command line '%s'", g->cfg.name,
		         pcpu_list(g, list, sizeof(list)), g->cfg.mem >> 20, g->cfg.cmdline);
		__atomic_add_fetch(&guests_running, 1, __ATOMIC_SEQ_CST);
		if (smp_post(g->pcpu[0], guest_main, g) != 0) {
			log_err("%s: pCPU %u is busy", g->cfg.name, g->pcpu[0]);
			__atomic_sub_fetch(&guests_running, 1, __ATOMIC_SEQ_CST);
			kfree(g);
			continue;
		}
		if (!linux_console_attach(g))
			log_warn("%s: no console slot left: it gets no console input", g->cfg.name);
		started++;
	}
	if (started)
		linux_console_input_start();
	return started;
}
