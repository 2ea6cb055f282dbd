/*
 * The Multiboot modules and their parsed command lines, kept for the guest
 * loader. A module whose command line is malformed is kept with cmd == NULL
 * (the loader refuses it by name); its raw line is still there for messages.
 */
#ifndef BOOT_MODULES_H
#define BOOT_MODULES_H

#include <stdint.h>
#include <cmdline.h>

struct boot_info;

struct boot_mod {
	uint64_t start, end; /* physical, [start, end) */
	const char *path;    /* first word of the loader's line when it is a path, else "" */
	const char *raw;     /* the command line after the path */
	struct modcmd *cmd;  /* NULL when malformed */
	uint32_t index;      /* the loader's module number, for messages */
};

/* Parses every module's command line (needs kalloc). Returns how many were malformed. */
unsigned int boot_modules_init(const struct boot_info *bi);

unsigned int boot_module_count(void);
const struct boot_mod *boot_module(unsigned int i);

#endif
