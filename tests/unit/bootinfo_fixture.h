/*
 * Shared by the test_bootinfo_*.c tests: a byte buffer seen through a
 * phys_view at BASE, readable up to mem_size so tests can cut it short, and
 * filled with non-zero garbage so a missing NUL shows; put() appends to it.
 * rnd() drives the fuzz tests. Each test binary includes it once.
 */
#ifndef BOOTINFO_FIXTURE_H
#define BOOTINFO_FIXTURE_H

#include <bootinfo.h>
#include <errcode.h>
#include <multiboot.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"

#define BASE 0x10000ull

static uint8_t mem[1 << 17] __attribute__((aligned(8)));
static size_t mem_size, cursor;
static struct boot_info bi;

static inline const void *buf_map(const struct phys_view *v, uint64_t pa, uint64_t len)
{
	(void)v;
	if (pa < BASE || pa - BASE > mem_size || len > mem_size - (pa - BASE))
		return NULL;
	return mem + (pa - BASE);
}

static const struct phys_view pv = {buf_map, NULL};

static inline void reset(void)
{
	memset(mem, 0xa5, sizeof(mem));
	mem_size = sizeof(mem);
	cursor = 0;
}

/* Appends len bytes at the next 8-aligned spot; returns its physical address. */
static inline uint64_t put(const void *data, size_t len)
{
	uint64_t pa;

	cursor = (cursor + 7) & ~(size_t)7;
	pa = BASE + cursor;
	memcpy(mem + cursor, data, len);
	cursor += len;
	return pa;
}

static inline uint32_t put_str(const char *s)
{
	return (uint32_t)put(s, strlen(s) + 1);
}

static inline void *at(uint64_t pa)
{
	return mem + (pa - BASE);
}

static uint32_t rng = 12345;

static inline uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

#endif
