#include <arch.h>
#include <errcode.h>
#include <hw/apic.h>
#include <irq_route.h>
#include <kalloc.h>
#include <log.h>
#include <vlapic.h>
#include <vm.h>
#include <hw/ioapic.h>
#include <x86/irq.h>
#include <x86/lapic.h>
#include <x86/msr.h>
#include <x86/percpu.h>
#include <x86/cpu.h>
#include <x86/tsc.h>
#include <x86/vcpu_apicv.h>
#include <x86/vcpu_lapic.h>
#include <x86/vcpu_sched.h>

#define X2APIC_MSR_FIRST 0x800u
#define X2APIC_MSR_LAST  0x8ffu

static uint64_t op_now(void *ctx)
{
	return rdtsc(); /* the guest's TSC: no offset */
}

static void op_arm(void *ctx, uint64_t deadline)
{
	((struct vcpu *)ctx)->lapic_deadline = deadline;
}

static void op_send_ipi(void *ctx, const struct irq_msg *m)
{
	irq_send_locked(((struct vcpu *)ctx)->vm, m);
}

static void op_eoi(void *ctx, uint8_t vector)
{
	irq_eoi_locked(((struct vcpu *)ctx)->vm, vector);
}

static void kick(struct vcpu *v)
{
	vcpu_kick(v, PEND_IRQ);
}

static void op_kick(void *ctx)
{
	kick(ctx);
}

static void route_kick(struct vm *vm, unsigned int id)
{
	if (id < vm->nvcpus && vm->vcpu[id])
		kick(vm->vcpu[id]);
}

static const struct vlapic_ops lapic_ops = {op_now, op_arm, op_send_ipi, op_eoi, op_kick};

int vcpu_lapic_create(struct vcpu *v)
{
	struct vlapic *vl = kzalloc(sizeof(*vl));

	if (!vl)
		return -ERR_NOMEM;
	vlapic_init(vl, v->id, v->id == 0, tsc_hz(), tsc_hz(), &lapic_ops, v);
	v->lapic = vl;
	if (apicv_usable() && vcpu_apicv_init(v) != 0) {
		kfree(vl);
		v->lapic = NULL;
		return -ERR_NOMEM;
	}
	v->vm->irq->kick = route_kick;
	irq_route_add_lapic(v->vm, v->id, vl);
	return 0;
}

void vcpu_lapic_destroy(struct vcpu *v)
{
	irq_route_del_lapic(v->vm, v->id);
	vcpu_apicv_fini(v);
	kfree(v->lapic);
	v->lapic = NULL;
}

static unsigned long lock(struct vcpu *v)
{
	return spin_lock_irqsave(&v->vm->irq->lock);
}

static void unlock(struct vcpu *v, unsigned long f)
{
	spin_unlock_irqrestore(&v->vm->irq->lock, f);
}

void vcpu_lapic_timer(struct vcpu *v)
{
	if (v->lapic_deadline && rdtsc() >= v->lapic_deadline) {
		unsigned long f = lock(v);

		v->lapic_deadline = 0;
		vlapic_timer_expired(v->lapic);
		unlock(v, f);
	}
}

int vcpu_lapic_pending(struct vcpu *v)
{
	unsigned long f = lock(v);
	int vec = vlapic_pending_vector(v->lapic);

	unlock(v, f);
	return vec;
}

void vcpu_lapic_ack(struct vcpu *v, uint8_t vector)
{
	unsigned long f = lock(v);

	vlapic_ack(v->lapic, vector);
	unlock(v, f);
}

void vcpu_lapic_signals(struct vcpu *v, struct vcpu_lapic_signals *s)
{
	unsigned long f = lock(v);
	struct vlapic *vl = v->lapic;

	s->init = vl->init_pending;
	if (s->init)
		vlapic_reset(vl);
	s->sipi = vl->sipi_vector;
	vl->sipi_vector = -1;
	s->nmi = vl->nmi_pending;
	vl->nmi_pending = false;
	unlock(v, f);
}

uint64_t vcpu_lapic_cr8(struct vcpu *v)
{
	unsigned long f;
	uint64_t cr8;

	if (!v->lapic)
		return v->cr8;
	f = lock(v);
	cr8 = vlapic_tpr(v->lapic) >> 4;
	unlock(v, f);
	return cr8;
}

void vcpu_lapic_set_cr8(struct vcpu *v, uint64_t cr8)
{
	unsigned long f;

	if (!v->lapic) {
		v->cr8 = cr8;
		return;
	}
	f = lock(v);
	vlapic_set_tpr(v->lapic, (uint32_t)(cr8 & 0xf) << 4);
	unlock(v, f);
}

bool vcpu_lapic_rdmsr(struct vcpu *v, uint32_t msr, uint64_t *val, bool *ok)
{
	unsigned long f;

	if (!v->lapic)
		return false;
	f = lock(v);
	*ok = true;
	if (msr == MSR_IA32_APIC_BASE)
		*val = vlapic_base(v->lapic);
	else if (msr == MSR_IA32_TSC_DEADLINE)
		*val = vlapic_tsc_deadline(v->lapic);
	else if (msr >= X2APIC_MSR_FIRST && msr <= X2APIC_MSR_LAST)
		*ok = vlapic_msr_read(v->lapic, msr, val);
	else {
		unlock(v, f);
		return false;
	}
	unlock(v, f);
	return true;
}

bool vcpu_lapic_wrmsr(struct vcpu *v, uint32_t msr, uint64_t val, bool *ok)
{
	unsigned long f;

	if (!v->lapic)
		return false;
	f = lock(v);
	*ok = true;
	if (msr == MSR_IA32_APIC_BASE)
		*ok = vlapic_set_base(v->lapic, val);
	else if (msr == MSR_IA32_TSC_DEADLINE)
		vlapic_set_tsc_deadline(v->lapic, val);
	else if (msr >= X2APIC_MSR_FIRST && msr <= X2APIC_MSR_LAST)
		*ok = vlapic_msr_write(v->lapic, msr, val);
	else {
		unlock(v, f);
		return false;
	}
	unlock(v, f);
	return true;
}

/* ---- MMIO: the xAPIC page of the accessing vCPU, and the vIOAPIC ---- */

/*
 * The xAPIC page is specified for aligned 32-bit accesses (SDM Vol. 3A
 * 10.4.1); others are model-specific. Tandem answers reads from the dwords
 * they touch and drops narrower or wider writes, as no CPU faults a MOV.
 */
static bool xapic_read(void *ctx, uint64_t gpa, unsigned int size, uint64_t *val)
{
	struct vcpu *v = this_cpu()->vcpu;
	uint32_t off = (uint32_t)(gpa & 0xfff), first = off & ~3u;
	uint64_t raw;
	unsigned long f;

	if (!v || !v->lapic) {
		*val = ~0ull;
		return true;
	}
	f = lock(v);
	raw = vlapic_mmio_read(v->lapic, first);
	if ((off & 3) + size > 4 && first + 4 < 0x1000)
		raw |= (uint64_t)vlapic_mmio_read(v->lapic, first + 4) << 32;
	unlock(v, f);
	raw >>= 8 * (off & 3);
	*val = size >= 8 ? raw : raw & ((1ull << (8 * size)) - 1);
	return true;
}

static bool xapic_write(void *ctx, uint64_t gpa, unsigned int size, uint64_t val)
{
	struct vcpu *v = this_cpu()->vcpu;
	unsigned long f;

	if (!v || !v->lapic)
		return true;
	if (size != 4 || (gpa & 3)) {
		if (v->lapic->log_budget) {
			v->lapic->log_budget--;
			log_info("%s: vCPU %u: %u-byte xAPIC write at %#lx dropped", v->vm->name,
			         v->id, size, gpa);
		}
		return true;
	}
	f = lock(v);
	vlapic_mmio_write(v->lapic, (uint32_t)(gpa & 0xfff), (uint32_t)val);
	unlock(v, f);
	return true;
}

static bool ioapic_read(void *ctx, uint64_t gpa, unsigned int size, uint64_t *val)
{
	struct vm *vm = ctx;
	unsigned long f = spin_lock_irqsave(&vm->irq->lock);

	*val = vioapic_mmio_read(&vm->irq->ioapic, (uint32_t)(gpa & 0xfff), size);
	spin_unlock_irqrestore(&vm->irq->lock, f);
	return true;
}

static bool ioapic_write(void *ctx, uint64_t gpa, unsigned int size, uint64_t val)
{
	struct vm *vm = ctx;
	unsigned long f = spin_lock_irqsave(&vm->irq->lock);

	vioapic_mmio_write(&vm->irq->ioapic, (uint32_t)(gpa & 0xfff), size, (uint32_t)val);
	spin_unlock_irqrestore(&vm->irq->lock, f);
	return true;
}

int vm_irq_devices_add(struct vm *vm)
{
	const struct vm_device xapic = {"xapic",     true, APIC_DEFAULT_BASE, 0x1000, xapic_read,
	                                xapic_write, vm};
	const struct vm_device ioapic = {
	    "ioapic", true, IOAPIC_DEFAULT_BASE, 0x1000, ioapic_read, ioapic_write, vm};
	int err = vm_device_add(vm, &xapic);

	return err ? err : vm_device_add(vm, &ioapic);
}
