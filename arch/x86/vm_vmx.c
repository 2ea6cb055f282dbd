/* Creating and destroying VMs and vCPUs on VMX. */
#include <errcode.h>
#include <frame.h>
#include <kalloc.h>
#include <log.h>
#include <string.h>
#include <vpid.h>
#include <x86/cpuid.h>
#include <x86/percpu.h>
#include <x86/vmcs_fields.h>
#include <x86/vmcs_setup.h>
#include <x86/vmx.h>
#include <x86/timer.h>
#include <x86/vmx_ctls.h>
#include <x86/vmx_vm.h>

static uint64_t gmem_alloc(void *ctx, size_t n, size_t align)
{
	return frame_alloc_contig(&frames, n, align, 0);
}

static void gmem_free(void *ctx, uint64_t pa, size_t n)
{
	frame_free(&frames, pa, n);
}

static void *identity(void *ctx, uint64_t pa)
{
	return (void *)pa;
}

static uint64_t ept_table_alloc(void *ctx)
{
	uint64_t pa = frame_alloc(&frames);

	if (pa)
		memset((void *)pa, 0, FRAME_SIZE);
	return pa;
}

static void ept_table_free(void *ctx, uint64_t pa)
{
	frame_free(&frames, pa, 1);
}

static const struct gmem_ops gmem_ops = {gmem_alloc, gmem_free, identity, NULL};
static const struct ept_ops ept_ops = {ept_table_alloc, ept_table_free, identity, NULL};

int vmx_vm_create(struct vm *vm, const char *name, uint64_t mem_size)
{
	const struct vmx_caps *c = vmx_caps();
	struct ept_features f;
	int err;

	if (!c)
		return -ERR_NOTSUP;
	memset(vm, 0, sizeof(*vm));
	strncpy_safe(vm->name, name, sizeof(vm->name));
	vm->arch = kzalloc(sizeof(*vm->arch));
	if (!vm->arch)
		return -ERR_NOMEM;
	f = (struct ept_features){c->ept.page_2m, c->ept.page_1g, c->ept.exec_only,
	                          cpuid(0x80000008, 0).eax & 0xff};
	err = ept_init(&vm->arch->ept, &ept_ops, &f);
	if (!err)
		err = gmem_create(&vm->mem, mem_size, &gmem_ops);
	if (!err)
		err = ept_map_gmem(&vm->arch->ept, &vm->mem, EPT_RWX);
	if (err) {
		log_err("%s: cannot create the VM with %lu MiB: %s", name, mem_size >> 20,
		        err_str(err));
		vmx_vm_destroy(vm);
		return err;
	}
	vm->arch->eptp = ept_eptp(&vm->arch->ept, false);
	vm->state = VM_NEW;
	return 0;
}

void vmx_vm_destroy(struct vm *vm)
{
	if (vm->arch) {
		/*
		 * Cached translations are tagged by the EPT root: flush them before the
		 * frame can serve another VM (each vCPU flushed its own CPU already).
		 */
		if (vm->arch->ept.pml4) {
			invept_single(vm->arch->eptp);
			ept_destroy(&vm->arch->ept);
		}
		kfree(vm->arch);
		vm->arch = NULL;
	}
	if (vm->mem.nregions)
		gmem_destroy(&vm->mem);
}

struct vcpu *vmx_vcpu_create(struct vm *vm, unsigned int id, const struct vcpu_start *st)
{
	struct vcpu *v;
	int vpid;

	if (id >= VM_MAX_VCPUS || vm->vcpu[id] || vmx_cpu_on() != 0)
		return NULL;
	v = kzalloc(sizeof(*v));
	vpid = vpid_alloc();
	if (!v || vpid < 0) {
		log_err("%s: no memory or VPID for a vCPU", vm->name);
		kfree(v);
		if (vpid > 0)
			vpid_free(vpid);
		return NULL;
	}
	v->vmcs_pa = frame_alloc(&frames);
	if (!v->vmcs_pa) {
		vpid_free(vpid);
		kfree(v);
		return NULL;
	}
	memset((void *)v->vmcs_pa, 0, FRAME_SIZE);
	*(uint32_t *)v->vmcs_pa = vmx_caps()->vmcs_revision; /* SDM 24.2: revision first */
	v->vm = vm;
	v->id = id;
	v->vpid = (uint16_t)vpid;
	v->pcpu = this_cpu()->id;
	v->irq_pending = -1;
	v->xcr0 = 1;
	v->mtrr_def_type = 0xc06;
	/* MTRRs on, default WB: what firmware leaves */ /* x87 only, the reset value (SDM Vol. 1 13.3) */
	if (!vmclear(v->vmcs_pa) || !vmptrld(v->vmcs_pa)) {
		log_err("%s: VMCLEAR/VMPTRLD of a fresh VMCS failed", vm->name);
		frame_free(&frames, v->vmcs_pa, 1);
		vpid_free(vpid);
		kfree(v);
		return NULL;
	}
	this_cpu()->vcpu = v;
	/* A reused VPID may still tag translations of its previous owner (SDM 29.1). */
	invvpid(INVVPID_SINGLE, v->vpid, 0);
	if (vcpu_ctx_init(v) != 0) {
		log_err("%s: no memory for a vCPU's extended state", vm->name);
		vmclear(v->vmcs_pa);
		this_cpu()->vcpu = NULL;
		frame_free(&frames, v->vmcs_pa, 1);
		vpid_free(vpid);
		kfree(v);
		return NULL;
	}
	vcpu_ctx_load(v); /* the reset state, live with the VMCS from now on */
	v->regs.gpr[REG_RSI] = st->rsi;
	vmcs_setup_controls(v, st->mode, vm->arch->eptp);
	vmcs_setup_host();
	vmcs_setup_guest(st);
	unsigned long f = spin_lock_irqsave(&vm->lock);
	vm->vcpu[id] = v;
	if (id >= vm->nvcpus)
		vm->nvcpus = id + 1;
	spin_unlock_irqrestore(&vm->lock, f);
	return v;
}

void vmx_vcpu_reset(struct vcpu *v, const struct vcpu_start *st)
{
	uint32_t entry = vmcs_read32(VMCS_ENTRY_CTLS) & ~VMX_ENTRYCTL(IA32E_GUEST);

	/* SDM Vol. 3A 9.1.1 (Table 9-1): after INIT the GPRs are 0 but EDX, the CPU signature. */
	memset(&v->regs, 0, sizeof(v->regs));
	v->regs.gpr[REG_RDX] = cpuid(1, 0).eax;
	v->regs.gpr[REG_RSI] = st->rsi;
	vcpu_ctx_set_xcr0(v, 1);
	v->mtrr_def_type = 0xc06;
	v->halted = false;
	v->inject.valid = false;
	v->irq_pending = -1;
	v->lapic_deadline = 0;
	if (st->mode == VCPU_MODE_LONG64)
		entry |= VMX_ENTRYCTL(IA32E_GUEST);
	vmcs_write32(VMCS_ENTRY_CTLS, entry);
	vmcs_write32(VMCS_ENTRY_INTR_INFO, 0);
	vmcs_setup_guest(st);
}

void vmx_vcpu_destroy(struct vcpu *v)
{
	unsigned long f = spin_lock_irqsave(&v->vm->lock);

	v->vm->vcpu[v->id] = NULL;
	spin_unlock_irqrestore(&v->vm->lock, f);
	/*
	 * This CPU caches the VM's translations tagged by its EPT root, which the
	 * next VM may get again: drop them here. Other CPUs that ran it flush
	 * at their first vmx_vcpu_get of a vCPU of the next VM (every vCPU's
	 * first get flushes), before it can use the root.
	 */
	invept_single(v->vm->arch->eptp);
	timer_del_sync(&v->vtimer);
	vmclear(v->vmcs_pa);
	if (this_cpu()->vcpu == v)
		this_cpu()->vcpu = NULL;
	vcpu_ctx_fini(v);
	frame_free(&frames, v->vmcs_pa, 1);
	vpid_free(v->vpid);
	kfree(v);
}

void vmx_vcpu_put(struct vcpu *v)
{
	/* Its host timer stays queued where it was armed: it kicks the vCPU wherever it is. */
	vcpu_ctx_save(v);
	vmclear(v->vmcs_pa);
	v->launched = false; /* SDM 24.11.3: a cleared VMCS is entered with VMLAUNCH */
	if (this_cpu()->vcpu == v)
		this_cpu()->vcpu = NULL;
}

int vmx_vcpu_get(struct vcpu *v)
{
	if (vmx_cpu_on() != 0 || !vmptrld(v->vmcs_pa))
		return -ERR_IO;
	this_cpu()->vcpu = v;
	vmcs_setup_host(); /* this CPU's TR, GDT, IDT, GS bases and stack */
	/*
	 * Translations this CPU still caches under the vCPU's VPID or the VM's
	 * EPT root may be from before it ran elsewhere, or from an earlier VM
	 * with the same root: flush both (SDM 28.3.3). Back on the CPU it left
	 * and ran nowhere since, its tagged translations are still right.
	 */
	if (v->pcpu != this_cpu()->id || !v->got_once) {
		invvpid(INVVPID_SINGLE, v->vpid, 0);
		invept_single(v->vm->arch->eptp);
	}
	v->got_once = true;
	v->pcpu = this_cpu()->id;
	vcpu_ctx_load(v);
	return 0;
}
