#include <arch.h>
#include <errcode.h>
#include <log.h>
#include <smp.h>
#include <string.h>
#include <testcase.h>
#include "../guests/layout.h"
#include <x86/cpu.h>
#include <x86/tsc.h>
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

	switch (uc->type) {
	case UCALL_SYNC:
		if (g->nsync < GUEST_RUN_MAX_SYNC)
			memcpy(g->sync[g->nsync], uc->args, sizeof(uc->args));
		g->nsync++;
		break;
	case UCALL_ASSERT:
		g->nassert++;
		break;
	case UCALL_PRINT:
		g->nprint++;
		log_info("%s: %s", vm->name, uc->text);
		break;
	}
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

static void run(void *arg)
{
	struct guest_run *g = arg;
	uint64_t cr3 = 0, stack = g->mode == VCPU_MODE_REAL ? GUEST_REAL_SP : GUEST_MEM_SIZE - 16;
	struct vcpu *v;

	g->error = vmx_vm_create(&g->vm, g->name, GUEST_MEM_SIZE);
	if (g->error)
		goto out;
	g->vm.on_ucall = on_ucall;
	g->vm.priv = g;
	const struct vm_device testdev = {"testdev",    false,         TESTDEV_PORT,     4,
	                                  testdev_read, testdev_write, &g->testdev_value};
	vm_device_add(&g->vm, &testdev);
	g->error = load(g, &cr3);
	const struct vcpu_start st = {
	    .mode = g->mode, .rip = GUEST_LOAD_GPA, .rsp = stack, .cr3 = cr3, .gdt = GUEST_GDT_GPA};
	v = g->error ? NULL : vmx_vcpu_create(&g->vm, 0, &st);
	if (!v) {
		g->error = g->error ? g->error : -ERR_NOMEM;
		vmx_vm_destroy(&g->vm);
		goto out;
	}
	if (g->prepare)
		g->prepare(v);
	vcpu_run(v);
	g->stop = g->vm.stop_reason;
	memcpy(g->exits, v->exits, sizeof(g->exits));
	memcpy(g->exit_cycles, v->exit_cycles, sizeof(g->exit_cycles));
	log_info("%s: stopped: %s", g->name, vm_stop_name(g->stop));
	vcpu_print_stats(v);
	vmx_vcpu_destroy(v);
	vmx_vm_destroy(&g->vm);
out:
	if (g->error)
		log_err("%s: could not start: %s", g->name, err_str(g->error));
	__atomic_store_n(&g->finished, true, __ATOMIC_SEQ_CST);
}

void guest_run_start(struct guest_run *g)
{
	g->finished = false;
	if (g->cpu == arch_cpu_id() || g->cpu >= arch_cpu_count()) {
		g->cpu = arch_cpu_id();
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
