/* Page-table helpers for 64-bit test guests (the host maps only the first GiB). */
#ifndef GUESTS_PAGING_H
#define GUESTS_PAGING_H

#include <stdint.h>

#define PTE_P   (1ull << 0)
#define PTE_RW  (1ull << 1)
#define PTE_PWT (1ull << 3)
#define PTE_PCD (1ull << 4)
#define PTE_A   (1ull << 5)
#define PTE_D   (1ull << 6)
#define PTE_PS  (1ull << 7)

/*
 * Identity-maps the GiB that contains gpa (below 512 GiB), writable and
 * uncached, with 2 MiB pages, in the current page tables, unless that GiB
 * is already mapped. For reaching MMIO addresses such as UNMAPPED_GPA.
 * At most three distinct GiBs per guest.
 */
void paging_map_gib(uint64_t gpa);

#endif
