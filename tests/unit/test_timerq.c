/* The per-CPU timer queue: deadline order, deletion, re-arming. */
#include <timerq.h>
#include "unit.h"

static struct timerq q;
static struct timerq_entry a, b, c;

static void reset(void)
{
	q = (struct timerq){0};
	a = b = c = (struct timerq_entry){0};
}

TEST(empty_queue)
{
	reset();
	CHECK_EQ(timerq_next(&q), 0);
	CHECK(timerq_pop_expired(&q, ~0ull) == NULL);
	timerq_del(&q, &a); /* not queued: nothing */
	CHECK(!a.queued);
}

TEST(pops_in_deadline_order_only_when_due)
{
	reset();
	timerq_add(&q, &a, 300);
	timerq_add(&q, &b, 100);
	timerq_add(&q, &c, 200);
	CHECK_EQ(timerq_next(&q), 100);
	CHECK(timerq_pop_expired(&q, 99) == NULL);
	CHECK(timerq_pop_expired(&q, 250) == &b);
	CHECK(timerq_pop_expired(&q, 250) == &c);
	CHECK(timerq_pop_expired(&q, 250) == NULL);
	CHECK(!b.queued && !c.queued && a.queued);
	CHECK_EQ(timerq_next(&q), 300);
}

TEST(equal_deadlines_keep_arming_order)
{
	reset();
	timerq_add(&q, &a, 50);
	timerq_add(&q, &b, 50);
	timerq_add(&q, &c, 50);
	CHECK(timerq_pop_expired(&q, 50) == &a);
	CHECK(timerq_pop_expired(&q, 50) == &b);
	CHECK(timerq_pop_expired(&q, 50) == &c);
}

TEST(delete_from_anywhere)
{
	reset();
	timerq_add(&q, &a, 10);
	timerq_add(&q, &b, 20);
	timerq_add(&q, &c, 30);
	timerq_del(&q, &b);
	CHECK(!b.queued);
	timerq_del(&q, &a);
	CHECK_EQ(timerq_next(&q), 30);
	CHECK(timerq_pop_expired(&q, 100) == &c);
	CHECK(timerq_pop_expired(&q, 100) == NULL);
}

TEST(re_adding_moves_the_entry)
{
	reset();
	timerq_add(&q, &a, 10);
	timerq_add(&q, &b, 20);
	timerq_add(&q, &a, 30); /* later now: b first */
	CHECK_EQ(timerq_next(&q), 20);
	CHECK(timerq_pop_expired(&q, 100) == &b);
	CHECK(timerq_pop_expired(&q, 100) == &a);
	CHECK(timerq_pop_expired(&q, 100) == NULL); /* a was queued once, not twice */
}
