#include <guest_config.h>
#include <sched.h>
#include <log.h>
#include <string.h>

#define DEFAULT_NAME "linux"

static const char *mod_name(const struct guest_module *m)
{
	return m->path && m->path[0] ? m->path : "(no path)";
}

bool guest_parse_pcpus(const char *s, unsigned int npcpus, uint64_t *mask, uint64_t *bad)
{
	char num[24];

	*mask = 0;
	while (*s) {
		uint64_t lo, hi;
		size_t n = 0;

		while (s[n] && s[n] != ',' && s[n] != '-' && n < sizeof(num) - 1)
			num[n] = s[n], n++;
		num[n] = '\0';
		s += n;
		if (!cmdline_parse_uint(num, &lo))
			return *bad = ~0ull, false;
		hi = lo;
		if (*s == '-') {
			s++;
			for (n = 0; s[n] && s[n] != ',' && n < sizeof(num) - 1; n++)
				num[n] = s[n];
			num[n] = '\0';
			s += n;
			if (!cmdline_parse_uint(num, &hi) || hi < lo)
				return *bad = ~0ull, false;
		}
		if (hi >= npcpus || hi >= 64)
			return *bad = hi, false;
		for (uint64_t c = lo; c <= hi; c++)
			*mask |= 1ull << c;
		if (*s == ',')
			s++;
		else if (*s)
			return *bad = ~0ull, false;
	}
	return *mask != 0 || (*bad = ~0ull, false);
}

static int find(struct guest_cfg *g, unsigned int n, const char *name)
{
	for (unsigned int i = 0; i < n; i++)
		if (strcmp(g[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* Reads a kernel module's settings; false (logged) when one is invalid. */
/* A pCPU list setting (pcpus=, soft=) into *mask if present; false (logged) when malformed. */
static bool cpus_setting(const struct guest_module *m, const struct guest_cfg *g, const char *key,
                         unsigned int npcpus, uint64_t *mask)
{
	const char *v = modcmd_get(m->cmd, key);
	uint64_t bad;

	if (!v || guest_parse_pcpus(v, npcpus, mask, &bad))
		return true;
	if (bad == ~0ull)
		log_warn("module %u (%s): guest '%s' refused: %s=%s is not a list like 0,2-3",
		         m->index, mod_name(m), g->name, key, v);
	else
		log_warn("module %u (%s): guest '%s' refused: %s=%s names pCPU %llu, but only "
		         "0..%u exist",
		         m->index, mod_name(m), g->name, key, v, (unsigned long long)bad,
		         npcpus - 1);
	return false;
}

static bool kernel_settings(const struct guest_module *m, unsigned int npcpus, struct guest_cfg *g)
{
	const char *v;
	uint64_t x;

	g->vcpus = 1;
	g->mem = GUEST_DEFAULT_MEM;
	g->pcpus = npcpus >= 64 ? ~0ull : (1ull << npcpus) - 1;
	g->weight = GUEST_DEFAULT_WEIGHT;
	g->initrd = -1;
	g->cmdline = m->cmd->has_tail ? m->cmd->tail : "";
	if ((v = modcmd_get(m->cmd, "vcpus"))) {
		if (!cmdline_parse_uint(v, &x) || x == 0 || x > GUEST_MAX_VCPUS) {
			log_warn("module %u (%s): guest '%s' refused: vcpus=%s is not 1..%d",
			         m->index, mod_name(m), g->name, v, GUEST_MAX_VCPUS);
			return false;
		}
		g->vcpus = (unsigned int)x;
	}
	if ((v = modcmd_get(m->cmd, "mem"))) {
		if (!cmdline_parse_size(v, &x) || x < GUEST_MIN_MEM || x % 4096) {
			log_warn(
			    "module %u (%s): guest '%s' refused: mem=%s is not a size of at least %llu MiB",
			    m->index, mod_name(m), g->name, v, GUEST_MIN_MEM >> 20);
			return false;
		}
		g->mem = x;
	}
	if (!cpus_setting(m, g, "pcpus", npcpus, &g->pcpus) ||
	    !cpus_setting(m, g, "soft", npcpus, &g->soft))
		return false;
	if ((v = modcmd_get(m->cmd, "weight"))) {
		if (!cmdline_parse_uint(v, &x) || x == 0 || x > 65535) {
			log_warn("module %u (%s): guest '%s' refused: weight=%s is not 1..65535",
			         m->index, mod_name(m), g->name, v);
			return false;
		}
		g->weight = (unsigned int)x;
	}
	if ((v = modcmd_get(m->cmd, "cap"))) {
		if (!cmdline_parse_uint(v, &x) || x > 100ull * GUEST_MAX_VCPUS) {
			log_warn(
			    "module %u (%s): guest '%s' refused: cap=%s is not a percentage of "
			    "one pCPU",
			    m->index, mod_name(m), g->name, v);
			return false;
		}
		g->cap = (unsigned int)x;
	}
	/* What the credit scheduler will be told must pass its own check (sched.h). */
	const struct sched_dom_cfg sc = {g->weight, g->cap, g->vcpus, g->pcpus, g->soft};
	const char *why;

	if (sched_dom_cfg_check(&sc, npcpus, &why) != 0) {
		log_warn("module %u (%s): guest '%s' refused: %s", m->index, mod_name(m), g->name,
		         why);
		return false;
	}
	return true;
}

unsigned int guest_config_build(const struct guest_module *mods, unsigned int n,
                                unsigned int npcpus, uint64_t free_mem, struct guest_cfg *out)
{
	struct guest_cfg g[GUEST_MAX];
	bool refused[GUEST_MAX] = {false};
	unsigned int ng = 0, nout = 0, kernels = 0;

	for (unsigned int i = 0; i < n; i++)
		kernels +=
		    mods[i].cmd && (modcmd_has(mods[i].cmd, "kernel") || !mods[i].cmd->count);

	/* Pass 1: kernels define guests. */
	for (unsigned int i = 0; i < n; i++) {
		const struct guest_module *m = &mods[i];
		const char *name;

		if (!m->cmd)
			continue;
		name = modcmd_get(m->cmd, "guest");
		/* A lone module with no settings at all is taken as the default guest's kernel. */
		bool lone = !name && m->cmd->count == 0 && kernels == 1;
		if (!modcmd_has(m->cmd, "kernel") && !lone)
			continue;
		if (!name)
			name = DEFAULT_NAME;
		if (!name[0] || strlen(name) >= sizeof(g[0].name)) {
			log_warn(
			    "module %u (%s): guest name '%s' is empty or too long; module ignored",
			    m->index, mod_name(m), name);
			continue;
		}
		int k = find(g, ng, name);
		if (k >= 0) {
			log_warn(
			    "module %u (%s): guest '%s' already has a kernel (module %u); refusing '%s'",
			    m->index, mod_name(m), name, mods[g[k].kernel].index, name);
			refused[k] = true;
			continue;
		}
		if (ng >= GUEST_MAX) {
			log_warn("module %u (%s): more than %d guests; '%s' refused", m->index,
			         mod_name(m), GUEST_MAX, name);
			continue;
		}
		memset(&g[ng], 0, sizeof(g[ng]));
		strncpy_safe(g[ng].name, name, sizeof(g[ng].name));
		g[ng].kernel = (int)i;
		refused[ng] = !kernel_settings(m, npcpus, &g[ng]);
		ng++;
	}
	/* Pass 2: initrds attach to named guests. */
	for (unsigned int i = 0; i < n; i++) {
		const struct guest_module *m = &mods[i];
		const char *name;
		int k;

		if (!m->cmd || !modcmd_has(m->cmd, "initrd"))
			continue;
		name = modcmd_get(m->cmd, "guest");
		if (!name)
			name = DEFAULT_NAME;
		k = find(g, ng, name);
		if (k < 0) {
			log_warn(
			    "module %u (%s): initrd for guest '%s', which has no kernel module; ignored",
			    m->index, mod_name(m), name);
			continue;
		}
		if (g[k].initrd >= 0) {
			log_warn("module %u (%s): guest '%s' already has an initrd; refusing '%s'",
			         m->index, mod_name(m), name, name);
			refused[k] = true;
			continue;
		}
		g[k].initrd = (int)i;
	}
	for (unsigned int i = 0; i < n; i++)
		if (mods[i].cmd && mods[i].cmd->count && !modcmd_has(mods[i].cmd, "kernel") &&
		    !modcmd_has(mods[i].cmd, "initrd"))
			log_warn("module %u (%s): neither 'kernel' nor 'initrd'; ignored",
			         mods[i].index, mod_name(&mods[i]));
	/* Pass 3: grant memory in module order. */
	for (unsigned int k = 0; k < ng; k++) {
		if (refused[k])
			continue;
		if (g[k].mem > free_mem) {
			log_warn(
			    "module %u (%s): guest '%s' refused: mem %llu MiB is more than the %llu MiB left",
			    mods[g[k].kernel].index, mod_name(&mods[g[k].kernel]), g[k].name,
			    (unsigned long long)(g[k].mem >> 20),
			    (unsigned long long)(free_mem >> 20));
			continue;
		}
		free_mem -= g[k].mem;
		out[nout++] = g[k];
	}
	return nout;
}
