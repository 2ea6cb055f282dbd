/*
 * A guest's RAM: the host frames behind guest-physical [0, size), owned
 * from gmem_create() to gmem_destroy(). The frames come as a short list of
 * host-contiguous regions, laid end to end in guest-physical space and
 * 2 MiB aligned on both sides wherever the host allows, so the EPT can use
 * large pages (arch/x86 maps them: ept_map_gmem()). Guest RAM is one block
 * from GPA 0; holes such as a PCI window are not modelled yet.
 *
 * gmem_ptr() and gmem_copy_*() are how the hypervisor reaches memory named
 * by a guest (hypercall arguments, descriptors): the address and length are
 * hostile, and every check is overflow-safe.
 *
 * Locking: none. The region list is fixed between create and destroy, so
 * readers need no lock; the guest's memory contents are the guest's and
 * can change under any reader.
 */
#ifndef TANDEM_GMEM_H
#define TANDEM_GMEM_H

#include <stddef.h>
#include <stdint.h>

#define GMEM_MAX_REGIONS 64
#define GMEM_PAGE_SIZE   4096ull
#define GMEM_LARGE_PAGES 512 /* 4 KiB frames per 2 MiB page */

struct gmem_ops {
	/*
	 * nframes contiguous 4 KiB frames whose first address is a multiple of
	 * align_frames * 4 KiB (a power of two); their physical address, or 0
	 * when no such run is free. Contents need not be zeroed.
	 */
	uint64_t (*alloc_contig)(void *ctx, size_t nframes, size_t align_frames);
	/*
	 * Returns nframes frames from pa. A run may join the results of several
	 * alloc_contig calls that happened to be adjacent, so this must free
	 * frame by frame (frame_free() does).
	 */
	void (*free_contig)(void *ctx, uint64_t pa, size_t nframes);
	/* A writable pointer covering a whole region from pa (the identity map in the kernel). */
	void *(*phys_to_virt)(void *ctx, uint64_t pa);
	void *ctx;
};

/* Guest-physical [gpa, gpa + len) is host-physical [hpa, hpa + len). */
struct gmem_region {
	uint64_t gpa, hpa, len;
};

struct gmem {
	struct gmem_ops ops;
	uint64_t size;         /* bytes of guest RAM, from GPA 0 */
	unsigned int nregions; /* regions[] sorted by gpa, covering [0, size) without gaps */
	struct gmem_region regions[GMEM_MAX_REGIONS];
};

/*
 * Allocates and zeroes size bytes (a non-zero multiple of 4 KiB) of guest
 * RAM. -ERR_INVAL for a bad size or ops; -ERR_NOMEM when the frames run out
 * or would need more than GMEM_MAX_REGIONS regions, with everything taken
 * already given back. Paired with gmem_destroy().
 */
int gmem_create(struct gmem *g, uint64_t size, const struct gmem_ops *ops);

/*
 * Returns every frame and clears g. No CPU may reach the memory any more:
 * the EPT that mapped it is gone or unmapped, and INVEPT has run.
 */
void gmem_destroy(struct gmem *g);

/*
 * A host pointer to guest-physical [gpa, gpa + len), or NULL unless the
 * range is non-empty, lies inside guest RAM and inside one host region (so
 * the pointer covers it contiguously).
 */
void *gmem_ptr(const struct gmem *g, uint64_t gpa, uint64_t len);

/*
 * Copy between guest-physical [gpa, gpa + len) and a host buffer, across
 * region boundaries. 0, or -ERR_RANGE (nothing copied) when any byte lies
 * outside guest RAM. len 0 copies nothing and succeeds for any gpa <= size.
 */
int gmem_copy_from(const struct gmem *g, void *dst, uint64_t gpa, uint64_t len);
int gmem_copy_to(const struct gmem *g, uint64_t gpa, const void *src, uint64_t len);

#endif
