#include <errcode.h>
#include <irq_route.h>
#include <log.h>
#include <msi.h>
#include <vlapic.h>

static void ioapic_deliver(void *ctx, const struct irq_msg *m)
{
	irq_send_locked(ctx, m);
}

static const struct vioapic_ops ioapic_ops = {ioapic_deliver};

int irq_route_init(struct vm *vm, struct vm_irq *irq, uint8_t ioapic_id)
{
	vm->irq = irq;
	irq->lock = (spinlock_t)SPINLOCK_INIT;
	irq->kick = NULL;
	irq->pick = irq_pick_lowest_ppr;
	return vioapic_init(&irq->ioapic, ioapic_id, &ioapic_ops, vm);
}

void irq_route_add_lapic(struct vm *vm, unsigned int vcpu, struct vlapic *vl)
{
	if (vcpu >= VM_MAX_VCPUS)
		return;
	vm->irq->lapic[vcpu] = vl;
	if (vcpu + 1 > vm->irq->nlapics)
		vm->irq->nlapics = vcpu + 1;
}

void irq_route_del_lapic(struct vm *vm, unsigned int vcpu)
{
	unsigned long f;

	if (vcpu >= VM_MAX_VCPUS || !vm->irq)
		return;
	f = spin_lock_irqsave(&vm->irq->lock);
	vm->irq->lapic[vcpu] = NULL;
	spin_unlock_irqrestore(&vm->irq->lock, f);
}

unsigned int irq_pick_lowest_ppr(struct vm *vm, const unsigned int *cand, unsigned int n)
{
	struct vm_irq *irq = vm->irq;
	unsigned int best = cand[irq->rr++ % n];
	uint32_t best_ppr = vlapic_ppr(irq->lapic[best]);

	for (unsigned int i = 0; i < n; i++) {
		uint32_t p = vlapic_ppr(irq->lapic[cand[i]]);

		if ((p & 0xf0) < (best_ppr & 0xf0)) {
			best = cand[i];
			best_ppr = p;
		}
	}
	return best;
}

void irq_send_locked(struct vm *vm, const struct irq_msg *m)
{
	struct vm_irq *irq = vm->irq;
	unsigned int cand[VM_MAX_VCPUS], n = 0;

	for (unsigned int i = 0; i < irq->nlapics; i++)
		if (irq->lapic[i] && vlapic_match_dest(irq->lapic[i], m))
			cand[n++] = i;
	if (n == 0) {
		irq->dropped++;
		return;
	}
	if (m->delivery == IRQ_DM_LOWEST && m->shorthand == IRQ_DEST_NONE) {
		cand[0] = irq->pick(vm, cand, n);
		n = 1;
	}
	for (unsigned int i = 0; i < n; i++)
		if (vlapic_accept(irq->lapic[cand[i]], m)) {
			irq->delivered++;
			if (irq->kick)
				irq->kick(vm, cand[i]);
		}
}

void irq_eoi_locked(struct vm *vm, uint8_t vector)
{
	vioapic_eoi(&vm->irq->ioapic, vector);
}

void irq_send(struct vm *vm, const struct irq_msg *m)
{
	unsigned long f = spin_lock_irqsave(&vm->irq->lock);

	irq_send_locked(vm, m);
	spin_unlock_irqrestore(&vm->irq->lock, f);
}

void irq_line(struct vm *vm, unsigned int gsi, bool level)
{
	unsigned long f;

	if (!vm->irq)
		return;
	f = spin_lock_irqsave(&vm->irq->lock);
	vioapic_set_irq(&vm->irq->ioapic, gsi, level);
	spin_unlock_irqrestore(&vm->irq->lock, f);
}

void irq_msi(struct vm *vm, uint64_t addr, uint32_t data)
{
	struct irq_msg m;

	if (vm->irq && msi_decode(addr, data, &m))
		irq_send(vm, &m);
}
