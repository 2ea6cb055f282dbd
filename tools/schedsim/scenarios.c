/* The named workloads; `schedsim bench` runs them all. */
#include <string.h>

#include "sim.h"

#define S(x)  SCHED_MS(x) * 1000u
#define MS(x) SCHED_MS(x)
#define US(x) SCHED_US(x)

#define CPU(n, w)                                                                                  \
	{                                                                                          \
		.kind = SIM_CPU, .vcpus = (n), .weight = (w)                                       \
	}
#define IO(n, w, run, blk)                                                                         \
	{                                                                                          \
		.kind = SIM_IO, .vcpus = (n), .weight = (w), .run_ns = (run), .block_ns = (blk)    \
	}
#define LOCK(n, w, out, crit, ple)                                                                 \
	{                                                                                          \
		.kind = SIM_LOCK, .vcpus = (n), .weight = (w), .run_ns = (out),                    \
		.block_ns = (crit), .ple_ns = (ple)                                                \
	}

const struct sim_scenario sim_scenarios[] = {
    {
        .name = "weights",
        .what = "three CPU-bound domains of 4 vCPUs, weights 1:2:4",
        .npcpus = 4,
        .duration_ns = S(10),
        .warmup_ns = S(1),
        .ngroups = 3,
        .g = {CPU(4, 256), CPU(4, 512), CPU(4, 1024)},
    },
    {
        .name = "weights-odd",
        .what = "weights 1:2, 3 vCPUs each on 4 pCPUs: shares need migrations",
        .npcpus = 4,
        .duration_ns = S(10),
        .warmup_ns = S(1),
        .ngroups = 2,
        .g = {CPU(3, 256), CPU(3, 512)},
    },
    {
        .name = "vcpus-uneven",
        .what = "equal weights, 2 vs 6 vCPUs: credit1 weighs each active vCPU (1:3)",
        .npcpus = 4,
        .duration_ns = S(10),
        .warmup_ns = S(1),
        .ngroups = 2,
        .g = {CPU(2, 256), CPU(6, 256)},
    },
    {
        .name = "cap",
        .what = "domain 0 capped at 100% (one pCPU) against an uncapped one",
        .npcpus = 4,
        .duration_ns = S(10),
        .warmup_ns = S(1),
        .ngroups = 2,
        .g = {{.kind = SIM_CPU, .vcpus = 4, .weight = 256, .cap = 100}, CPU(4, 256)},
    },
    {
        .name = "io-mix",
        .what = "two CPU-bound domains (1:2) and an I/O domain (0.2 ms run, 2 ms block)",
        .npcpus = 8,
        .duration_ns = S(10),
        .warmup_ns = S(1),
        .ngroups = 3,
        .g = {CPU(8, 256), CPU(8, 512), IO(8, 256, US(200), MS(2))},
    },
    {
        .name = "lock",
        .what = "8 lock pairs (50 us out, 20 us in, yield after 20 us spin) + 8 CPU hogs",
        .npcpus = 8,
        .duration_ns = S(10),
        .warmup_ns = S(1),
        .ngroups = 2,
        .g = {LOCK(16, 256, US(50), US(20), US(20)), CPU(8, 256)},
    },
    {
        .name = "lock-noyield",
        .what = "as lock, but waiters spin until the holder runs (no PAUSE-loop exit)",
        .npcpus = 8,
        .duration_ns = S(10),
        .warmup_ns = S(1),
        .ngroups = 2,
        .g = {LOCK(16, 256, US(50), US(20), 0), CPU(8, 256)},
    },
    {
        .name = "big-cpu",
        .what = "64 pCPUs, 512 CPU-bound vCPUs in 4 domains, weights 1:2:3:4",
        .npcpus = 64,
        .duration_ns = S(10),
        .warmup_ns = S(1),
        .ngroups = 4,
        .g = {CPU(128, 256), CPU(128, 512), CPU(128, 768), CPU(128, 1024)},
    },
    {
        .name = "big-mix",
        .what = "64 pCPUs, 512 vCPUs: CPU-bound 1:2 plus two I/O domains",
        .npcpus = 64,
        .duration_ns = S(10),
        .warmup_ns = S(1),
        .ngroups = 4,
        .g = {CPU(128, 256), CPU(128, 512), IO(128, 256, US(500), MS(5)),
              IO(128, 256, US(100), MS(1))},
    },
    {
        .name = "big-lock",
        .what = "64 pCPUs, 128 lock pairs (yield after 20 us) + 256 CPU hogs",
        .npcpus = 64,
        .duration_ns = S(10),
        .warmup_ns = S(1),
        .ngroups = 2,
        .g = {LOCK(256, 256, US(50), US(20), US(20)), CPU(256, 256)},
    },
};

const unsigned int sim_nscenarios = sizeof(sim_scenarios) / sizeof(sim_scenarios[0]);

const struct sim_scenario *sim_scenario_find(const char *name)
{
	for (unsigned int i = 0; i < sim_nscenarios; i++)
		if (strcmp(sim_scenarios[i].name, name) == 0)
			return &sim_scenarios[i];
	return NULL;
}
