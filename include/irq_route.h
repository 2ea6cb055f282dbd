/*
 * The interrupt routing API: the one way an interrupt reaches a guest.
 * Every source names the VM and what it drives:
 *
 *   irq_line(vm, gsi, level)   a device's pin on the vIOAPIC (UART: GSI 4)
 *   irq_msi(vm, addr, data)    a message-signalled interrupt (virtio, VFs)
 *   irq_send(vm, msg)          a ready-made message (IPIs, tests)
 *
 * All three end in one delivery step that matches the message's
 * destination against the VM's vLAPICs. Fixed interrupts go to every
 * match; lowest-priority ones go to the one vLAPIC that vm->irq->pick
 * chooses. That hook is the seam the interrupt balancer plugs into: today
 * it is irq_pick_lowest_ppr (lowest PPR, round-robin among equals).
 *
 * Locking: one lock per VM (vm_irq.lock) serialises the vIOAPIC and every
 * vLAPIC of the VM. The vLAPIC and vIOAPIC callbacks run under it and use
 * the *_locked variants.
 */
#ifndef TANDEM_IRQ_ROUTE_H
#define TANDEM_IRQ_ROUTE_H

#include <stdbool.h>
#include <stdint.h>
#include <irq_msg.h>
#include <spinlock.h>
#include <vioapic.h>
#include <vm.h>

struct vlapic;

struct vm_irq {
	spinlock_t lock;
	struct vioapic ioapic;
	unsigned int nlapics;
	struct vlapic *lapic[VM_MAX_VCPUS]; /* index = vCPU id */
	/* Chooses the target of a lowest-priority message among n candidates (vCPU ids). */
	unsigned int (*pick)(struct vm *vm, const unsigned int *cand, unsigned int n);
	/* Wakes or kicks vCPU id so that it looks at its vLAPIC (arch). */
	void (*kick)(struct vm *vm, unsigned int vcpu);
	unsigned int rr; /* round-robin cursor of irq_pick_lowest_ppr */
	uint64_t delivered, dropped;
};

/* Sets up vm->irq (already allocated by the caller) with a vIOAPIC of ID ioapic_id. */
int irq_route_init(struct vm *vm, struct vm_irq *irq, uint8_t ioapic_id);
void irq_route_add_lapic(struct vm *vm, unsigned int vcpu, struct vlapic *vl);
/* Before the vLAPIC (and its vCPU) is freed: no message reaches it, nor kicks the vCPU, after this. */
void irq_route_del_lapic(struct vm *vm, unsigned int vcpu);

void irq_line(struct vm *vm, unsigned int gsi, bool level);
void irq_msi(struct vm *vm, uint64_t addr, uint32_t data);
void irq_send(struct vm *vm, const struct irq_msg *m);

/* With vm->irq->lock held (the vLAPIC/vIOAPIC callbacks). */
void irq_send_locked(struct vm *vm, const struct irq_msg *m);
void irq_eoi_locked(struct vm *vm, uint8_t vector);

/* The default lowest-priority policy: lowest PPR, round-robin among equals. */
unsigned int irq_pick_lowest_ppr(struct vm *vm, const unsigned int *cand, unsigned int n);

#endif
