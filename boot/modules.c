#include <bootinfo.h>
#include <kalloc.h>
#include <log.h>
#include <string.h>
#include <boot/modules.h>

static struct boot_mod mods[BOOTINFO_MAX_MODULES];
static unsigned int nmods;

/*
 * QEMU's -initrd and GRUB's multiboot (v1) put the module's path first;
 * GRUB's module2 does not. A first word with a '/' and no '=' is a path.
 */
static const char *skip_path(const char *s, const char **path_end)
{
	const char *w = s, *e;
	bool slash = false;

	while (*w == ' ')
		w++;
	for (e = w; *e && *e != ' '; e++) {
		if (*e == '=')
			return *path_end = s, s;
		slash |= *e == '/';
	}
	*path_end = slash ? e : s;
	if (!slash)
		return s;
	while (*e == ' ')
		e++;
	return e;
}

unsigned int boot_modules_init(const struct boot_info *bi)
{
	unsigned int bad = 0;

	nmods = 0;
	for (unsigned int i = 0; i < bi->module_count; i++) {
		const struct boot_module *m = &bi->modules[i];
		struct boot_mod *d = &mods[nmods++];
		const char *path_end;

		d->start = m->start;
		d->end = m->end;
		d->index = m->index;
		d->raw = skip_path(m->cmdline, &path_end);
		d->path = "";
		if (path_end != m->cmdline) {
			size_t n = (size_t)(path_end - m->cmdline);
			char *p = kalloc(n + 1);

			if (p) {
				memcpy(p, m->cmdline, n);
				p[n] = '\0';
				d->path = p;
			}
		}
		d->cmd = kzalloc(sizeof(*d->cmd));
		if (!d->cmd) {
			log_err("module %u: no memory for its command line", m->index);
			bad++;
			continue;
		}
		if (modcmd_parse(d->raw, d->cmd) < 0) {
			log_warn(
			    "module %u (%s): malformed command line '%s'; no guest will use it",
			    m->index, d->path[0] ? d->path : "no path", d->raw);
			kfree(d->cmd);
			d->cmd = NULL;
			bad++;
		}
	}
	return bad;
}

unsigned int boot_module_count(void)
{
	return nmods;
}

const struct boot_mod *boot_module(unsigned int i)
{
	return i < nmods ? &mods[i] : NULL;
}
