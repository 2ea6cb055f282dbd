/*
 * badinsn: instructions a guest must not be able to use against Tandem.
 *
 * Part 1. VMXON, VMXOFF, VMREAD, VMWRITE, VMPTRLD, VMPTRST, VMCLEAR,
 * VMLAUNCH, VMRESUME, INVEPT, INVVPID and GETSEC exit to Tandem
 * unconditionally (SDM Vol. 3C 26.1.2), which must inject #UD; INVD (which
 * Tandem runs as WBINVD) and WBINVD must complete.
 *
 * Part 2. 64 pseudo-random 16-byte sequences (xorshift64, fixed seed, so the
 * same on every run) run one by one under guest_try; whatever they do must
 * not hurt the host. To keep the guest itself alive they run in a sandbox:
 *   - page tables of their own that map only the guest's RAM (the first
 *     GUEST_MEM_SIZE bytes), read-only except a scratch area (their stack)
 *     and the exception stack, so a stray write or a jump out of RAM is a
 *     #PF the guest catches (FUZZ_MMIO_WINDOW below widens this); every GPR
 *     zero, RSP in the scratch area, RFLAGS = 2;
 *   - sequences are drawn until 64 pass a filter that drops any containing
 *     a byte or pair that could hang the guest or leave it unable to take
 *     exceptions: branches (70-7F, E0-E3, E8, E9, EB, 0F 80-8F, FF /2-/5),
 *     returns (C2, C3, CA, CB, CF), INT n (CD), HLT (F4), INS/OUTS (6C-6F,
 *     a REP count could be 2^32), and 0F 01 (LGDT, LIDT, VMCALL, MONITOR,
 *     MWAIT, XSETBV...), 0F 05/07/34/35 (SYSCALL, SYSRET, SYSENTER,
 *     SYSEXIT), 0F 22/23 (MOV to CR/DR), 0F 30 (WRMSR).
 * Each sequence ends in a jump back to guest_try; execution running past
 * the 16 bytes meets INT3 padding. Afterwards the guest checks its code and
 * constants are unchanged.
 *
 * SYNC sequence (then DONE):
 *   1. SYNC(1, instructions tried = 12, bit i set if instruction i (order
 *           above) raised #UD = 0xfff, 1 if INVD and WBINVD completed)
 *   2. SYNC(2, sequences that raised #UD, #GP, #PF)
 *   3. SYNC(3, sequences that raised another vector, that raised nothing,
 *           sequences the filter dropped)
 *   4. SYNC(4, sequences run = 64, a hash of the 64 outcomes, 0)
 * The split of part 2 depends on the host's choices (the guest checks the
 * five counts add up to 64); the hash only tells runs apart. PRINTs show each
 * sequence before it runs and the outcomes at the end.
 */
#include <format.h>
#include <string.h>
#include "guest.h"

/* ---- part 1 -------------------------------------------------------------- */

static uint8_t vmx_region[4096] __aligned(4096);
static uint64_t vmx_region_pa;
static uint64_t inv_desc[2] __aligned(16);

static void do_vmxon(void *arg)
{
	__asm__ __volatile__("vmxon %0" ::"m"(vmx_region_pa) : "memory", "cc");
}

static void do_vmxoff(void *arg)
{
	__asm__ __volatile__("vmxoff" ::: "memory", "cc");
}

static void do_vmread(void *arg)
{
	uint64_t val, field = 0x681e; /* GUEST_RIP */

	__asm__ __volatile__("vmread %1, %0" : "=r"(val) : "r"(field) : "memory", "cc");
}

static void do_vmwrite(void *arg)
{
	uint64_t val = 0, field = 0x681e;

	__asm__ __volatile__("vmwrite %0, %1" ::"r"(val), "r"(field) : "memory", "cc");
}

static void do_vmptrld(void *arg)
{
	__asm__ __volatile__("vmptrld %0" ::"m"(vmx_region_pa) : "memory", "cc");
}

static void do_vmptrst(void *arg)
{
	uint64_t pa;

	__asm__ __volatile__("vmptrst %0" : "=m"(pa)::"memory", "cc");
}

static void do_vmclear(void *arg)
{
	__asm__ __volatile__("vmclear %0" ::"m"(vmx_region_pa) : "memory", "cc");
}

static void do_vmlaunch(void *arg)
{
	__asm__ __volatile__("vmlaunch" ::: "memory", "cc");
}

static void do_vmresume(void *arg)
{
	__asm__ __volatile__("vmresume" ::: "memory", "cc");
}

static void do_invept(void *arg)
{
	__asm__ __volatile__("invept %0, %1" ::"m"(inv_desc), "r"(2ul) : "memory", "cc");
}

static void do_invvpid(void *arg)
{
	__asm__ __volatile__("invvpid %0, %1" ::"m"(inv_desc), "r"(2ul) : "memory", "cc");
}

static void do_getsec(void *arg)
{
	__asm__ __volatile__("getsec" ::"a"(0), "b"(0) : "ecx", "edx", "memory", "cc");
}

static void do_invd(void *arg)
{
	__asm__ __volatile__("invd" ::: "memory");
}

static void do_wbinvd(void *arg)
{
	__asm__ __volatile__("wbinvd" ::: "memory");
}

static const struct {
	const char *name;
	void (*fn)(void *arg);
} vmx_insns[] = {
    {"VMXON", do_vmxon},     {"VMXOFF", do_vmxoff},     {"VMREAD", do_vmread},
    {"VMWRITE", do_vmwrite}, {"VMPTRLD", do_vmptrld},   {"VMPTRST", do_vmptrst},
    {"VMCLEAR", do_vmclear}, {"VMLAUNCH", do_vmlaunch}, {"VMRESUME", do_vmresume},
    {"INVEPT", do_invept},   {"INVVPID", do_invvpid},   {"GETSEC", do_getsec},
};

static void check_vmx_insns(void)
{
	uint64_t ud_mask = 0, all = (1ull << ARRAY_SIZE(vmx_insns)) - 1;
	int v_invd, v_wbinvd;

	vmx_region_pa = (uint64_t)vmx_region;
	for (unsigned i = 0; i < ARRAY_SIZE(vmx_insns); i++) {
		int v = guest_try(vmx_insns[i].fn, NULL);

		if (v == X86_UD)
			ud_mask |= 1ull << i;
		else
			ucall_print("badinsn: %s raised %d, not #UD (6)", vmx_insns[i].name, v);
	}
	v_invd = guest_try(do_invd, NULL);
	v_wbinvd = guest_try(do_wbinvd, NULL);
	GUEST_ASSERT_EQ(ud_mask, all);
	GUEST_ASSERT_EQ(v_invd, -1);
	GUEST_ASSERT_EQ(v_wbinvd, -1);
	ucall_sync(1, ARRAY_SIZE(vmx_insns), ud_mask, 1);
}

/* ---- part 2 -------------------------------------------------------------- */

#define FUZZ_SEQS   64
#define FUZZ_LEN    16
#define FUZZ_OFFSET 2048 /* of the sequence in its page: INT3 on both sides */
#define FUZZ_SEED   0x54616e64656d2121ull
#define FUZZ_TRIES  100000

/*
 * 1: also map GUEST_MEM_SIZE..1 GiB writable, where there is no RAM, so
 * sequences reach Tandem's MMIO emulation. Off while Tandem stops a guest
 * whose MMIO instruction it cannot decode (vmexit_ept.c); turn it on once
 * such an instruction gets an exception instead.
 */
#define FUZZ_MMIO_WINDOW 0

extern char __image_start[], __rodata_end[], __bss_end[];
/* sandbox_enter(&ctx): CR3, RSP, then jump to the entry with every GPR zero. */
void sandbox_enter(void *ctx);

struct sandbox {
	uint64_t cr3, rsp, entry;
};

static uint8_t fuzz_page[4096] __aligned(4096);
static uint8_t scratch[2 * 4096] __aligned(4096);
static uint64_t sb_pml4[512] __aligned(4096);
static uint64_t sb_pdpt[512] __aligned(4096);
static uint64_t sb_pd[512] __aligned(4096);
static uint64_t sb_pt[512] __aligned(4096);

__asm__(".text\n"
        ".globl sandbox_enter\n"
        "sandbox_enter:\n\t"
        "movq 8(%rdi), %rsp\n\t"
        "pushq 16(%rdi)\n\t"
        "pushq $2\n\t"
        "popfq\n\t"
        "movq (%rdi), %rax\n\t"
        "movq %rax, %cr3\n\t" /* from here on the guest is read-only */
        "xorl %eax, %eax\n\t"
        "xorl %ebx, %ebx\n\t"
        "xorl %ecx, %ecx\n\t"
        "xorl %edx, %edx\n\t"
        "xorl %esi, %esi\n\t"
        "xorl %edi, %edi\n\t"
        "xorl %ebp, %ebp\n\t"
        "xorl %r8d, %r8d\n\t"
        "xorl %r9d, %r9d\n\t"
        "xorl %r10d, %r10d\n\t"
        "xorl %r11d, %r11d\n\t"
        "xorl %r12d, %r12d\n\t"
        "xorl %r13d, %r13d\n\t"
        "xorl %r14d, %r14d\n\t"
        "xorl %r15d, %r15d\n\t"
        "ret\n");

static void sandbox_run(void *arg)
{
	sandbox_enter(arg);
}

static void sandbox_map_rw(const void *p, size_t n)
{
	for (uintptr_t a = (uintptr_t)p; a < (uintptr_t)p + n; a += 4096)
		sb_pt[a >> 12] |= PTE_RW;
}

static void sandbox_build(void)
{
	GUEST_ASSERT_OP((uintptr_t)__bss_end, <=, 2u << 20); /* all of it in sb_pt */
	sb_pml4[0] = (uint64_t)sb_pdpt | PTE_P | PTE_RW;
	sb_pdpt[0] = (uint64_t)sb_pd | PTE_P | PTE_RW;
	sb_pd[0] = (uint64_t)sb_pt | PTE_P | PTE_RW;
	for (uint64_t i = 1; i < GUEST_MEM_SIZE >> 21; i++)
		sb_pd[i] = (i << 21) | PTE_P | PTE_PS; /* the rest of RAM, read-only */
	for (uint64_t i = GUEST_MEM_SIZE >> 21; FUZZ_MMIO_WINDOW && i < 512; i++)
		sb_pd[i] = (i << 21) | PTE_P | PTE_RW | PTE_PS | PTE_PCD | PTE_PWT;
	for (uint64_t i = 0; i < 512; i++)
		sb_pt[i] = (i << 12) | PTE_P;
	sandbox_map_rw(scratch, sizeof(scratch));
	sandbox_map_rw(guest_ist_stack, sizeof(guest_ist_stack));
	/* Supervisor writes to read-only pages fault only with CR0.WP (SDM Vol. 3A 5.6.3). */
	write_cr0(read_cr0() | X86_CR0_WP);
}

static uint64_t xorshift64(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

static bool byte_banned(uint8_t b)
{
	return (b >= 0x70 && b <= 0x7f) || (b >= 0xe0 && b <= 0xe3) || b == 0xe8 || b == 0xe9 ||
	       b == 0xeb || b == 0xc2 || b == 0xc3 || b == 0xca || b == 0xcb || b == 0xcf ||
	       b == 0xcd || b == 0xf4 || (b >= 0x6c && b <= 0x6f);
}

static bool pair_banned(uint8_t a, uint8_t b)
{
	unsigned reg = b >> 3 & 7;

	if (a == 0x0f)
		return b == 0x01 || b == 0x05 || b == 0x07 || b == 0x22 || b == 0x23 || b == 0x30 ||
		       b == 0x34 || b == 0x35 || (b >= 0x80 && b <= 0x8f);
	return a == 0xff && reg >= 2 && reg <= 5; /* CALL/JMP near and far indirect */
}

static bool fuzz_allowed(const uint8_t *seq)
{
	for (int i = 0; i < FUZZ_LEN; i++) {
		if (byte_banned(seq[i]))
			return false;
		if (i + 1 < FUZZ_LEN && pair_banned(seq[i], seq[i + 1]))
			return false;
	}
	return true;
}

static uint64_t checksum(const char *p, const char *end)
{
	uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */

	for (; p < end; p++)
		h = (h ^ (uint8_t)*p) * 0x100000001b3ull;
	return h;
}

/* The FPU and SSE state a sequence may have changed, back to the defaults. */
static void reset_fp(void)
{
	uint32_t mxcsr = 0x1f80;

	if (read_cr0() & (X86_CR0_EM | X86_CR0_TS))
		return;
	__asm__ __volatile__("fninit");
	if (read_cr4() & X86_CR4_OSFXSR)
		__asm__ __volatile__("ldmxcsr %0" ::"m"(mxcsr));
}

static int run_one(const uint8_t *seq)
{
	uint8_t *code = fuzz_page + FUZZ_OFFSET;
	uint8_t *jmp = code + FUZZ_LEN;
	int32_t rel = (int32_t)((intptr_t)guest_try_return - (intptr_t)(jmp + 5));
	struct sandbox sb = {
	    .cr3 = (uint64_t)sb_pml4,
	    .rsp = (uint64_t)scratch + 4096,
	    .entry = (uint64_t)code,
	};

	memset(fuzz_page, 0xcc, sizeof(fuzz_page));
	memcpy(code, seq, FUZZ_LEN);
	jmp[0] = 0xe9; /* JMP rel32 */
	memcpy(jmp + 1, &rel, 4);
	memset(scratch, 0, sizeof(scratch));
	reset_fp();
	return guest_try(sandbox_run, &sb);
}

static char hex_digit(unsigned v)
{
	return "0123456789abcdef"[v & 15];
}

static void fuzz(void)
{
	uint64_t seed = FUZZ_SEED, outcome_hash = 0;
	uint64_t sum_before = checksum(__image_start, __rodata_end);
	unsigned ud = 0, gp = 0, pf = 0, other = 0, none = 0, dropped = 0, n = 0;
	char outcomes[2 * FUZZ_SEQS + 1];
	uint8_t seq[FUZZ_LEN];

	sandbox_build();
	for (int tries = 0; n < FUZZ_SEQS; tries++) {
		char text[3 * FUZZ_LEN + 1];
		int v;

		GUEST_ASSERT_OP(tries, <, FUZZ_TRIES);
		for (int i = 0; i < FUZZ_LEN; i += 8) {
			uint64_t r = xorshift64(&seed);

			memcpy(seq + i, &r, 8);
		}
		if (!fuzz_allowed(seq)) {
			dropped++;
			continue;
		}
		for (int i = 0; i < FUZZ_LEN; i++) {
			text[3 * i] = hex_digit(seq[i] >> 4);
			text[3 * i + 1] = hex_digit(seq[i]);
			text[3 * i + 2] = ' ';
		}
		text[3 * FUZZ_LEN - 1] = '\0';
		ucall_print("badinsn: fuzz %2u: %s", n, text);

		v = run_one(seq);
		if (v < 0)
			none++;
		else if (v == X86_UD)
			ud++;
		else if (v == X86_GP)
			gp++;
		else if (v == X86_PF)
			pf++;
		else
			other++;
		/* Two characters per sequence: the vector in hex, or "--" for none. */
		outcomes[2 * n] = v < 0 ? '-' : hex_digit((unsigned)v >> 4);
		outcomes[2 * n + 1] = v < 0 ? '-' : hex_digit((unsigned)v);
		outcome_hash = outcome_hash * 31 + (uint64_t)(v + 1);
		n++;
	}
	outcomes[2 * FUZZ_SEQS] = '\0';
	ucall_print("badinsn: outcomes 0-31:  %.64s", outcomes);
	ucall_print("badinsn: outcomes 32-63: %s", outcomes + 64);

	GUEST_ASSERT_EQ(checksum(__image_start, __rodata_end), sum_before);
	GUEST_ASSERT_EQ(ud + gp + pf + other + none, FUZZ_SEQS);
	ucall_sync(2, ud, gp, pf);
	ucall_sync(3, other, none, dropped);
	ucall_sync(4, n, outcome_hash, 0);
}

void guest_main(void)
{
	check_vmx_insns();
	fuzz();
}
