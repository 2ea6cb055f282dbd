/*
 * Validation of scheduler parameters and of a guest's scheduling
 * configuration. Pure: the caller reports *why with its own context (the
 * guest's module name).
 */
#include <errcode.h>

#include "credit_priv.h"

/* Xen's XEN_SYSCTL_CSCHED_TSLICE_*, XEN_SYSCTL_SCHED_RATELIMIT_* and _MGR_DLY_MAX_US. */
#define TSLICE_MIN    SCHED_MS(1)
#define TSLICE_MAX    SCHED_MS(1000)
#define RATELIMIT_MIN SCHED_US(100)
#define RATELIMIT_MAX SCHED_MS(500)
#define MIGR_DLY_MAX  SCHED_MS(100)

static int refuse(int err, const char **why, const char *msg)
{
	if (why)
		*why = msg;
	return err;
}

int sched_params_check(const struct sched_params *p, const char **why)
{
	if (p->tslice_ns < TSLICE_MIN || p->tslice_ns > TSLICE_MAX)
		return refuse(-ERR_RANGE, why, "sched_tslice: must be 1 ms .. 1 s");
	if (p->ratelimit_ns && (p->ratelimit_ns < RATELIMIT_MIN || p->ratelimit_ns > RATELIMIT_MAX))
		return refuse(-ERR_RANGE, why, "sched_ratelimit: must be 0 or 100 us .. 500 ms");
	if (p->ratelimit_ns > p->tslice_ns)
		return refuse(-ERR_RANGE, why, "sched_ratelimit: must not exceed the time slice");
	if (p->migrate_delay_ns > MIGR_DLY_MAX)
		return refuse(-ERR_RANGE, why, "sched_migrate_delay: must be at most 100 ms");
	return 0;
}

int sched_dom_cfg_check(const struct sched_dom_cfg *c, unsigned int npcpus, const char **why)
{
	uint64_t present;

	if (npcpus == 0 || npcpus > SCHED_MAX_PCPUS)
		return refuse(-ERR_RANGE, why, "pcpus: the scheduler handles 1 .. 64 pCPUs");
	present = npcpus == 64 ? ~UINT64_C(0) : (UINT64_C(1) << npcpus) - 1;
	if (c->weight == 0)
		return refuse(-ERR_INVAL, why, "weight: must be at least 1");
	if (c->weight > SCHED_WEIGHT_MAX)
		return refuse(-ERR_RANGE, why, "weight: must be at most 65535");
	if (c->vcpus == 0)
		return refuse(-ERR_INVAL, why, "vcpus: must be at least 1");
	if (c->cap > 100ull * c->vcpus)
		return refuse(-ERR_RANGE, why, "cap: above 100 x vcpus (percent of one pCPU)");
	if (c->hard == 0)
		return refuse(-ERR_INVAL, why, "pcpus: allows no pCPU");
	if (c->hard & ~present)
		return refuse(-ERR_RANGE, why, "pcpus: names a pCPU that is not present");
	if (c->soft & ~present)
		return refuse(-ERR_RANGE, why, "soft affinity: names a pCPU that is not present");
	return 0;
}
