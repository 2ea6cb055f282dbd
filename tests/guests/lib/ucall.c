/* The ucall channel (ucall.h); builds for 64-bit and 32-bit guests. */
#include <string.h>
#include "ucall.h"

void ucall(struct ucall *uc)
{
	/*
	 * The result is not checked: a broken channel cannot be reported over
	 * itself, and the host harness fails the test on the first bad ucall.
	 */
	tandem_hypercall(TANDEM_HC_UCALL, (unsigned long)uc, 0, 0, 0);
}

void ucall_sync(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
	struct ucall uc = {.type = UCALL_SYNC, .args = {a0, a1, a2, a3}};

	ucall(&uc);
}

void ucall_done(void)
{
	struct ucall uc = {.type = UCALL_DONE};

	for (;;) {
		ucall(&uc);
		__asm__ __volatile__("cli; hlt" ::: "memory");
	}
}

void ucall_assert(const char *file, unsigned line, const char *text, uint64_t a, uint64_t b)
{
	struct ucall uc = {.type = UCALL_ASSERT, .line = line, .args = {a, b}};

	strncpy_safe(uc.file, file, sizeof(uc.file));
	strncpy_safe(uc.text, text, sizeof(uc.text));
	ucall(&uc);
	ucall_done();
}
