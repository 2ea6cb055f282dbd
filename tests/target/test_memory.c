/* The frame and object allocators on the real Multiboot memory map. */
#include <frame.h>
#include <kalloc.h>
#include <log.h>
#include <string.h>
#include <testcase.h>
#include <boot/modules.h>

extern char __image_start[], __image_end[];

#define PROBE_FRAMES 2048

static bool overlaps(uint64_t pa, uint64_t base, uint64_t end)
{
	return pa < end && pa + FRAME_SIZE > base;
}

/* A frame the allocator hands out must be RAM that nothing else owns. */
static bool frame_is_clean(uint64_t pa)
{
	if (pa < (1ull << 20) || overlaps(pa, (uint64_t)__image_start, (uint64_t)__image_end))
		return false;
	for (unsigned int i = 0; i < boot_module_count(); i++)
		if (overlaps(pa, boot_module(i)->start, boot_module(i)->end))
			return false;
	return true;
}

static uint64_t probe[PROBE_FRAMES];

TESTCASE(frames_avoid_image_modules_and_low_memory)
{
	struct frame_stats before, during, after;
	unsigned int got = 0, dirty = 0;

	frame_stats(&frames, &before);
	for (unsigned int i = 0; i < PROBE_FRAMES; i++) {
		probe[i] = frame_alloc(&frames);
		if (!probe[i])
			break;
		got++;
		dirty += !frame_is_clean(probe[i]);
		/* The frame is really usable memory: it keeps what we write. */
		memset((void *)probe[i], 0xa5, FRAME_SIZE);
		test_check(((volatile uint8_t *)probe[i])[FRAME_SIZE - 1] == 0xa5);
	}
	frame_stats(&frames, &during);
	for (unsigned int i = 0; i < got; i++)
		frame_free(&frames, probe[i], 1);
	frame_stats(&frames, &after);

	kprintf("  %u frames probed, %u overlapped reserved memory; %zu free before, %zu after\n",
	        got, dirty, before.free, after.free);
	test_check(got == PROBE_FRAMES);
	test_check(dirty == 0);
	test_check(during.free == before.free - got);
	test_check(after.free == before.free);
	test_check(after.peak >= before.allocated + got);
}

TESTCASE(frames_contiguous_aligned_below_4g)
{
	uint64_t pa = frame_alloc_contig(&frames, 512, 512, 4ull << 30);

	test_check(pa != 0);
	test_check(pa % (2ull << 20) == 0);
	test_check(pa + 512 * FRAME_SIZE <= (4ull << 30));
	test_check(frame_is_clean(pa) && frame_is_clean(pa + 511 * FRAME_SIZE));
	if (pa)
		frame_free(&frames, pa, 512);
}

TESTCASE(kalloc_on_real_pages)
{
	struct kalloc_stats s0, s1;
	void *small[64], *big;

	kalloc_stats(&s0);
	for (unsigned int i = 0; i < 64; i++) {
		small[i] = kzalloc(16u << (i % 8));
		test_check(small[i] != NULL);
		test_check(((uint64_t)small[i] & 15) == 0);
	}
	big = kalloc(3 * FRAME_SIZE);
	test_check(big && ((uint64_t)big & (FRAME_SIZE - 1)) == 0);
	memset(big, 0x5a, 3 * FRAME_SIZE);
	for (unsigned int i = 0; i < 64; i++)
		kfree(small[i]);
	kfree(big);
	kalloc_stats(&s1);
	for (unsigned int c = 0; c < KALLOC_NCLASSES; c++)
		test_check(s1.cls[c].inuse == s0.cls[c].inuse);
	test_check(s1.large.inuse == s0.large.inuse);
}
