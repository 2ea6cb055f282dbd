/* What a run should have given each domain (entitlement), and the report table. */
#include "sim.h"

static double demand(const struct sim_scenario *sc, const struct sim_group *g)
{
	uint64_t all = sc->npcpus == 64 ? ~UINT64_C(0) : (UINT64_C(1) << sc->npcpus) - 1;
	uint64_t reach = g->pin_each ? 0 : (g->hard ? g->hard : all);
	double d = g->vcpus;

	if (g->kind == SIM_IO)
		d *= (double)g->run_ns / (double)(g->run_ns + g->block_ns);
	if (g->cap && d > g->cap / 100.0)
		d = g->cap / 100.0;
	for (unsigned int i = 0; g->pin_each && i < g->vcpus; i++)
		reach |= UINT64_C(1) << ((g->pin_first + i) % sc->npcpus);
	if (d > __builtin_popcountll(reach))
		d = __builtin_popcountll(reach);
	return d;
}

void sim_entitle(const struct sim_scenario *sc, const double *used, double *ent)
{
	double left = sc->npcpus, dem[SIM_MAX_GROUPS];
	bool done[SIM_MAX_GROUPS] = {false};

	for (unsigned int i = 0; i < sc->ngroups; i++) {
		dem[i] = demand(sc, &sc->g[i]);
		if (used && sc->g[i].kind == SIM_IO && used[i] < dem[i])
			dem[i] = used[i];
	}
	for (;;) {
		double w = 0;
		int sat = -1;

		for (unsigned int i = 0; i < sc->ngroups; i++)
			if (!done[i])
				w += (double)sc->g[i].weight * sc->g[i].vcpus;
		if (w == 0)
			return;
		/* Saturate one domain whose share exceeds its demand, then share again. */
		for (unsigned int i = 0; i < sc->ngroups && sat < 0; i++)
			if (!done[i] && left * sc->g[i].weight * sc->g[i].vcpus / w >= dem[i])
				sat = (int)i;
		if (sat < 0) {
			for (unsigned int i = 0; i < sc->ngroups; i++)
				if (!done[i])
					ent[i] = left * sc->g[i].weight * sc->g[i].vcpus / w;
			return;
		}
		ent[sat] = dem[sat];
		left -= dem[sat];
		done[sat] = true;
	}
}

static const char *kind_name(enum sim_kind k)
{
	return k == SIM_CPU ? "cpu" : k == SIM_IO ? "io" : "lock";
}

static double us(uint64_t ns)
{
	return (double)ns / 1000.0;
}

void sim_report(FILE *f, const struct sim_scenario *sc, const struct sim_result *r)
{
	fprintf(f, "== %s: %u pCPUs, %u vCPUs, %.1f s simulated (%.1f s measured)\n   %s\n",
	        sc->name, sc->npcpus, r->nvcpus, (double)sc->duration_ns / 1e9,
	        (double)(sc->duration_ns - sc->warmup_ns) / 1e9, sc->what);
	fprintf(f, "   dom kind  vcpus weight   cap  entitled  received   error  (pCPUs)\n");
	for (unsigned int d = 0; d < r->ndoms; d++) {
		const struct sim_group *g = &sc->g[d];

		fprintf(f, "   %3u %-5s %5u %6u %5u %9.3f %9.3f %+6.1f%%%s\n", d,
		        kind_name(g->kind), g->vcpus, g->weight, g->cap, r->dom[d].entitled,
		        r->dom[d].received, 100 * r->dom[d].rel_err,
		        g->kind == SIM_IO ? "  (demand-limited)" : "");
	}
	fprintf(f, "   fairness: max |error| %.1f%% over cpu/lock domains\n", 100 * r->max_rel_err);
	if (r->wakes)
		fprintf(f, "   wake-to-run: %llu wakes, p50 %.1f us, p99 %.1f us, max %.1f us\n",
		        (unsigned long long)r->wakes, us(r->lat_p50_ns), us(r->lat_p99_ns),
		        us(r->lat_max_ns));
	fprintf(f, "   migrations %llu, context switches %llu, events %llu",
	        (unsigned long long)r->migrations, (unsigned long long)r->switches,
	        (unsigned long long)r->events);
	if (r->lock_acquires)
		fprintf(f, ", lock waste %.1f%% of lock vCPUs' CPU (%llu acquisitions)",
		        100 * r->lock_waste, (unsigned long long)r->lock_acquires);
	fprintf(f, "\n");
}
