/*
 * mmio: guest accesses to a guest-physical address with no RAM and no device
 * (layout.h: UNMAPPED_GPA), which Tandem emulates by decoding the faulting
 * instruction: reads return all ones, writes are dropped. The guest maps
 * that GiB itself (uncached); the host maps only the first.
 *
 * Each read checks the x86 register-write rules (SDM Vol. 1 3.4.1.1): an
 * 8/16-bit destination keeps the rest of the register, AH is bits 15:8, a
 * 32-bit destination clears bits 63:32, MOVZX/MOVSX/MOVSXD extend.
 *
 * SYNC sequence (then DONE); "merge" values start from 0x1122334455667788:
 *   1. SYNC(1, MOV r8 (8A), MOV r16 (66 8B), MOV r32 (8B) over garbage)
 *      = (0xff, 0xffff, 0xffffffff)
 *   2. SYNC(2, MOV r64 (REX.W 8B), MOVZX r32,m8 (0F B6) over garbage,
 *           MOVZX r64,m16 (REX.W 0F B7)) = (~0, 0xff, 0xffff)
 *   3. SYNC(3, merge AL, merge AH, merge AX)
 *      = (0x11223344556677ff, 0x112233445566ff88, 0x112233445566ffff)
 *   4. SYNC(4, merge SIL (REX 8A), MOV r9d with base+index*4+disp8,
 *           MOV EAX,moffs64 (A1)) = (0x11223344556677ff, 0xffffffff, 0xffffffff)
 *   5. SYNC(5, MOVSX r64,m8 (REX.W 0F BE), MOVSXD r64,m32 (REX.W 63),
 *           MOVSX r32,m16 (0F BF) over garbage) = (~0, ~0, 0xffffffff)
 *   6. SYNC(6, number of write forms executed (88, 89, 66 89, REX.W 89, C6,
 *           C7, REX.W C7, A3), MOV r32 read after them, 0) = (8, 0xffffffff, 0)
 *   7. SYNC(7, REP STOSD of 4 dwords: -1 if it ran, else the vector it raised,
 *           REP MOVSD of 4 dwords MMIO -> RAM: likewise,
 *           the first 8 destination bytes after the MOVSD (~0 if it ran))
 *      The string forms are optional for the host (x86/mmio_emul.h); when
 *      they run, the guest checks RCX = 0, RSI/RDI advanced and the data.
 */
#include <string.h>
#include "guest.h"

/* The moffs forms (A1, A3) need the address as assembler text. */
#define UNMAPPED_TEXT 0xfeb00000
#define STR(x)        #x
#define XSTR(x)       STR(x)
_Static_assert(UNMAPPED_GPA == UNMAPPED_TEXT, "UNMAPPED_TEXT follows layout.h");

#define MERGE_INIT 0x1122334455667788ull
#define GARBAGE    0x1234567812345678ull

static volatile void *mmio(unsigned off)
{
	return (volatile void *)(uintptr_t)(UNMAPPED_GPA + off);
}

static void check_plain_reads(void)
{
	volatile void *p = mmio(0);
	uint64_t v8 = 0, v16 = 0, v32 = GARBAGE, v64 = 0, zx8 = GARBAGE, zx16 = GARBAGE;

	__asm__ __volatile__("movb (%1), %b0" : "+q"(v8) : "r"(p) : "memory");
	__asm__ __volatile__("movw (%1), %w0" : "+r"(v16) : "r"(p) : "memory");
	__asm__ __volatile__("movl (%1), %k0" : "+r"(v32) : "r"(p) : "memory");
	GUEST_ASSERT_EQ(v8, 0xff);
	GUEST_ASSERT_EQ(v16, 0xffff);
	GUEST_ASSERT_EQ(v32, 0xffffffff);
	ucall_sync(1, v8, v16, v32);

	__asm__ __volatile__("movq (%1), %q0" : "+r"(v64) : "r"(p) : "memory");
	__asm__ __volatile__("movzbl (%1), %k0" : "+r"(zx8) : "r"(p) : "memory");
	__asm__ __volatile__("movzwq (%1), %q0" : "+r"(zx16) : "r"(p) : "memory");
	GUEST_ASSERT_EQ(v64, ~0ull);
	GUEST_ASSERT_EQ(zx8, 0xff);
	GUEST_ASSERT_EQ(zx16, 0xffff);
	ucall_sync(2, v64, zx8, zx16);
}

static void check_merges(void)
{
	volatile void *p = mmio(0x10);
	uint64_t al = MERGE_INIT, ah = MERGE_INIT, ax = MERGE_INIT, sil = MERGE_INIT;
	uint64_t moffs = GARBAGE;
	register uint64_t r9 __asm__("r9") = GARBAGE;

	__asm__ __volatile__("movb (%1), %%al" : "+a"(al) : "r"(p) : "memory");
	/* AH cannot be encoded with a REX prefix: keep the address in RBX. */
	__asm__ __volatile__("movb (%1), %%ah" : "+a"(ah) : "b"(p) : "memory");
	__asm__ __volatile__("movw (%1), %%ax" : "+a"(ax) : "r"(p) : "memory");
	GUEST_ASSERT_EQ(al, 0x11223344556677ffull);
	GUEST_ASSERT_EQ(ah, 0x112233445566ff88ull);
	GUEST_ASSERT_EQ(ax, 0x112233445566ffffull);
	ucall_sync(3, al, ah, ax);

	__asm__ __volatile__("movb (%1), %%sil" : "+S"(sil) : "b"(p) : "memory");
	/* base + index * 4 + 0x10 = UNMAPPED_GPA + 0x28 */
	__asm__ __volatile__("movl 0x10(%1,%2,4), %%r9d"
	                     : "+r"(r9)
	                     : "b"(mmio(0x10)), "c"(2ul)
	                     : "memory");
	__asm__ __volatile__("movabsl " XSTR(UNMAPPED_TEXT) " + 0x40, %%eax"
	                     : "+a"(moffs)::"memory");
	GUEST_ASSERT_EQ(sil, 0x11223344556677ffull);
	GUEST_ASSERT_EQ(r9, 0xffffffff);
	GUEST_ASSERT_EQ(moffs, 0xffffffff);
	ucall_sync(4, sil, r9, moffs);
}

static void check_sign_extension(void)
{
	volatile void *p = mmio(0x20);
	uint64_t sx8 = 0, sxd = 0, sx16 = GARBAGE;

	__asm__ __volatile__("movsbq (%1), %q0" : "+r"(sx8) : "r"(p) : "memory");
	__asm__ __volatile__("movslq (%1), %q0" : "+r"(sxd) : "r"(p) : "memory");
	__asm__ __volatile__("movswl (%1), %k0" : "+r"(sx16) : "r"(p) : "memory");
	GUEST_ASSERT_EQ(sx8, ~0ull);
	GUEST_ASSERT_EQ(sxd, ~0ull);
	GUEST_ASSERT_EQ(sx16, 0xffffffff);
	ucall_sync(5, sx8, sxd, sx16);
}

static void check_writes(void)
{
	volatile void *p = mmio(0x30);
	uint64_t v = 0x0123456789abcdefull, after = 0;
	unsigned n = 0;

	__asm__ __volatile__("movb %b0, (%1)" ::"q"(v), "r"(p) : "memory");
	n++;
	__asm__ __volatile__("movl %k0, (%1)" ::"r"(v), "r"(p) : "memory");
	n++;
	__asm__ __volatile__("movw %w0, (%1)" ::"r"(v), "r"(p) : "memory");
	n++;
	__asm__ __volatile__("movq %q0, (%1)" ::"r"(v), "r"(p) : "memory");
	n++;
	__asm__ __volatile__("movb $0x5a, (%0)" ::"r"(p) : "memory");
	n++;
	__asm__ __volatile__("movl $0x12345678, (%0)" ::"r"(p) : "memory");
	n++;
	__asm__ __volatile__("movq $-2, (%0)" ::"r"(p) : "memory");
	n++;
	__asm__ __volatile__("movabsl %%eax, " XSTR(UNMAPPED_TEXT) " + 0x30" ::"a"(v) : "memory");
	n++;
	__asm__ __volatile__("movl (%1), %k0" : "+r"(after) : "r"(p) : "memory");
	GUEST_ASSERT_EQ(after, 0xffffffff);
	ucall_sync(6, n, after, 0);
}

struct string_op {
	volatile void *src; /* MOVS source */
	void *dst;
	unsigned long count;
};

static void do_rep_stosl(void *arg)
{
	struct string_op *op = arg;

	__asm__ __volatile__("rep stosl" : "+D"(op->dst), "+c"(op->count) : "a"(0) : "memory");
}

static void do_rep_movsl(void *arg)
{
	struct string_op *op = arg;

	__asm__ __volatile__("rep movsl"
	                     : "+S"(op->src), "+D"(op->dst), "+c"(op->count)
	                     :
	                     : "memory");
}

static void check_strings(void)
{
	static uint32_t ram[6];
	struct string_op stos = {.dst = (void *)mmio(0x100), .count = 4};
	struct string_op movs = {.src = mmio(0x200), .dst = &ram[1], .count = 4};
	int v_stos, v_movs;
	uint64_t first8;

	v_stos = guest_try(do_rep_stosl, &stos);
	if (v_stos < 0) {
		GUEST_ASSERT_EQ(stos.count, 0);
		GUEST_ASSERT(stos.dst == (void *)mmio(0x110));
	} else {
		ucall_print("mmio: REP STOSD to MMIO raised vector %d", v_stos);
	}

	v_movs = guest_try(do_rep_movsl, &movs);
	if (v_movs < 0) {
		GUEST_ASSERT_EQ(movs.count, 0);
		GUEST_ASSERT(movs.src == mmio(0x210));
		GUEST_ASSERT(movs.dst == &ram[5]);
		for (int i = 1; i <= 4; i++)
			GUEST_ASSERT_EQ(ram[i], 0xffffffff);
		GUEST_ASSERT_EQ(ram[0], 0);
		GUEST_ASSERT_EQ(ram[5], 0);
	} else {
		ucall_print("mmio: REP MOVSD from MMIO raised vector %d", v_movs);
	}
	memcpy(&first8, &ram[1], 8);
	ucall_sync(7, (uint64_t)(int64_t)v_stos, (uint64_t)(int64_t)v_movs, first8);
}

void guest_main(void)
{
	paging_map_gib(UNMAPPED_GPA);
	check_plain_reads();
	check_merges();
	check_sign_extension();
	check_writes();
	check_strings();
}
