/* paging_map_gib (paging.h): extra identity mappings beyond the host's first GiB. */
#include "guest.h"

#define MAX_EXTRA_GIB 3

static uint64_t pds[MAX_EXTRA_GIB][512] __aligned(4096);
static unsigned used;

void paging_map_gib(uint64_t gpa)
{
	uint64_t *pml4 = (uint64_t *)(read_cr3() & ~0xfffull);
	uint64_t gib = gpa >> 30;
	uint64_t *pdpt, *pd;

	GUEST_ASSERT(gib < 512 && (pml4[0] & PTE_P));
	pdpt = (uint64_t *)(pml4[0] & 0x000ffffffffff000ull);
	if (pdpt[gib] & PTE_P)
		return;
	GUEST_ASSERT(used < MAX_EXTRA_GIB);
	pd = pds[used++];
	/* PCD|PWT: uncached whatever the PAT says, as MMIO wants (SDM Vol. 3A 12.12.3). */
	for (uint64_t i = 0; i < 512; i++)
		pd[i] = (gib << 30 | i << 21) | PTE_P | PTE_RW | PTE_PS | PTE_PWT | PTE_PCD;
	pdpt[gib] = (uint64_t)pd | PTE_P | PTE_RW;
	write_cr3(read_cr3());
}
