/*
 * Reading the current VMCS field by field: vmcs_dump() for logs after an
 * unexpected exit or a failed entry, vmcs_snapshot_read() for the software
 * entry checker. Kernel only (VMREAD); fields the CPU does not implement
 * fail VMREAD with VMfailValid and are skipped.
 */
#include <format.h>
#include <log.h>
#include <x86/cpuid.h>
#include <x86/vmcs_check.h>
#include <x86/vmcs_fields.h>

#define LINE_MAX_CHARS 96

struct line {
	char buf[LINE_MAX_CHARS + 48];
	size_t len;
};

static void flush(struct line *l)
{
	if (l->len)
		log_info("vmcs:  %s", l->buf);
	l->len = 0;
	l->buf[0] = '\0';
}

static void add(struct line *l, const char *name, unsigned int bits, uint64_t v)
{
	char item[64];
	size_t n = ksnprintf(item, sizeof(item), "%s=%#0*lx", name, (int)(bits / 4 + 2), v);

	if (l->len && l->len + 1 + n > LINE_MAX_CHARS)
		flush(l);
	l->len +=
	    ksnprintf(l->buf + l->len, sizeof(l->buf) - l->len, "%s%s", l->len ? " " : "", item);
	if (l->len >= sizeof(l->buf))
		l->len = sizeof(l->buf) - 1;
}

void vmcs_dump(void)
{
	struct line l = {.len = 0};
	const char *group = NULL;
	unsigned int skipped = 0;

	log_info("vmcs: dump of the current VMCS %#lx", vmptrst());
	for (unsigned int i = 0; i < VMCS_FIELD_COUNT; i++) {
		uint32_t enc = vmcs_field_at(i);
		uint64_t v;

		if (vmcs_read_status(enc, &v) != VMX_SUCCEED) {
			skipped++;
			continue;
		}
		if (vmcs_field_group(enc) != group) {
			flush(&l);
			group = vmcs_field_group(enc);
			log_info("vmcs: %s", group);
		}
		add(&l, vmcs_field_name(enc), vmcs_field_bits(enc), v);
	}
	flush(&l);
	log_info("vmcs: %u listed fields not supported by this CPU", skipped);
}

void vmcs_snapshot_read(struct vmcs_snapshot *s)
{
	struct cpuid_regs r = cpuid(0x80000000, 0);

	vmcs_snap_clear(s);
	for (unsigned int i = 0; i < VMCS_FIELD_COUNT; i++) {
		uint32_t enc = vmcs_field_at(i);
		uint64_t v;

		if (vmcs_read_status(enc, &v) == VMX_SUCCEED)
			vmcs_snap_set(s, enc, v);
	}
	/* Vol. 2A CPUID leaf 80000008H: EAX[7:0] physical, EAX[15:8] linear address bits. */
	if (r.eax >= 0x80000008) {
		r = cpuid(0x80000008, 0);
		s->maxphyaddr = r.eax & 0xff;
		s->linaddr = (r.eax >> 8) & 0xff;
	} else {
		s->maxphyaddr = 36;
		s->linaddr = 48;
	}
}
