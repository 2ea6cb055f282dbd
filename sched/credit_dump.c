/* The run-queue dump for the debug-key console: one line per pCPU and per queued vCPU. */
#include <log.h>

#include "credit_priv.h"

static const char pri_char[SCHED_NPRI] = {'I', 'O', 'U', 'B'};

static void dump_vcpu(const char *what, const struct sched_vcpu *v)
{
	log_info("sched:   %s %u.%u pri %c credit %lld us%s", what, v->dom->id, v->id,
	         pri_char[v->pri], (long long)(v->credit / 1000),
	         (v->flags & SCHED_VF_BLOCKED) ? " blocked" : "");
}

void sched_dump(const struct sched *s)
{
	log_info("sched: %u pCPUs, slice %llu us, ratelimit %llu us, tick %llu us, weight %llu, "
	         "balance %lld us",
	         s->npcpus, (unsigned long long)(s->p.tslice_ns / 1000),
	         (unsigned long long)(s->p.ratelimit_ns / 1000),
	         (unsigned long long)(s->tick_ns / 1000), (unsigned long long)s->weight,
	         (long long)(s->credit_balance / 1000));
	log_info("sched: picks %llu switches %llu migrations %llu parks %llu accountings %llu",
	         (unsigned long long)s->stats.picks, (unsigned long long)s->stats.switches,
	         (unsigned long long)s->stats.migrations, (unsigned long long)s->stats.parks,
	         (unsigned long long)s->stats.acct_runs);
	for (unsigned int c = 0; c < s->npcpus; c++) {
		const struct sched_pcpu *pc = &s->pcpu[c];

		log_info("sched: pcpu %u: %s, %u queued", c, pc->curr ? "running" : "idle",
		         pc->nqueued);
		if (pc->curr)
			dump_vcpu("run", pc->curr);
		for (unsigned int p = SCHED_NPRI - 1; p > SCHED_PRI_IDLE; p--)
			for (const struct sched_link *l = pc->runq[p].next; l != &pc->runq[p];
			     l = l->next)
				dump_vcpu("queue", container_of(l, struct sched_vcpu, q));
	}
}
