/*
 * Guest-linear to guest-physical translation by walking the guest's own
 * page tables (SDM Vol. 3A 4.3-4.5), for the few exits that name guest
 * memory by linear address: string I/O and instruction fetch for MMIO
 * emulation. Every table read goes through gmem bounds checks, since the
 * tables are guest-controlled.
 */
#include <errcode.h>
#include <gmem.h>
#include <vm.h>
#include <x86/cpu.h>
#include <x86/msr.h>
#include <x86/paging.h>
#include <x86/vcpu.h>
#include <x86/vmcs_fields.h>
#include <x86/vmexit.h>

static int read_entry(struct vcpu *v, uint64_t gpa, unsigned int size, uint64_t *e)
{
	*e = 0;
	return gmem_copy_from(&v->vm->mem, e, gpa, size);
}

/* Returns 0 with *gpa, or -ERR_NOENT for a not-present entry, -ERR_RANGE for tables outside RAM. */
static int translate(struct vcpu *v, uint64_t gla, uint64_t *gpa)
{
	uint64_t cr0 = vmcs_readnat(VMCS_GUEST_CR0), cr4 = vmcs_readnat(VMCS_GUEST_CR4);
	uint64_t cr3 = vmcs_readnat(VMCS_GUEST_CR3), efer = vmcs_read64(VMCS_GUEST_EFER);
	uint64_t e, table;
	int level, err;

	if (!(cr0 & CR0_PG)) {
		*gpa = gla & 0xffffffffull;
		return 0;
	}
	if (!(cr4 & CR4_PAE)) { /* 32-bit paging: 4 KiB or, with PSE, 4 MiB pages */
		gla &= 0xffffffffull;
		if ((err = read_entry(v, (cr3 & ~0xfffull) + (gla >> 22) * 4, 4, &e)))
			return err;
		if (!(e & PTE_P))
			return -ERR_NOENT;
		if ((e & PTE_PS) && (cr4 & CR4_PSE)) {
			*gpa = (e & 0xffc00000ull) | ((e & 0x1fe000ull) << 19) | (gla & 0x3fffff);
			return 0;
		}
		if ((err = read_entry(v, (e & ~0xfffull) + ((gla >> 12) & 0x3ff) * 4, 4, &e)))
			return err;
		if (!(e & PTE_P))
			return -ERR_NOENT;
		*gpa = (e & ~0xfffull) + (gla & 0xfff);
		return 0;
	}
	if (efer & EFER_LMA) {
		level = 4;
		table = cr3 & PTE_ADDR_MASK;
	} else { /* PAE: a 4-entry PDPT at CR3[31:5] */
		gla &= 0xffffffffull;
		if ((err = read_entry(v, (cr3 & 0xffffffe0ull) + (gla >> 30) * 8, 8, &e)))
			return err;
		if (!(e & PTE_P))
			return -ERR_NOENT;
		level = 2;
		table = e & PTE_ADDR_MASK;
	}
	for (; level >= 1; level--) {
		unsigned int shift = 12 + 9 * (level - 1);

		if ((err = read_entry(v, table + ((gla >> shift) & 0x1ff) * 8, 8, &e)))
			return err;
		if (!(e & PTE_P))
			return -ERR_NOENT;
		if (level == 1 || ((e & PTE_PS) && level <= 3)) {
			uint64_t page = 1ull << shift;

			*gpa = (e & PTE_ADDR_MASK & ~(page - 1)) | (gla & (page - 1));
			return 0;
		}
		table = e & PTE_ADDR_MASK;
	}
	return -ERR_NOENT;
}

/* A not-present translation is the guest's page fault: inject #PF with CR2 (SDM Vol. 3A 6.15). */
static int access(struct vcpu *v, uint64_t gla, void *buf, unsigned int len, bool write)
{
	while (len) {
		unsigned int chunk = (unsigned int)MIN((uint64_t)len, 4096 - (gla & 0xfff));
		uint64_t gpa;
		int err = translate(v, gla, &gpa);

		if (err == -ERR_NOENT) {
			v->regs.cr2 = gla;
			vcpu_inject_exception(v, 14, true, write ? 2 : 0);
			return err;
		}
		if (!err)
			err = write ? gmem_copy_to(&v->vm->mem, gpa, buf, chunk)
			            : gmem_copy_from(&v->vm->mem, buf, gpa, chunk);
		if (err)
			return err;
		gla += chunk;
		buf = (char *)buf + chunk;
		len -= chunk;
	}
	return 0;
}

int vcpu_read_linear(struct vcpu *v, uint64_t gla, void *dst, unsigned int len)
{
	return access(v, gla, dst, len, false);
}

int vcpu_write_linear(struct vcpu *v, uint64_t gla, const void *src, unsigned int len)
{
	return access(v, gla, (void *)src, len, true);
}
