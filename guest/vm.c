#include <arch.h>
#include <errcode.h>
#include <log.h>
#include <vm.h>

const char *vm_stop_name(enum vm_stop why)
{
	static const char *const names[] = {
	    [VM_STOP_NONE] = "running",
	    [VM_STOP_DONE] = "finished",
	    [VM_STOP_TRIPLE_FAULT] = "triple fault",
	    [VM_STOP_ENTRY_FAILED] = "VM-entry failure",
	    [VM_STOP_UNHANDLED] = "unhandled exit",
	    [VM_STOP_KILLED] = "killed",
	    [VM_STOP_HALTED] = "halted for good (HLT with interrupts off)",
	    [VM_STOP_POWEROFF] = "powered off",
	    [VM_STOP_REBOOT] = "reboot requested",
	};

	return (unsigned int)why < ARRAY_SIZE(names) ? names[why] : "?";
}

int vm_device_add(struct vm *vm, const struct vm_device *dev)
{
	if (vm->ndevices >= VM_MAX_DEVICES || dev->len == 0 || dev->base + dev->len < dev->base)
		return -ERR_RANGE;
	for (unsigned int i = 0; i < vm->ndevices; i++) {
		const struct vm_device *d = &vm->devices[i];

		if (d->mmio == dev->mmio && dev->base < d->base + d->len &&
		    d->base < dev->base + dev->len)
			return -ERR_RANGE;
	}
	vm->devices[vm->ndevices++] = *dev;
	return 0;
}

bool vm_access(struct vm *vm, bool mmio, bool write, uint64_t addr, unsigned int size,
               uint64_t *val)
{
	static unsigned int unclaimed_logged;

	for (unsigned int i = 0; i < vm->ndevices; i++) {
		const struct vm_device *d = &vm->devices[i];

		if (d->mmio != mmio || addr < d->base || addr - d->base + size > d->len)
			continue;
		if (write)
			return d->write ? d->write(d->ctx, addr, size, *val) : true;
		if (!d->read) {
			*val = ~0ull;
			return true;
		}
		return d->read(d->ctx, addr, size, val);
	}
	if (unclaimed_logged < 16) {
		unclaimed_logged++;
		log_info("%s: %s %s at %#lx (%u bytes) hits no device: %s", vm->name,
		         mmio ? "MMIO" : "port", write ? "write" : "read", addr, size,
		         write ? "dropped" : "reads all ones");
	}
	if (!write)
		*val = size >= 8 ? ~0ull : (1ull << (size * 8)) - 1;
	return true;
}

void vm_stop(struct vm *vm, enum vm_stop why)
{
	unsigned long f = spin_lock_irqsave(&vm->lock);

	if (vm->state != VM_STOPPED) {
		vm->state = VM_STOPPED;
		vm->stop_reason = why;
	}
	/* Under the lock: a vCPU leaves vm->vcpu[] under it before it is freed. */
	for (unsigned int i = 0; i < vm->nvcpus; i++)
		if (vm->vcpu[i])
			arch_vcpu_kick_stop(vm->vcpu[i]);
	spin_unlock_irqrestore(&vm->lock, f);
}
