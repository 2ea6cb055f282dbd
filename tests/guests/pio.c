/*
 * pio: port I/O through Tandem's test device (layout.h: TESTDEV_PORT stores
 * what is written and reads back its bitwise inverse) and an unused port.
 *
 * Checks: OUT/IN of each width round-trip inverted; IN from an unused port
 * (0x0530) returns all ones; REP OUTSB/OUTSW leave the last element stored,
 * REP INSB/INSW fill memory with the inverse of the stored value (reads do
 * not change it); the string forms advance RSI/RDI by the count and leave
 * RCX = 0, and touch no byte outside the buffer; a buffer that straddles a
 * 4 KiB page boundary and a 512-byte REP INSB work; with DF = 1 (STD) the
 * string forms walk downwards.
 *
 * SYNC sequence (then DONE):
 *   1. SYNC(1, IN8, IN16, IN32) after OUT 0x5a, 0x1234, 0xdeadbeef
 *      = (0xa5, 0xedcb, 0x21524110)
 *   2. SYNC(2, IN8, IN16, IN32 from port 0x0530) = (0xff, 0xffff, 0xffffffff)
 *   3. SYNC(3, IN8 after REP OUTSB of 0x20..0x2f, first 8 bytes of REP INSB
 *           after OUT8 0x3c as a little-endian u64, IN16 after REP OUTSW of
 *           0x1111,0x2222,0x3333,0x4444)
 *      = (0xd0, 0xc3c3c3c3c3c3c3c3, 0xbbbb)
 *   4. SYNC(4, IN8 after STD REP OUTSB of 0x40,0x41,0x42,0x43 (sent from
 *           the top down, so 0x40 is last), the 4 bytes of STD REP INSW
 *           after OUT16 0x0ff0 as a little-endian u64, 0)
 *      = (0xbf, 0xf00ff00ff00ff00f, 0)
 */
#include <string.h>
#include "guest.h"

#define UNUSED_PORT 0x0530

/* A 4 KiB-aligned area, so a buffer can straddle the page boundary at +4096. */
static uint8_t area[8192] __aligned(4096);

struct str_io {
	void *ptr;           /* RSI (OUTS) or RDI (INS) after the instruction */
	unsigned long count; /* RCX after the instruction */
};

#define DEFINE_STR_IO(name, insn, reg)                                                             \
	static struct str_io name(void *ptr, unsigned long count)                                  \
	{                                                                                          \
		__asm__ __volatile__("rep " insn                                                   \
		                     : "+" reg(ptr), "+c"(count)                                   \
		                     : "d"((uint16_t)TESTDEV_PORT)                                 \
		                     : "memory");                                                  \
		return (struct str_io){ptr, count};                                                \
	}

DEFINE_STR_IO(rep_outsb, "outsb", "S")
DEFINE_STR_IO(rep_outsw, "outsw", "S")
DEFINE_STR_IO(rep_insb, "insb", "D")
DEFINE_STR_IO(rep_insw, "insw", "D")

/* The same with DF = 1: ptr is the last element, and the walk goes down. */
#define DEFINE_STR_IO_STD(name, insn, reg)                                                         \
	static struct str_io name(void *ptr, unsigned long count)                                  \
	{                                                                                          \
		__asm__ __volatile__("std; rep " insn "; cld"                                      \
		                     : "+" reg(ptr), "+c"(count)                                   \
		                     : "d"((uint16_t)TESTDEV_PORT)                                 \
		                     : "memory", "cc");                                            \
		return (struct str_io){ptr, count};                                                \
	}

DEFINE_STR_IO_STD(std_rep_outsb, "outsb", "S")
DEFINE_STR_IO_STD(std_rep_insw, "insw", "D")

static void check_single(void)
{
	uint8_t b;
	uint16_t w;
	uint32_t l;

	outb(TESTDEV_PORT, 0x5a);
	b = inb(TESTDEV_PORT);
	GUEST_ASSERT_EQ(b, 0xa5);
	outw(TESTDEV_PORT, 0x1234);
	w = inw(TESTDEV_PORT);
	GUEST_ASSERT_EQ(w, 0xedcb);
	outl(TESTDEV_PORT, 0xdeadbeef);
	l = inl(TESTDEV_PORT);
	GUEST_ASSERT_EQ(l, 0x21524110);
	/* A read does not change the stored value. */
	GUEST_ASSERT_EQ(inl(TESTDEV_PORT), 0x21524110);
	ucall_sync(1, b, w, l);
}

static void check_unused(void)
{
	uint8_t b;
	uint16_t w;
	uint32_t l;

	outl(UNUSED_PORT, 0); /* ignored */
	b = inb(UNUSED_PORT);
	w = inw(UNUSED_PORT);
	l = inl(UNUSED_PORT);
	GUEST_ASSERT_EQ(b, 0xff);
	GUEST_ASSERT_EQ(w, 0xffff);
	GUEST_ASSERT_EQ(l, 0xffffffff);
	ucall_sync(2, b, w, l);
}

/* Every byte of p[0..n) is v. */
static bool all_bytes(const uint8_t *p, size_t n, uint8_t v)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != v)
			return false;
	return true;
}

static void check_string(void)
{
	/* 16 bytes across the page boundary: 8 in each page. */
	uint8_t *buf = &area[4096 - 8];
	uint8_t *big = &area[4096 + 1024];
	uint16_t *wbuf = (uint16_t *)&area[4096 + 64];
	struct str_io r;
	uint64_t ins8, outsb_last;
	uint16_t outsw_last;

	for (int i = 0; i < 16; i++)
		buf[i] = (uint8_t)(0x20 + i);
	r = rep_outsb(buf, 16);
	GUEST_ASSERT(r.ptr == buf + 16);
	GUEST_ASSERT_EQ(r.count, 0);
	outsb_last = inb(TESTDEV_PORT);
	GUEST_ASSERT_EQ(outsb_last, 0xd0);

	outb(TESTDEV_PORT, 0x3c);
	memset(buf - 1, 0x77, 18); /* guard bytes at buf[-1] and buf[16] */
	r = rep_insb(buf, 16);
	GUEST_ASSERT(r.ptr == buf + 16);
	GUEST_ASSERT_EQ(r.count, 0);
	GUEST_ASSERT(all_bytes(buf, 16, 0xc3));
	GUEST_ASSERT_EQ(buf[-1], 0x77);
	GUEST_ASSERT_EQ(buf[16], 0x77);
	memcpy(&ins8, buf, 8);

	/* A longer run, which the host may handle in several steps. */
	memset(big, 0, 514);
	r = rep_insb(big + 1, 512);
	GUEST_ASSERT(r.ptr == big + 513);
	GUEST_ASSERT_EQ(r.count, 0);
	GUEST_ASSERT(all_bytes(big + 1, 512, 0xc3));
	GUEST_ASSERT_EQ(big[0], 0);
	GUEST_ASSERT_EQ(big[513], 0);

	wbuf[0] = 0x1111;
	wbuf[1] = 0x2222;
	wbuf[2] = 0x3333;
	wbuf[3] = 0x4444;
	r = rep_outsw(wbuf, 4);
	GUEST_ASSERT(r.ptr == wbuf + 4);
	GUEST_ASSERT_EQ(r.count, 0);
	outsw_last = inw(TESTDEV_PORT);
	GUEST_ASSERT_EQ(outsw_last, 0xbbbb);

	memset(wbuf, 0, 12);
	r = rep_insw(wbuf + 1, 4); /* stored value is still 0x4444 */
	GUEST_ASSERT(r.ptr == wbuf + 5);
	GUEST_ASSERT_EQ(r.count, 0);
	for (int i = 1; i <= 4; i++)
		GUEST_ASSERT_EQ(wbuf[i], 0xbbbb);
	GUEST_ASSERT_EQ(wbuf[0], 0);
	GUEST_ASSERT_EQ(wbuf[5], 0);
	ucall_sync(3, outsb_last, ins8, outsw_last);
}

static void check_string_down(void)
{
	uint8_t *buf = &area[4096 + 256];
	uint16_t *wbuf = (uint16_t *)&area[4096 + 512];
	struct str_io r;
	uint64_t insw4 = 0;
	uint8_t last;
	unsigned long flags;

	for (int i = 0; i < 4; i++)
		buf[i] = (uint8_t)(0x40 + i);
	r = std_rep_outsb(buf + 3, 4); /* sends 0x43, 0x42, 0x41, 0x40 */
	GUEST_ASSERT(r.ptr == buf - 1);
	GUEST_ASSERT_EQ(r.count, 0);
	last = inb(TESTDEV_PORT);
	GUEST_ASSERT_EQ(last, 0xbf);

	outw(TESTDEV_PORT, 0x0ff0);
	memset(wbuf, 0x55, 12);
	r = std_rep_insw(wbuf + 4, 4); /* fills wbuf[4], [3], [2], [1] */
	GUEST_ASSERT(r.ptr == wbuf);
	GUEST_ASSERT_EQ(r.count, 0);
	for (int i = 1; i <= 4; i++)
		GUEST_ASSERT_EQ(wbuf[i], 0xf00f);
	GUEST_ASSERT_EQ(wbuf[0], 0x5555);
	GUEST_ASSERT_EQ(wbuf[5], 0x5555);
	memcpy(&insw4, wbuf + 1, 8);

	__asm__ __volatile__("pushfq; popq %0" : "=r"(flags));
	GUEST_ASSERT_EQ(flags & X86_RFLAGS_DF, 0);
	ucall_sync(4, last, insw4, 0);
}

void guest_main(void)
{
	check_single();
	check_unused();
	check_string();
	check_string_down();
}
