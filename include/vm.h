/*
 * A virtual machine: its memory, its vCPUs, its device models and why it
 * stopped. Generic: the arch part (EPT, VMCS) hangs off `arch`.
 *
 * Lifetime: created by vm_create(), runs until something stops it
 * (vm_stop(): the guest finished, crashed, or was killed), destroyed by
 * vm_destroy() once no vCPU runs. A stopped VM never takes Tandem or another
 * VM with it.
 */
#ifndef TANDEM_VM_H
#define TANDEM_VM_H

#include <stdbool.h>
#include <stdint.h>
#include <gmem.h>
#include <spinlock.h>
#include <hw/tandem_abi.h>

#define VM_MAX_VCPUS   8
#define VM_MAX_DEVICES 16

enum vm_state {
	VM_NEW,
	VM_RUNNING,
	VM_STOPPED
};

enum vm_stop {
	VM_STOP_NONE,
	VM_STOP_DONE,         /* the guest said it finished (ucall DONE, power-off) */
	VM_STOP_TRIPLE_FAULT, /* shutdown: the guest's own bug */
	VM_STOP_ENTRY_FAILED, /* the state Tandem gave it fails VM-entry checks */
	VM_STOP_UNHANDLED,    /* an exit or instruction Tandem cannot handle */
	VM_STOP_KILLED,       /* stopped from outside (timeout, console) */
	VM_STOP_HALTED,       /* HLT with interrupts off and nothing that could wake it */
	VM_STOP_POWEROFF,     /* ACPI S5 */
	VM_STOP_REBOOT,       /* reset register, keyboard controller: restart from the modules */
};

/* A port-I/O or MMIO device model. Accesses arrive already range-checked. */
struct vm_device {
	const char *name;
	bool mmio;          /* else port I/O */
	uint64_t base, len; /* ports or guest-physical bytes */
	/* size is 1, 2, 4 or 8; return false to report a device error (logged). */
	bool (*read)(void *ctx, uint64_t addr, unsigned int size, uint64_t *val);
	bool (*write)(void *ctx, uint64_t addr, unsigned int size, uint64_t val);
	void *ctx;
};

struct vm_arch;
struct vm_irq;
struct vcpu;

struct vm {
	char name[32];
	struct gmem mem;
	struct vm_arch *arch;
	struct vm_irq *irq; /* interrupt routing (irq_route.h); NULL: none */

	unsigned int nvcpus;
	struct vcpu *vcpu[VM_MAX_VCPUS];
	unsigned int parked_vcpus; /* in HLT with interrupts off (atomic; arch run loop) */

	unsigned int ndevices;
	struct vm_device devices[VM_MAX_DEVICES];

	spinlock_t lock; /* guards state, stop_reason and the vcpu[] slots */
	volatile enum vm_state state;
	enum vm_stop stop_reason;

	/*
	 * Scheduled VMs (arch vcpu_sched): vCPUs still on the scheduler, and what
	 * to do once the last has left it for good after vm_stop(): tear down,
	 * maybe boot again. Runs on the pCPU that retired the last vCPU.
	 */
	unsigned int live_vcpus;
	void (*on_stopped)(struct vm *vm);

	/* A vCPU executed HLT (the guest is idle); NULL: nothing to do. */
	void (*on_idle)(struct vm *vm);

	/* Test guests' reports (tests/target/); NULL: ucalls are logged only. */
	void (*on_ucall)(struct vm *vm, const struct ucall *uc);
	void *priv;
};

const char *vm_stop_name(enum vm_stop why);

/* Registers a device model; -ERR_RANGE when the table is full or it overlaps another. */
int vm_device_add(struct vm *vm, const struct vm_device *dev);

/*
 * Dispatches a guest access to the device covering it. With no device
 * there, reads return all ones and writes are dropped (as on a PC bus),
 * with a rate-limited log line. Returns the device's verdict.
 */
bool vm_access(struct vm *vm, bool mmio, bool write, uint64_t addr, unsigned int size,
               uint64_t *val);

/* Marks the VM stopped (first reason wins) and asks every vCPU to leave its run loop. */
void vm_stop(struct vm *vm, enum vm_stop why);

#endif
