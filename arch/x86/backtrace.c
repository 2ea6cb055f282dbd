/* Frame-pointer backtraces (the tree builds with -fno-omit-frame-pointer). */
#include <arch.h>
#include <log.h>
#include <x86/irq.h>

extern char __image_start[], __text_end[];

#define BACKTRACE_MAX 16

/* A saved frame pointer is trusted only if it is 8-aligned and inside the identity-mapped low 4 GiB or the stack area. */
static bool plausible_frame(uint64_t fp)
{
	return fp && (fp & 7) == 0 && fp > 0x1000;
}

void backtrace_from(uint64_t rbp, uint64_t rip)
{
	kprintf("  backtrace:\n    #0 %016lx\n", rip);
	for (int i = 1; i < BACKTRACE_MAX && plausible_frame(rbp); i++) {
		const uint64_t *frame = (const uint64_t *)rbp;
		uint64_t ret = frame[1];

		if (ret < (uint64_t)__image_start || ret >= (uint64_t)__text_end)
			break;
		kprintf("    #%d %016lx\n", i, ret);
		if (frame[0] <= rbp)
			break; /* stacks grow down: callers' frames are above */
		rbp = frame[0];
	}
}

void arch_backtrace(void)
{
	backtrace_from((uint64_t)__builtin_frame_address(0), (uint64_t)__builtin_return_address(0));
}
