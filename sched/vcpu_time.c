/* Run and steal time of a vCPU; see vcpu_time.h. */
#include <vcpu_time.h>

static uint64_t since(uint64_t from, uint64_t now)
{
	return from && now > from ? now - from : 0;
}

void vcpu_time_woken(struct vcpu_time *t, uint64_t now, bool running)
{
	if (!running && !t->runnable_at)
		t->runnable_at = now;
}

void vcpu_time_in(struct vcpu_time *t, uint64_t now)
{
	t->steal_ns += since(t->runnable_at, now);
	t->runnable_at = 0;
	t->in_at = now;
	t->switches++;
}

void vcpu_time_out(struct vcpu_time *t, uint64_t now, bool still_runnable)
{
	t->run_ns += since(t->in_at, now);
	t->in_at = 0;
	if (still_runnable) {
		t->runnable_at = now;
		t->preemptions++;
	}
}

void vcpu_time_stop(struct vcpu_time *t)
{
	t->runnable_at = 0;
}

void vcpu_time_read(const struct vcpu_time *t, uint64_t now, uint64_t *run, uint64_t *steal)
{
	*run = t->run_ns + since(t->in_at, now);
	*steal = t->steal_ns + since(t->runnable_at, now);
}
