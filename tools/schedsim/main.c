/*
 * schedsim's command line:
 *
 *   schedsim [--trace FILE] [--duration-ms N] SCENARIO...   (or "all")
 *   schedsim --list
 *   schedsim bench      every scenario's table, then the decision cost
 *   schedsim pickcost   the decision cost only
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

/* The scheduler logs and asserts through these, as in the hypervisor. */
void kprintf(const char *fmt, ...);
void kprintf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

void panic_at(const char *file, int line, const char *fmt, ...);
void panic_at(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "panic at %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

static int usage(void)
{
	fprintf(stderr, "usage: schedsim [--trace FILE] [--duration-ms N] SCENARIO... | all\n"
	                "       schedsim --list | bench | pickcost\n");
	return 2;
}

static int run(const struct sim_scenario *sc, uint64_t duration, FILE *trace)
{
	struct sim_scenario copy = *sc;
	struct sim_result r;

	if (duration) {
		copy.duration_ns = duration;
		if (copy.warmup_ns > duration / 5)
			copy.warmup_ns = duration / 5;
	}
	if (sim_run(&copy, &r, trace) != 0)
		return 1;
	sim_report(stdout, &copy, &r);
	fflush(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	FILE *trace = NULL;
	uint64_t duration = 0;
	int i = 1, status = 0;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--list")) {
			for (unsigned int k = 0; k < sim_nscenarios; k++)
				printf("%-14s %s\n", sim_scenarios[k].name, sim_scenarios[k].what);
			return 0;
		} else if (!strcmp(argv[i], "--trace") && i + 1 < argc) {
			trace = fopen(argv[++i], "w");
			if (!trace) {
				perror(argv[i]);
				return 1;
			}
		} else if (!strcmp(argv[i], "--duration-ms") && i + 1 < argc) {
			duration = strtoull(argv[++i], NULL, 0) * SCHED_MS(1);
		} else {
			return usage();
		}
	}
	if (i >= argc)
		return usage();
	for (; i < argc; i++) {
		const struct sim_scenario *sc = sim_scenario_find(argv[i]);
		bool all = !strcmp(argv[i], "all") || !strcmp(argv[i], "bench");

		if (!strcmp(argv[i], "pickcost")) {
			sim_pickcost(stdout);
		} else if (all) {
			for (unsigned int k = 0; k < sim_nscenarios; k++)
				status |= run(&sim_scenarios[k], duration, trace);
			if (!strcmp(argv[i], "bench"))
				sim_pickcost(stdout);
		} else if (sc) {
			status |= run(sc, duration, trace);
		} else {
			fprintf(stderr, "schedsim: no scenario %s (--list shows them)\n", argv[i]);
			status = 1;
		}
	}
	if (trace)
		fclose(trace);
	return status;
}
