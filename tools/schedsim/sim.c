/*
 * The simulator's engine: the pCPUs' timers and reschedule requests, and
 * the statistics. One timer per pCPU is armed at each decision's
 * deadline; ops->kick queues a reschedule at the current time (IPIs take
 * no time here).
 */
#include <stdlib.h>
#include <string.h>
#include <compiler.h>
#include <sched_trace.h>

#include "sim_priv.h"

static void kick(void *ctx, unsigned int pcpu)
{
	struct sim *m = ctx;

	if (!m->p[pcpu].resched) {
		m->p[pcpu].resched = true;
		sim_push(m, m->now, EV_RESCHED, pcpu, 0);
	}
}

static void trace(void *ctx, const struct sched_trace_rec *r)
{
	struct sim *m = ctx;
	char line[96];

	if (m->trace) {
		sched_trace_line(r, line, sizeof(line));
		fprintf(m->trace, "%s\n", line);
	}
}

static const struct sched_ops sim_ops = {.kick = kick, .trace = trace};

static void arm_timer(struct sim *m, unsigned int c, uint64_t deadline)
{
	struct spcpu *p = &m->p[c];

	p->timer_gen++;
	if (deadline == SCHED_NEVER)
		return;
	if (deadline <= m->now && !p->resched) {
		fprintf(stderr, "schedsim: pcpu %u deadline %llu not after now %llu\n", c,
		        (unsigned long long)deadline, (unsigned long long)m->now);
		abort();
	}
	if (deadline > m->now)
		sim_push(m, deadline, EV_TIMER, c, p->timer_gen);
}

static void record_latency(struct sim *m, uint64_t lat)
{
	if (m->nlat == m->caplat) {
		m->caplat = m->caplat ? 2 * m->caplat : 4096;
		m->lat = realloc(m->lat, m->caplat * sizeof(*m->lat));
		if (!m->lat)
			abort();
	}
	m->lat[m->nlat++] = lat;
}

static void pick(struct sim *m, unsigned int c)
{
	struct spcpu *p = &m->p[c];
	struct svcpu *next;
	struct sched_decision d;

	p->resched = false;
	if (p->cur) {
		sim_charge(m, p->cur);
		p->cur->running = false;
		p->cur->gen++;
	}
	d = sched_pick(&m->s, c, m->now);
	next = d.next ? container_of(d.next, struct svcpu, sv) : NULL;
	p->cur = next;
	if (next) {
		next->running = true;
		next->seg_start = m->now;
		if (next->woke_at != SIM_INF) {
			if (next->woke_at >= m->sc->warmup_ns)
				record_latency(m, m->now - next->woke_at);
			next->woke_at = SIM_INF;
		}
		sim_work_on_run(m, next);
		sim_arm(m, next);
	}
	arm_timer(m, c, d.deadline);
}

static void dispatch(struct sim *m, const struct event *e)
{
	struct svcpu *v = e->type >= EV_ACTION ? &m->v[e->idx] : NULL;

	switch (e->type) {
	case EV_TIMER:
		if (e->gen == m->p[e->idx].timer_gen)
			arm_timer(m, e->idx, sched_tick(&m->s, e->idx, m->now));
		break;
	case EV_RESCHED:
		pick(m, e->idx);
		break;
	case EV_ACTION:
		if (e->gen == v->gen && v->running) {
			sim_charge(m, v);
			sim_work_action(m, v);
		}
		break;
	case EV_WAKE:
		sim_work_wake(m, v);
		break;
	}
}

static uint64_t group_hard(const struct sim_scenario *sc, const struct sim_group *g, unsigned int i)
{
	uint64_t all = sc->npcpus == 64 ? ~UINT64_C(0) : (UINT64_C(1) << sc->npcpus) - 1;

	if (g->pin_each)
		return UINT64_C(1) << ((g->pin_first + i) % sc->npcpus);
	return g->hard ? g->hard : all;
}

/* The n-th allowed pCPU of hard, cycling. */
static unsigned int nth_cpu(uint64_t hard, unsigned int n)
{
	unsigned int count = (unsigned int)__builtin_popcountll(hard);

	n %= count;
	while (n--)
		hard &= hard - 1;
	return (unsigned int)__builtin_ctzll(hard);
}

static int setup(struct sim *m, const struct sim_scenario *sc, FILE *tracef)
{
	static const struct sched_params defaults = SCHED_PARAMS_DEFAULT;
	const struct sched_params *par = sc->params.tslice_ns ? &sc->params : &defaults;
	unsigned int n = 0, placed = 0;

	memset(m, 0, sizeof(*m));
	m->sc = sc;
	m->trace = tracef;
	m->rng = 0x9e3779b97f4a7c15ull;
	for (const char *c = sc->name; *c; c++)
		m->rng = (m->rng ^ (uint8_t)*c) * 0x100000001b3ull;
	if (sched_init(&m->s, sc->npcpus, par, &sim_ops, m) != 0)
		return -1;
	for (unsigned int gi = 0; gi < sc->ngroups; gi++)
		n += sc->g[gi].vcpus;
	m->v = calloc(n, sizeof(*m->v));
	m->locks = calloc(n / 2 + 1, sizeof(*m->locks));
	if (!m->v || !m->locks)
		abort();
	for (unsigned int gi = 0; gi < sc->ngroups; gi++) {
		const struct sim_group *g = &sc->g[gi];

		if (sched_dom_init(&m->s, &m->dom[gi], gi, g->weight, g->cap) != 0) {
			fprintf(stderr, "schedsim: %s: domain %u refused\n", sc->name, gi);
			return -1;
		}
		for (unsigned int i = 0; i < g->vcpus; i++, m->nv++) {
			struct svcpu *v = &m->v[m->nv];
			uint64_t hard = group_hard(sc, g, i);

			if (sched_vcpu_add(&m->s, &v->sv, &m->dom[gi], i, hard, g->soft,
			                   nth_cpu(hard, placed++)) != 0) {
				fprintf(stderr, "schedsim: %s: vcpu %u.%u refused\n", sc->name, gi,
				        i);
				return -1;
			}
			v->g = g;
			v->dom = gi;
			v->woke_at = SIM_INF;
			v->lock = -1;
			if (g->kind == SIM_LOCK) {
				if (i % 2 == 0) {
					m->locks[m->nlocks].holder = -1;
					m->locks[m->nlocks].v[0] = m->nv;
					m->nlocks++;
				} else {
					m->locks[m->nlocks - 1].v[1] = m->nv;
				}
				v->lock = (int)m->nlocks - 1;
			}
		}
	}
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void results(struct sim *m, struct sim_result *r)
{
	const struct sim_scenario *sc = m->sc;
	double ent[SIM_MAX_GROUPS], used[SIM_MAX_GROUPS];
	double window = (double)(sc->duration_ns - sc->warmup_ns);
	uint64_t lock_run = 0, lock_spin = 0;

	memset(r, 0, sizeof(*r));
	r->ndoms = sc->ngroups;
	r->nvcpus = m->nv;
	for (unsigned int i = 0; i < m->nv; i++) {
		r->dom[m->v[i].dom].received += (double)m->v[i].run_ns / window;
		if (m->v[i].g->kind == SIM_LOCK) {
			lock_run += m->v[i].run_ns;
			lock_spin += m->v[i].spin_ns;
		}
	}
	for (unsigned int d = 0; d < r->ndoms; d++)
		used[d] = r->dom[d].received;
	sim_entitle(sc, used, ent);
	for (unsigned int d = 0; d < r->ndoms; d++) {
		struct sim_dom_result *dr = &r->dom[d];

		dr->entitled = ent[d];
		dr->rel_err = ent[d] > 0 ? (dr->received - ent[d]) / ent[d] : 0;
		if (sc->g[d].kind != SIM_IO) {
			double e = dr->rel_err < 0 ? -dr->rel_err : dr->rel_err;

			if (e > r->max_rel_err)
				r->max_rel_err = e;
		}
	}
	if (m->nlat) {
		qsort(m->lat, m->nlat, sizeof(*m->lat), cmp_u64);
		r->wakes = m->nlat;
		r->lat_p50_ns = m->lat[m->nlat / 2];
		r->lat_p99_ns = m->lat[MIN(m->nlat - 1, m->nlat * 99 / 100)];
		r->lat_max_ns = m->lat[m->nlat - 1];
	}
	r->migrations = m->s.stats.migrations;
	r->switches = m->s.stats.switches;
	r->events = m->events;
	r->lock_acquires = m->acquires;
	r->lock_waste = lock_run ? (double)lock_spin / (double)lock_run : 0;
}

int sim_run(const struct sim_scenario *sc, struct sim_result *r, FILE *tracef)
{
	struct sim m;
	struct event e;
	int ret = -1;

	if (setup(&m, sc, tracef) == 0) {
		for (unsigned int i = 0; i < m.nv; i++)
			sim_work_start(&m, &m.v[i]);
		while (sim_pop(&m, &e) && e.t <= sc->duration_ns) {
			m.now = e.t;
			m.events++;
			dispatch(&m, &e);
		}
		m.now = sc->duration_ns;
		for (unsigned int c = 0; c < sc->npcpus; c++)
			if (m.p[c].cur)
				sim_charge(&m, m.p[c].cur);
		results(&m, r);
		ret = 0;
	}
	free(m.v);
	free(m.locks);
	free(m.heap);
	free(m.lat);
	return ret;
}
