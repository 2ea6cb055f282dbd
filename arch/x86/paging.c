#include <errcode.h>
#include <frame.h>
#include <log.h>
#include <string.h>
#include <x86/cpu.h>
#include <x86/cpuid.h>
#include <x86/msr.h>
#include <x86/paging.h>

extern char __image_start[], __text_end[], __rodata_end[], __image_end[];

static uint64_t *pml4;
static bool have_nx;

#define IDX(va, level) (((va) >> (12 + 9 * ((level)-1))) & 0x1ff)

static uint64_t *table_alloc(void)
{
	uint64_t pa = frame_alloc(&frames);

	if (!pa)
		return NULL;
	memset((void *)pa, 0, PAGE_SIZE);
	return (uint64_t *)pa;
}

/* Returns the table at `level` covering va, creating intermediate tables (level 4 = PML4). */
static uint64_t *walk_create(uint64_t va, int level)
{
	uint64_t *t = pml4;

	for (int l = 4; l > level; l--) {
		uint64_t *e = &t[IDX(va, l)];

		if (!(*e & PTE_P)) {
			uint64_t *n = table_alloc();

			if (!n)
				return NULL;
			/* Intermediate entries grant everything; leaves decide. */
			*e = (uint64_t)n | PTE_P | PTE_W;
		}
		ASSERT(!(*e & PTE_PS));
		t = (uint64_t *)(*e & PTE_ADDR_MASK);
	}
	return t;
}

static uint64_t nx(void)
{
	return have_nx ? PTE_NX : 0;
}

/* The leaf permissions of one 4 KiB page of the first identity-mapped megabytes. */
static uint64_t image_page_flags(uint64_t pa)
{
	if (pa == 0)
		return 0; /* NULL dereferences fault */
	if (pa >= (uint64_t)__image_start && pa < (uint64_t)__text_end)
		return PTE_P; /* text: RX */
	if (pa >= (uint64_t)__text_end && pa < (uint64_t)__rodata_end)
		return PTE_P | nx(); /* rodata: R, NX */
	return PTE_P | PTE_W | nx(); /* data, bss, everything else: RW, NX */
}

static bool is_ram(const struct mem_region *map, unsigned int n, uint64_t base, uint64_t len)
{
	for (unsigned int i = 0; i < n; i++) {
		const struct mem_region *r = &map[i];

		if (r->type == MEM_REGION_AVAILABLE && base >= r->base &&
		    base + len <= r->base + r->len)
			return true;
	}
	return false;
}

static int map_identity(const struct mem_region *map, unsigned int n, uint64_t top)
{
	uint64_t image_top = ALIGN_UP((uint64_t)__image_end, LARGE_PAGE_SIZE);

	for (uint64_t pa = 0; pa < top; pa += LARGE_PAGE_SIZE) {
		uint64_t *pd = walk_create(pa, 2);
		uint64_t cache = is_ram(map, n, pa, LARGE_PAGE_SIZE) ? 0 : PTE_PCD | PTE_PWT;

		if (!pd)
			return -ERR_NOMEM;
		if (pa >= image_top) {
			pd[IDX(pa, 2)] = pa | PTE_P | PTE_W | PTE_PS | nx() | cache;
			continue;
		}
		uint64_t *pt = table_alloc();
		if (!pt)
			return -ERR_NOMEM;
		for (unsigned int i = 0; i < 512; i++) {
			uint64_t p = pa + i * PAGE_SIZE;
			uint64_t f = image_page_flags(p);

			pt[i] = f ? p | f | cache : 0;
		}
		pd[IDX(pa, 2)] = (uint64_t)pt | PTE_P | PTE_W;
	}
	return 0;
}

void paging_load(void)
{
	if (have_nx)
		wrmsr(MSR_IA32_EFER, rdmsr(MSR_IA32_EFER) | EFER_NXE);
	write_cr0(read_cr0() | CR0_WP);
	write_cr3((uint64_t)pml4);
}

int paging_init(const struct mem_region *map, unsigned int n)
{
	uint64_t top = 4ull << 30;
	int err;

	have_nx = cpu_has(FEAT_NX);
	if (!have_nx)
		log_warn(
		    "paging: CPU has no NX (CPUID 0x80000001.EDX[20]): W^X cannot be enforced");
	for (unsigned int i = 0; i < n; i++)
		if (map[i].type == MEM_REGION_AVAILABLE && map[i].base + map[i].len > top)
			top = ALIGN_UP(map[i].base + map[i].len, LARGE_PAGE_SIZE);

	pml4 = table_alloc();
	if (!pml4)
		return -ERR_NOMEM;
	err = map_identity(map, n, top);
	if (err)
		return err;
	paging_load();
	log_info("paging: identity map up to %#lx, image W^X, NX %s", top, have_nx ? "on" : "off");
	return 0;
}

int paging_map_page(uint64_t va, uint64_t pa, uint64_t flags)
{
	uint64_t *pt = walk_create(va, 1);

	if (!pt)
		return -ERR_NOMEM;
	pt[IDX(va, 1)] = (pa & PTE_ADDR_MASK) | flags;
	invlpg(va);
	return 0;
}

uint64_t paging_lookup(uint64_t va, int *level)
{
	uint64_t *t = pml4;

	for (int l = 4; l >= 1; l--) {
		uint64_t e = t[IDX(va, l)];

		if (!(e & PTE_P))
			break;
		if (l == 1 || (e & PTE_PS)) {
			*level = l;
			return e;
		}
		t = (uint64_t *)(e & PTE_ADDR_MASK);
	}
	*level = 0;
	return 0;
}

uint64_t paging_root(void)
{
	return (uint64_t)pml4;
}

static unsigned long count_wx(const uint64_t *t, int level)
{
	unsigned long n = 0;

	for (unsigned int i = 0; i < 512; i++) {
		uint64_t e = t[i];

		if (!(e & PTE_P))
			continue;
		if (level == 1 || (e & PTE_PS))
			n += (e & PTE_W) && !(e & PTE_NX);
		else
			n += count_wx((const uint64_t *)(e & PTE_ADDR_MASK), level - 1);
	}
	return n;
}

unsigned long paging_count_wx(void)
{
	return count_wx(pml4, 4);
}
