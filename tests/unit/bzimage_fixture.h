/*
 * Shared by the test_bzimage_*.c tests and test_linux_load.c: a fake bzImage
 * built in memory, with a setup header at 0x1f1 carrying the fields a 6.x
 * kernel has, four setup sectors and a small patterned "kernel". Each test
 * binary includes it once.
 */
#ifndef BZIMAGE_FIXTURE_H
#define BZIMAGE_FIXTURE_H

#include <bzimage.h>
#include <compiler.h>
#include <errcode.h>
#include <multiboot.h>
#include <stdlib.h>

#include "unit.h"

#define MiB (1ull << 20)
#define GiB (1ull << 30)

#define SECTS     4
#define SETUP     ((SECTS + 1) * 512)
#define KSIZE     0x3000
#define IMG_LEN   (SETUP + KSIZE)
#define HDR_END   0x26c /* protocol 2.15: through kernel_info_offset */
#define INIT_SIZE (8 * MiB)
#define VERSION   "6.1.0-fake (tandem@test) #1 SMP"

static uint8_t img[IMG_LEN];
static uint8_t params[4096] __unused; /* a boot_params page, for the tests that build one */

static inline struct linux_setup_header *hdr(uint8_t *b)
{
	return (struct linux_setup_header *)(b + LINUX_HDR_OFFSET);
}

/* A protocol 2.15, relocatable, 64-bit bzImage like Debian's 6.1 kernel, shrunk. */
static inline void make_image(void)
{
	struct linux_setup_header *h = hdr(img);

	for (size_t i = 0; i < sizeof(img); i++)
		img[i] = (uint8_t)(i * 7 + 3);
	memset(h, 0, sizeof(*h));
	memset(img + HDR_END, 0xee, LINUX_HDR_END_MAX - HDR_END); /* code after the header */
	img[0x1ef] = 0xff;                                        /* boot_params.sentinel */
	h->setup_sects = SECTS;
	h->syssize = KSIZE / 16;
	h->vid_mode = 0xffff;
	h->boot_flag = LINUX_BOOT_FLAG;
	h->jump[0] = 0xeb;
	h->jump[1] = HDR_END - 0x202;
	h->header = LINUX_HDRS_MAGIC;
	h->version = LINUX_PROTO(2, 15);
	h->kernel_version = 0x600 - 0x200;
	memcpy(img + 0x600, VERSION, sizeof(VERSION));
	h->loadflags = LINUX_LF_LOADED_HIGH;
	h->code32_start = 0x100000;
	h->initrd_addr_max = 0x7fffffff;
	h->kernel_alignment = 2 * MiB;
	h->relocatable_kernel = 1;
	h->min_alignment = 21;
	h->xloadflags = LINUX_XLF_KERNEL_64;
	h->cmdline_size = 0x7ff;
	h->pref_address = 16 * MiB;
	h->init_size = INIT_SIZE;
	h->handover_offset = 0x190;
	h->kernel_info_offset = 0x1000;
}

/* Lines logged since the last unit_log_clear(). */
static inline unsigned int log_lines(void)
{
	unsigned int n = 0;

	for (const char *p = unit_log(); (p = strstr(p, "tandem: ")); p++)
		n++;
	return n;
}

static inline void parse_ok(struct bzimage_info *bi)
{
	unit_log_clear();
	if (bzimage_parse(img, sizeof(img), bi) != 0)
		unit_fail(__FILE__, __LINE__, "parse failed: %s", unit_log());
}

#endif
