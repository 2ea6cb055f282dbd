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
#include <x86/cpu.h>
#include <x86/vcpu_lapic.h>
#include <x86/vcpu_sched.h>
#include <x86/vmx.h>
#include <x86/vmx_vm.h>
#include "linux_guest_priv.h"

#define MAX_REBOOTS 8

static bool opt_exit_after_guests;
BOOT_OPTION_BOOL("exit_after_guests", opt_exit_after_guests,
                 "end the machine (test exit port) once every guest has ended: for system tests");

static unsigned int guests_running;
static bool guests_all_ok = true;
static struct linux_guest *guests[GUEST_MAX];
static unsigned int nguests;
static spinlock_t marks_lock; /* the marks' state and each guest's `live` */

/* Marks read a guest's vCPUs only while it is live: its teardown waits for them. */
static void set_live(struct linux_guest *g, bool live)
{
	unsigned long f = spin_lock_irqsave(&marks_lock);

	g->live = live;
	spin_unlock_irqrestore(&marks_lock, f);
}

/* ---- the vCPUs of one boot, on the credit scheduler ---- */

/*
 * Creates vCPU id (its VMCS made current here, then cleared and handed to
 * the scheduler, blocked). vCPU 0 starts at the kernel's 64-bit entry; the
 * others wait for INIT-SIPI-SIPI.
 */
static struct vcpu *vcpu_new(struct linux_guest *g, unsigned int id)
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
	if (!v)
		return NULL;
	if (vcpu_lapic_create(v) != 0) {
		vmx_vcpu_destroy(v);
		return NULL;
	}
	v->wait_sipi = id != 0;
	if (vcpu_sched_add(v, &g->sdom, g->cfg.pcpus, g->cfg.soft) != 0) {
		vcpu_lapic_destroy(v);
		vmx_vcpu_destroy(v);
		return NULL;
	}
	return v;
}

/* Prints each vCPU's statistics in order and frees them; none is on the scheduler's pCPUs. */
static void vcpus_free(struct linux_guest *g)
{
	for (unsigned int id = 0; id < VM_MAX_VCPUS; id++) {
		struct vcpu *v = g->vm.vcpu[id];
		uint64_t run, steal;

		if (!v)
			continue;
		if (v->entries) {
			vcpu_print_stats(v);
			vcpu_sched_times(v, &run, &steal);
			log_info("%s: vCPU %u: ran %lu ms, waited for a pCPU %lu ms (steal), %lu "
			         "switches in, %lu preemptions, %lu PV yields",
			         g->cfg.name, id, run / 1000000, steal / 1000000, v->time.switches,
			         v->time.preemptions, v->pv_yields);
		}
		if (v->scheduled)
			vcpu_sched_remove(v);
		vcpu_lapic_destroy(v);
		vmx_vcpu_destroy(v);
	}
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

static void guest_ended(struct linux_guest *g, enum vm_stop why)
{
	log_info("%s: guest ended: %s", g->cfg.name, vm_stop_name(why));
	if (why != VM_STOP_POWEROFF)
		guests_all_ok = false;
	if (__atomic_sub_fetch(&guests_running, 1, __ATOMIC_SEQ_CST) == 0) {
		log_info("guests: all ended%s",
		         opt_exit_after_guests ? "; ending the machine" : "");
		vcpu_sched_dump();
		vcpu_sched_trace_dump();
		if (opt_exit_after_guests)
			arch_test_exit(guests_all_ok);
	}
}

static void boot_free(struct linux_guest *g)
{
	linux_devices_retire(g); /* first: console input must not reach vLAPICs being freed */
	vcpus_free(g);
	vmx_vm_destroy(&g->vm);
	kfree(g->lb);
	g->lb = NULL;
}

static void vm_stopped(struct vm *vm);

/*
 * One boot: the VM, the kernel loaded into it, its vCPUs on the scheduler
 * and vCPU 0 woken. Returns 0 once it runs; the rest happens in vm_stopped.
 */
static int boot_start(struct linux_guest *g)
{
	struct guest_acpi_cfg acfg;
	unsigned int n = 0;
	int err;

	g->t0 = arch_time_ns();
	g->lb = kzalloc(sizeof(*g->lb));
	if (!g->lb) {
		log_err("%s: no memory for the loader", g->cfg.name);
		return -ERR_NOMEM;
	}
	guest_acpi_cfg_init(&acfg, g->cfg.vcpus);
	err = vmx_vm_create(&g->vm, g->cfg.name, g->cfg.mem);
	if (err) {
		kfree(g->lb);
		g->lb = NULL;
		return err;
	}
	err = load(g, &acfg);
	if (!err)
		err = vcpu_sched_dom_init(&g->sdom, g->index, g->cfg.weight, g->cfg.cap);
	for (; !err && n < g->cfg.vcpus; n++) {
		if (!vcpu_new(g, n)) {
			log_err("%s: cannot create vCPU %u", g->cfg.name, n);
			err = -ERR_NOMEM;
		}
	}
	if (err) {
		boot_free(g);
		return err;
	}
	g->vm.on_stopped = vm_stopped;
	g->vm.live_vcpus = g->cfg.vcpus;
	g->vm.state = VM_RUNNING;
	set_live(g, true);
	vcpu_kick(g->vm.vcpu[0], PEND_IRQ); /* the boot vCPU runs; the others wait for SIPI */
	return 0;
}

/* Every vCPU has left the scheduler's pCPUs for good: tear down, and boot again on a reboot. */
static void vm_stopped(struct vm *vm)
{
	struct linux_guest *g =
	    (struct linux_guest *)((char *)vm - offsetof(struct linux_guest, vm));
	enum vm_stop why = vm->stop_reason;

	set_live(g, false);
	linux_console_drain(g);
	log_info("%s: stopped after %lu ms: %s", g->cfg.name, (arch_time_ns() - g->t0) / 1000000,
	         vm_stop_name(why));
	boot_free(g);
	while (why == VM_STOP_REBOOT) {
		if (g->boots > MAX_REBOOTS) {
			log_warn("%s: rebooted %u times; not restarting it again", g->cfg.name,
			         MAX_REBOOTS);
			break;
		}
		g->boots++;
		log_info("%s: rebooting (boot %u)", g->cfg.name, g->boots);
		if (boot_start(g) == 0)
			return;
		why = VM_STOP_ENTRY_FAILED;
	}
	guest_ended(g, why);
}

unsigned int linux_guests_start(void)
{
	static struct guest_module mods[BOOTINFO_MAX_MODULES];
	static struct guest_cfg cfgs[GUEST_MAX];
	unsigned int n = boot_module_count(), ng, started = 0;
	struct frame_stats fs;

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
	if (ng && vcpu_sched_init() != 0) {
		log_err("guests: the scheduler cannot start: no guest starts");
		return 0;
	}
	for (unsigned int i = 0; i < ng; i++) {
		struct linux_guest *g = kzalloc(sizeof(*g));
		if (!g) {
			log_err("%s: no memory for the guest", cfgs[i].name);
			continue;
		}
		g->cfg = cfgs[i];
		g->index = i;
		guests[nguests++] = g;
		g->boots = 1;
		log_info("%s: %u vCPU(s) on pCPUs %#lx (preferred %#lx), weight %u, cap %u%%, %lu "
		         "MiB, command line '%s'",
		         g->cfg.name, g->cfg.vcpus, g->cfg.pcpus, g->cfg.soft, g->cfg.weight,
		         g->cfg.cap, g->cfg.mem >> 20, g->cfg.cmdline);
		if (!linux_console_attach(g))
			log_warn("%s: no console slot left: it gets no console input", g->cfg.name);
		__atomic_add_fetch(&guests_running, 1, __ATOMIC_SEQ_CST);
		if (boot_start(g) != 0) {
			guest_ended(g, VM_STOP_ENTRY_FAILED);
			continue;
		}
		started++;
	}
	if (started)
		linux_console_input_start();
	return started;
}

/* Run and steal time of live g's vCPUs so far (ns). */
static void guest_times(struct linux_guest *g, uint64_t *run, uint64_t *steal)
{
	*run = *steal = 0;
	for (unsigned int i = 0; i < g->vm.nvcpus; i++) {
		uint64_t r, s;

		if (!g->vm.vcpu[i])
			continue;
		vcpu_sched_times(g->vm.vcpu[i], &r, &s);
		*run += r;
		*steal += s;
	}
}

void linux_guests_mark(struct linux_guest *by, unsigned int mark)
{
	static uint64_t last;
	unsigned long f = spin_lock_irqsave(&marks_lock);
	uint64_t now = arch_time_ns(), total = 0;

	vcpu_sched_trace_mark(mark);
	for (unsigned int i = 0; i < nguests; i++) {
		struct linux_guest *g = guests[i];
		uint64_t run = 0, steal = 0;

		if (g->live)
			guest_times(g, &run, &steal);
		g->share_run = run - MIN(run, g->share_mark_run);
		g->share_steal = steal - MIN(steal, g->share_mark_steal);
		g->share_mark_run = run;
		g->share_mark_steal = steal;
		total += g->share_run;
	}
	log_info("sched-share: mark %u by %s, %lu ms since the previous mark of any guest:", mark,
	         by->cfg.name, last ? (now - last) / 1000000 : 0);
	for (unsigned int i = 0; i < nguests; i++) {
		struct linux_guest *g = guests[i];

		log_info("sched-share:   %s weight %u: ran %lu ms (%lu.%lu%%), steal %lu ms",
		         g->cfg.name, g->cfg.weight, g->share_run / 1000000,
		         total ? g->share_run * 100 / total : 0,
		         total ? g->share_run * 1000 / total % 10 : 0, g->share_steal / 1000000);
	}
	last = now;
	spin_unlock_irqrestore(&marks_lock, f);
}

static void sched_loop_entry(void *arg)
{
	irq_disable();
	vcpu_sched_loop();
}

void linux_guests_run(void)
{
	for (unsigned int c = 0; c < arch_cpu_count(); c++)
		if (c != arch_cpu_id() && smp_post(c, sched_loop_entry, NULL) != 0)
			panic("sched: pCPU %u cannot run the scheduler's loop, but vCPUs may be "
			      "queued on it",
			      c);
	irq_disable();
	vcpu_sched_loop();
}
