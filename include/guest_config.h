/*
 * Guests from Multiboot modules. Each module's command line says what it is:
 *
 *   guest=NAME kernel vcpus=N mem=SIZE [pcpus=LIST] [weight=W] [cap=PCT] -- <linux cmdline>
 *   guest=NAME initrd
 *
 * LIST is comma-separated pCPU numbers and ranges ("0,2-3"). A lone kernel
 * module without guest= becomes guest "linux" with defaults. A bad guest is
 * refused with one line naming the module and the reason; the others still
 * start. Pure: takes the parsed module lines, the machine's pCPU count and
 * free memory.
 */
#ifndef TANDEM_GUEST_CONFIG_H
#define TANDEM_GUEST_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <cmdline.h>

#define GUEST_MAX            16
#define GUEST_MAX_VCPUS      64
#define GUEST_DEFAULT_MEM    (256ull << 20)
#define GUEST_MIN_MEM        (32ull << 20)
#define GUEST_DEFAULT_WEIGHT 256

struct guest_module {
	const struct modcmd *cmd; /* NULL: its command line was malformed (already reported) */
	uint32_t index;           /* the loader's module number, for messages */
	const char *path;         /* for messages; may be "" */
};

struct guest_cfg {
	char name[32];
	int kernel; /* index into the module array */
	int initrd; /* index, or -1 */
	unsigned int vcpus;
	uint64_t mem;
	uint64_t pcpus; /* bitmap of allowed pCPUs (hard affinity); all online ones by default */
	uint64_t soft;  /* preferred pCPUs within pcpus (soft affinity); 0: none */
	unsigned int weight; /* credit scheduler weight, 1..65535 */
	unsigned int cap;    /* percent of one pCPU, 0: none; at most 100 x vcpus */
	const char *cmdline; /* the text after "--", "" when none */
};

/*
 * Builds up to GUEST_MAX guest configurations from n modules. Guests that
 * fail validation are dropped with a log line; memory is granted in module
 * order, so a later guest that no longer fits is refused. Returns how many
 * guests are valid (filled into out[0..ret)).
 */
unsigned int guest_config_build(const struct guest_module *mods, unsigned int n,
                                unsigned int npcpus, uint64_t free_mem, struct guest_cfg *out);

/* Parses "0,2-3" into a bitmap; false (with *bad the offending number) when out of [0, npcpus). */
bool guest_parse_pcpus(const char *s, unsigned int npcpus, uint64_t *mask, uint64_t *bad);

#endif
