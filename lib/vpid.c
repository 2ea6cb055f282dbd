/*
 * VPID allocator: a bitmap with a next-fit cursor. Next-fit hands out a
 * freed VPID again only after every other one has had its turn, which
 * leaves the most time for stale entries tagged with it to age out of the
 * TLBs (a courtesy; the INVVPID rule in vpid.h is what makes reuse safe).
 */
#include <compiler.h>
#include <errcode.h>
#include <log.h>
#include <spinlock.h>
#include <stdbool.h>
#include <vpid.h>

#define WORDS ((VPID_MAX + 1) / 64)

/* vp.lock protects every field. Bit 0 (VMX root) is set from the start. */
static struct {
	spinlock_t lock;
	uint64_t used[WORDS];
	unsigned int next; /* where the next search starts */
	unsigned int in_use;
} vp = {SPINLOCK_INIT, {1}, 1, 0};

int vpid_alloc(void)
{
	int vpid = -ERR_NOMEM;

	spin_lock(&vp.lock);
	for (unsigned int i = 0; i <= WORDS; i++) {
		unsigned int w = (vp.next / 64 + i) % WORDS;
		uint64_t free = ~vp.used[w];

		/* The cursor's own word is searched from the cursor first, then wholly at the end. */
		if (i == 0)
			free &= ~0ull << (vp.next % 64);
		if (!free)
			continue;
		vpid = (int)(w * 64 + __builtin_ctzll(free));
		vp.used[w] |= BIT(vpid % 64);
		vp.next = (unsigned int)(vpid + 1) % (VPID_MAX + 1);
		vp.in_use++;
		break;
	}
	spin_unlock(&vp.lock);
	return vpid;
}

void vpid_free(int vpid)
{
	bool ok;

	if (vpid <= 0 || vpid > VPID_MAX)
		panic("vpid_free: VPID %d out of range", vpid);
	spin_lock(&vp.lock);
	ok = vp.used[vpid / 64] & BIT(vpid % 64);
	vp.used[vpid / 64] &= ~BIT(vpid % 64);
	vp.in_use -= ok;
	spin_unlock(&vp.lock);
	if (!ok)
		panic("vpid_free: VPID %d is not allocated", vpid);
}

unsigned int vpid_in_use(void)
{
	return READ_ONCE(vp.in_use);
}
