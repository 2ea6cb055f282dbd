#include <arch.h>
#include <errcode.h>
#include <log.h>
#include <smp.h>
#include <x86/percpu.h>
#include <string.h>
#include <testcase.h>
#include "../guests/layout.h"
#include <x86/cpu.h>
#include <x86/tsc.h>
#include <x86/vcpu_lapic.h>
#include <x86/vmx.h>
#include <x86/vmx_vm.h>

#include "guest_run.h"

#define PTE_P_RW  0x3ull
#define PDE_LARGE 0x83ull /* present, writable, 2 MiB page */

static const uint64_t guest_gdt[] = {
    0, 0x00af9b000000ffffull, /* GUEST_SEL_CODE64 */
    0x00cf93000000ffffull,    /* GUEST_SEL_DATA */
    0x00cf9b000000ffffull,    /* GUEST_SEL_CODE32 */
};

/* The test device of layout.h: stores a write, reads back its inverse. */
static bool testdev_read(void *ctx, uint64_t port, unsigned int size, uint64_t *val)
{
	*val = ~*(uint64_t *)ctx & (size >= 8 ? ~0ull : (1ull << (size * 8)) - 1);
	return true;
}

static bool testdev_write(void *ctx, uint64_t port, unsigned int size, uint64_t val)
{
	*(uint64_t *)ctx = val;
	return true;
}

static void on_ucall(struct vm *vm, const struct ucall *uc)
{
	struct guest_run *g = vm->priv;
	unsigned long f = spin_lock_irqsave(&g->ucall_lock);

	switch (uc->type) {
	case UCALL_SYNC:
		if (g->migrate_cpu > 0 && this_cpu()->vcpu)
			__atomic_fetch_or(&this_cpu()->vcpu->pending, PEND_YIELD, __ATOMIC_SEQ_CST);
		if (g->nsync < GUEST_RUN_MAX_SYNC)
			memcpy(g->sync[g->nsync], uc->args, sizeof(uc->args));
		g->nsync++;
		break;
	case UCALL_ASSERT:
		g->nassert++;
		break;
	case UCALL_PRINT:
		if (g->migrate_cpu > 0 && this_cpu()->vcpu)
			__atomic_fetch_or(&this_cpu()->vcpu->pending, PEND_YIELD, __ATOMIC_SEQ_CST);
		g->nprint++;
		log_info("%s: %s", vm->name, uc->text);
		break;
	}
	spin_unlock_irqrestore(&g->ucall_lock, f);
}

static int load(struct guest_run *g, uint64_t *cr3)
{
	size_t len = (size_t)(g->image_end - g->image);
	struct gmem *m = &g->vm.mem;
	int err = 0;

	if (len == 0 || len > GUEST_IMAGE_MAX)
		return -ERR_RANGE;
	err |= gmem_copy_to(m, GUEST_LOAD_GPA, g->image, len);
	err |= gmem_copy_to(m, GUEST_GDT_GPA, guest_gdt, sizeof(guest_gdt));
	*cr3 = 0;
	if (g->mode == VCPU_MODE_LONG64) {
		uint64_t pml4e = GUEST_PDPT_GPA | PTE_P_RW, pdpte = GUEST_PD_GPA | PTE_P_RW;

		err |= gmem_copy_to(m, GUEST_PML4_GPA, &pml4e, 8);
		err |= gmem_copy_to(m, GUEST_PDPT_GPA, &pdpte, 8);
		for (uint64_t i = 0; i < 512; i++) {
			uint64_t pde = (i << 21) | PDE_LARGE;

			err |= gmem_copy_to(m, GUEST_PD_GPA + i * 8, &pde, 8);
		}
		*cr3 = GUEST_PML4_GPA;
	}
	return err ? -ERR_RANGE : 0;
}

static unsigned int nvcpus(const struct guest_run *g)
{
	return g->nvcpus > 1 ? g->nvcpus : 1;
}

static void arrive(volatile unsigned int *count)
{
	__atomic_add_fetch(count, 1, __ATOMIC_SEQ_CST);
}

static void wait_for(volatile unsigned int *count, unsigned int n)
{
	while (__atomic_load_n(count, __ATOMIC_ACQUIRE) < n)
		cpu_relax();
}

/* On the other CPU: take the vCPU, run it to its next yield or its end, give it back. */
static void run_elsewhere(void *arg)
{
	struct guest_run *g = arg;
	struct vcpu *v = g->vm.vcpu[0];

	if (vmx_vcpu_get(v) == 0) {
		if (g->migrations < ARRAY_SIZE(g->pcpu_trail))
			g->pcpu_trail[g->migrations] = v->pcpu;
		g->migrations++;
		vcpu_run(v);
		vmx_vcpu_put(v);
	} else {
		vm_stop(&g->vm, VM_STOP_ENTRY_FAILED);
	}
	__atomic_store_n(&g->away_done, true, __ATOMIC_SEQ_CST);
}

/*
 * vCPU 0 yielded: run it on migrate_cpu until it yields again, bring it
 * back here, repeat until the VM stops; it ends on this CPU, which destroys it.
 */
static void migrate_until_done(struct guest_run *g, struct vcpu *v)
{
	while (g->vm.state == VM_RUNNING) {
		vmx_vcpu_put(v);
		g->away_done = false;
		if (smp_post((unsigned int)g->migrate_cpu, run_elsewhere, g) != 0) {
			vm_stop(&g->vm, VM_STOP_KILLED);
			vmx_vcpu_get(v);
			return;
		}
		while (!__atomic_load_n(&g->away_done, __ATOMIC_ACQUIRE))
			cpu_relax();
		if (vmx_vcpu_get(v) != 0)
			return;
		if (g->migrations < ARRAY_SIZE(g->pcpu_trail))
			g->pcpu_trail[g->migrations] = v->pcpu;
		g->migrations++;
		if (g->vm.state == VM_RUNNING)
			vcpu_run(v);
	}
}

/*
 * Creates vCPU id on this pCPU, meets its siblings, runs it, and once every
 * vCPU has left its run loop (no kick or IPI can reach a freed one) records
 * and prints its statistics and destroys it. vCPU 0 starts at the image;
 * the others wait for INIT/STARTUP in real mode, as APs do after power-on.
 */
static void vcpu_thread(struct guest_run *g, unsigned int id)
{
	uint64_t stack = g->mode == VCPU_MODE_REAL ? GUEST_REAL_SP : GUEST_MEM_SIZE - 16;
	struct vcpu_start st = {.mode = VCPU_MODE_REAL};
	unsigned int n = nvcpus(g);
	struct vcpu *v;

	if (id == 0)
		st = (struct vcpu_start){.mode = g->mode,
		                         .rip = GUEST_LOAD_GPA,
		                         .rsp = stack,
		                         .rsi = g->arg,
		                         .cr3 = g->cr3,
		                         .gdt = GUEST_GDT_GPA};
	v = vmx_vcpu_create(&g->vm, id, &st);
	if (v && g->lapic && vcpu_lapic_create(v) != 0) {
		vmx_vcpu_destroy(v);
		v = NULL;
	}
	if (!v) {
		log_err("%s: cannot create vCPU %u on pCPU %u", g->name, id, arch_cpu_id());
		g->error = -ERR_NOMEM;
		vm_stop(&g->vm, VM_STOP_ENTRY_FAILED);
	} else {
		v->wait_sipi = id != 0;
		if (id == 0 && g->prepare)
			g->prepare(v);
	}
	arrive(&g->created);
	wait_for(&g->created, n);
	if (v)
		vcpu_run(v);
	if (v && id == 0 && n == 1 && g->migrate_cpu > 0)
		migrate_until_done(g, v);
	arrive(&g->stopped);
	wait_for(&g->stopped, n);
	wait_for(&g->printed, id); /* statistics in vCPU order */
	if (v) {
		memcpy(id == 0 ? g->exits : g->ap_exits, v->exits, sizeof(g->exits));
		if (id == 0)
			memcpy(g->exit_cycles, v->exit_cycles, sizeof(g->exit_cycles));
		vcpu_print_stats(v);
	}
	arrive(&g->printed);
	if (v) {
		if (g->lapic)
			vcpu_lapic_destroy(v);
		vmx_vcpu_destroy(v);
	}
	arrive(&g->destroyed);
}

static void ap_thread(void *arg)
{
	vcpu_thread(arg, 1);
}

/* The VM and its devices; vCPU 0's thread runs here, vCPU 1's is posted to ap_cpu. */
static void run(void *arg)
{
	struct guest_run *g = arg;
	unsigned int n = nvcpus(g);

	g->error = vmx_vm_create(&g->vm, g->name, GUEST_MEM_SIZE);
	if (g->error)
		goto out;
	g->vm.on_ucall = on_ucall;
	g->vm.priv = g;
	const struct vm_device testdev = {"testdev",    false,         TESTDEV_PORT,     4,
	                                  testdev_read, testdev_write, &g->testdev_value};
	g->error = vm_device_add(&g->vm, &testdev);
	if (!g->error && g->lapic) {
		memset(&g->irq, 0, sizeof(g->irq));
		g->error =
		    irq_route_init(&g->vm, &g->irq, (uint8_t)n); /* IOAPIC ID after the LAPICs' */
		if (!g->error)
			g->error = vm_irq_devices_add(&g->vm);
	}
	if (!g->error)
		g->error = load(g, &g->cr3);
	if (!g->error && n > 1 && smp_post(g->ap_cpu, ap_thread, g) != 0)
		g->error = -ERR_BUSY;
	if (g->error) {
		vmx_vm_destroy(&g->vm);
		goto out;
	}
	vcpu_thread(g, 0);
	wait_for(&g->destroyed, n);
	g->stop = g->vm.stop_reason;
	log_info("%s: stopped: %s", g->name, vm_stop_name(g->stop));
	vmx_vm_destroy(&g->vm);
out:
	if (g->error)
		log_err("%s: could not start: %s", g->name, err_str(g->error));
	__atomic_store_n(&g->finished, true, __ATOMIC_SEQ_CST);
}

void guest_run_start(struct guest_run *g)
{
	unsigned int n = nvcpus(g);

	g->finished = false;
	g->lapic = g->lapic || n > 1;
	g->created = g->stopped = g->printed = g->destroyed = 0;
	g->ucall_lock = (spinlock_t)SPINLOCK_INIT;
	if (g->cpu >= arch_cpu_count())
		g->cpu = arch_cpu_id();
	/* vCPU 1's thread needs an idle CPU of its own: not vCPU 0's, not ours. */
	if (n > GUEST_RUN_MAX_VCPUS ||
	    (n > 1 && (g->ap_cpu == arch_cpu_id() || g->ap_cpu == g->cpu ||
	               g->ap_cpu >= arch_cpu_count()))) {
		g->error = -ERR_RANGE;
		log_err("%s: cannot run %u vCPUs on pCPUs %u and %u", g->name, n, g->cpu,
		        g->ap_cpu);
		g->finished = true;
		return;
	}
	if (g->cpu == arch_cpu_id()) {
		run(g);
		return;
	}
	if (smp_post(g->cpu, run, g) != 0) {
		g->error = -ERR_BUSY;
		g->finished = true;
	}
}

bool guest_run_wait(struct guest_run *g, unsigned int timeout_ms)
{
	uint64_t end = rdtsc() + ns_to_tsc((uint64_t)timeout_ms * 1000000);

	while (!g->finished && rdtsc() < end)
		cpu_relax();
	if (g->finished)
		return true;
	log_err("%s: no end after %u ms: killing it", g->name, timeout_ms);
	vm_stop(&g->vm, VM_STOP_KILLED);
	end = rdtsc() + ns_to_tsc(1000000000ull);
	while (!g->finished && rdtsc() < end)
		cpu_relax();
	return false;
}

bool guest_run_possible(void)
{
	if (vmx_usable())
		return true;
	test_skip("no usable VMX here; the Bochs tier runs it");
	return false;
}
