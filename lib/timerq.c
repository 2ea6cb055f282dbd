/* A deadline-ordered timer queue; see timerq.h. */
#include <stddef.h>
#include <timerq.h>

void timerq_del(struct timerq *q, struct timerq_entry *e)
{
	if (!e->queued)
		return;
	for (struct timerq_entry **p = &q->head; *p; p = &(*p)->next) {
		if (*p == e) {
			*p = e->next;
			break;
		}
	}
	e->next = NULL;
	e->queued = false;
}

void timerq_add(struct timerq *q, struct timerq_entry *e, uint64_t deadline)
{
	struct timerq_entry **p = &q->head;

	timerq_del(q, e);
	while (*p && (*p)->deadline <= deadline)
		p = &(*p)->next;
	e->deadline = deadline;
	e->next = *p;
	e->queued = true;
	*p = e;
}

struct timerq_entry *timerq_pop_expired(struct timerq *q, uint64_t now)
{
	struct timerq_entry *e = q->head;

	if (!e || e->deadline > now)
		return NULL;
	q->head = e->next;
	e->next = NULL;
	e->queued = false;
	return e;
}

uint64_t timerq_next(const struct timerq *q)
{
	return q->head ? q->head->deadline : 0;
}
