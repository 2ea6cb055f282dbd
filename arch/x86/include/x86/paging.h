/*
 * Tandem's own 4-level page tables (SDM Vol. 3A 4.5). Physical memory is
 * identity-mapped with 2 MiB pages, RW+NX, write-back for RAM and uncached
 * elsewhere; the image is mapped with 4 KiB pages by section (text RX,
 * rodata R+NX, data/bss RW+NX); page 0 is not mapped. Stacks live in a
 * separate region with unmapped guard pages between them.
 */
#ifndef X86_PAGING_H
#define X86_PAGING_H

#include <stdbool.h>
#include <stdint.h>
#include <compiler.h>

#define PAGE_SIZE       4096ull
#define PAGE_SHIFT      12
#define LARGE_PAGE_SIZE (2ull << 20)
#define HUGE_PAGE_SIZE  (1ull << 30)

/* Page-table entry bits (SDM Vol. 3A Table 4-19/4-20). */
#define PTE_P         BIT(0)
#define PTE_W         BIT(1)
#define PTE_U         BIT(2)
#define PTE_PWT       BIT(3)
#define PTE_PCD       BIT(4)
#define PTE_A         BIT(5)
#define PTE_D         BIT(6)
#define PTE_PS        BIT(7)
#define PTE_G         BIT(8)
#define PTE_NX        BIT(63)
#define PTE_ADDR_MASK 0x000ffffffffff000ull

/* Start of the stack region (PML4 slot 511), far from the identity map. */
#define STACK_REGION_BASE 0xffffff8000000000ull

struct mem_region;

/*
 * Builds the final tables: identity map of [0, max(4 GiB, top of RAM)) with
 * RAM (as the map says) write-back and the rest uncached, and the image by
 * section. Then turns on EFER.NXE and CR0.WP and loads CR3 on this CPU.
 * Returns 0 or a negative error (out of frames).
 */
int paging_init(const struct mem_region *map, unsigned int n);

/* Loads the final tables on an AP (NXE, WP, CR3). paging_init() must have run. */
void paging_load(void);

/* Maps one 4 KiB page at va (outside the identity map) to pa with PTE flags. */
int paging_map_page(uint64_t va, uint64_t pa, uint64_t flags);

/* The leaf entry for va and its level (1 = 4 KiB, 2 = 2 MiB, 3 = 1 GiB); 0 if unmapped. */
uint64_t paging_lookup(uint64_t va, int *level);

/* The physical address of the top-level table. */
uint64_t paging_root(void);

/* Counts leaf mappings that are both writable and executable. */
unsigned long paging_count_wx(void);

#endif
