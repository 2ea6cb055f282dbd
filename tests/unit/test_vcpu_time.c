/* A vCPU's run and steal time (KVM's run_delay), as the scheduler loop accounts it. */
#include <vcpu_time.h>
#include "unit.h"

static uint64_t run, steal;

static void read_at(const struct vcpu_time *t, uint64_t now)
{
	vcpu_time_read(t, now, &run, &steal);
}

TEST(run_counts_from_switch_in_to_switch_out)
{
	struct vcpu_time t = {0};

	vcpu_time_woken(&t, 100, false);
	vcpu_time_in(&t, 100);
	read_at(&t, 150); /* the current turn counts as it goes */
	CHECK_EQ(run, 50);
	CHECK_EQ(steal, 0);
	vcpu_time_out(&t, 400, false); /* blocked (HLT): no wait starts */
	read_at(&t, 1000);
	CHECK_EQ(run, 300);
	CHECK_EQ(steal, 0);
	CHECK_EQ(t.switches, 1);
	CHECK_EQ(t.preemptions, 0);
}

TEST(steal_counts_from_wake_or_preemption_to_switch_in)
{
	struct vcpu_time t = {0};

	vcpu_time_woken(&t, 100, false); /* queued behind another vCPU */
	read_at(&t, 130);
	CHECK_EQ(steal, 30);
	vcpu_time_in(&t, 160);
	vcpu_time_out(&t, 200, true); /* preempted */
	CHECK_EQ(t.preemptions, 1);
	read_at(&t, 250);
	CHECK_EQ(steal, 60 + 50);
	CHECK_EQ(run, 40);
	vcpu_time_in(&t, 300);
	read_at(&t, 300);
	CHECK_EQ(steal, 160);
	CHECK_EQ(t.steal_ns, 160);
}

TEST(woken_while_still_current_is_no_wait)
{
	struct vcpu_time t = {0};

	vcpu_time_in(&t, 10);
	/* It blocked, then an interrupt came before its pCPU picked again. */
	vcpu_time_woken(&t, 20, true);
	read_at(&t, 50);
	CHECK_EQ(steal, 0);
	CHECK_EQ(run, 40);
}

TEST(a_second_wake_does_not_restart_the_wait)
{
	struct vcpu_time t = {0};

	vcpu_time_woken(&t, 100, false);
	vcpu_time_woken(&t, 180, false);
	read_at(&t, 200);
	CHECK_EQ(steal, 100);
}

TEST(stopping_ends_the_wait_and_backwards_time_counts_zero)
{
	struct vcpu_time t = {0};

	vcpu_time_in(&t, 500);
	vcpu_time_out(&t, 400, true); /* a clock read before the lock: no negative run */
	CHECK_EQ(t.run_ns, 0);
	vcpu_time_stop(&t);
	read_at(&t, 10000);
	CHECK_EQ(steal, 0);
	vcpu_time_in(&t, 300);
	CHECK_EQ(t.steal_ns, 0);
}
