/* The simulator's event queue: a binary heap ordered by time, then by insertion. */
#include <stdlib.h>

#include "sim_priv.h"

static bool ev_before(const struct event *a, const struct event *b)
{
	return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

void sim_push(struct sim *m, uint64_t t, enum ev_type type, uint32_t idx, uint64_t gen)
{
	size_t i;

	if (m->nheap == m->capheap) {
		m->capheap = m->capheap ? 2 * m->capheap : 1024;
		m->heap = realloc(m->heap, m->capheap * sizeof(*m->heap));
		if (!m->heap)
			abort();
	}
	i = m->nheap++;
	m->heap[i] = (struct event){.t = t, .seq = m->seq++, .gen = gen, .type = type, .idx = idx};
	while (i > 0 && ev_before(&m->heap[i], &m->heap[(i - 1) / 2])) {
		struct event tmp = m->heap[i];

		m->heap[i] = m->heap[(i - 1) / 2];
		m->heap[(i - 1) / 2] = tmp;
		i = (i - 1) / 2;
	}
}

bool sim_pop(struct sim *m, struct event *e)
{
	size_t i = 0;

	if (!m->nheap)
		return false;
	*e = m->heap[0];
	m->heap[0] = m->heap[--m->nheap];
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, min = i;

		if (l < m->nheap && ev_before(&m->heap[l], &m->heap[min]))
			min = l;
		if (r < m->nheap && ev_before(&m->heap[r], &m->heap[min]))
			min = r;
		if (min == i)
			break;
		struct event tmp = m->heap[i];
		m->heap[i] = m->heap[min];
		m->heap[min] = tmp;
		i = min;
	}
	return true;
}
