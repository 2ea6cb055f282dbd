#include <errcode.h>
#include <linux_load.h>
#include <log.h>
#include <string.h>

#define PTE_P_RW   0x3ull  /* present, writable */
#define PDE_2M     0x83ull /* present, writable, 2 MiB page */
#define GDT_CODE64 0x00af9b000000ffffull
#define GDT_DATA   0x00cf93000000ffffull

static const uint64_t linux_gdt[4] = {0, 0, GDT_CODE64, GDT_DATA}; /* 0x10 code, 0x18 data */

static int put(struct gmem *m, uint64_t gpa, const void *src, uint64_t len, const char *what)
{
	if (gmem_copy_to(m, gpa, src, len) == 0)
		return 0;
	log_err("linux: the %s (%lu bytes at %#lx) does not fit in guest memory", what, len, gpa);
	return -ERR_NOMEM;
}

/* Identity map of [0, 4 GiB) with 2 MiB pages: enough for any layout bzimage_plan makes. */
static int put_page_tables(struct gmem *m)
{
	uint64_t e;
	int err;

	e = LINUX_PDPT_GPA | PTE_P_RW;
	err = put(m, LINUX_PML4_GPA, &e, 8, "PML4");
	for (uint64_t i = 0; i < 4 && !err; i++) {
		e = (LINUX_PD_GPA + i * 4096) | PTE_P_RW;
		err = put(m, LINUX_PDPT_GPA + i * 8, &e, 8, "PDPT");
	}
	for (uint64_t i = 0; i < 4 * 512 && !err; i++) {
		e = (i << 21) | PDE_2M;
		err = put(m, LINUX_PD_GPA + i * 8, &e, 8, "page directory");
	}
	return err;
}

int linux_load(struct gmem *m, const struct linux_image *img, const struct guest_acpi_cfg *acfg,
               struct linux_boot *out)
{
	struct bzimage_info *bi = &out->info;
	struct bzimage_layout *lay = &out->lay;
	size_t cmdlen = strlen(img->cmdline);
	void *buf;
	int err;

	memset(out, 0, sizeof(*out));
	err = bzimage_parse(img->kernel, img->kernel_len, bi);
	if (err)
		return err;
	lay->acpi_base = LINUX_ACPI_GPA;
	lay->acpi_len = LINUX_ACPI_LEN;
	buf = gmem_ptr(m, LINUX_ACPI_GPA, LINUX_ACPI_LEN);
	if (!buf) {
		log_err("linux: guest memory has no room for ACPI tables at %#llx", LINUX_ACPI_GPA);
		return -ERR_NOMEM;
	}
	err = guest_acpi_build(acfg, buf, LINUX_ACPI_LEN, LINUX_ACPI_GPA, &out->acpi);
	if (err)
		return err;
	lay->acpi_rsdp_addr = out->acpi.rsdp_gpa;

	err = bzimage_plan(bi, m->size, cmdlen, img->initrd ? img->initrd_len : 0, lay);
	if (err)
		return err;
	buf = gmem_ptr(m, lay->params_gpa, sizeof(struct linux_boot_params));
	if (!buf) {
		log_err("linux: guest memory has no room for boot_params at %#lx", lay->params_gpa);
		return -ERR_NOMEM;
	}
	err = bzimage_build_params(bi, img->kernel, lay, buf);
	if (!err)
		err = put(m, lay->cmdline_gpa, img->cmdline, cmdlen + 1, "command line");
	if (!err)
		err = put(m, lay->kernel_gpa, (const uint8_t *)img->kernel + bi->kernel_offset,
		          bi->kernel_size, "kernel");
	if (!err && img->initrd)
		err = put(m, lay->initrd_gpa, img->initrd, img->initrd_len, "initrd");
	if (!err)
		err = put(m, LINUX_GDT_GPA, linux_gdt, sizeof(linux_gdt), "GDT");
	if (!err)
		err = put_page_tables(m);
	if (err)
		return err;

	out->rip = bzimage_entry64(lay);
	out->rsp = LINUX_STACK_TOP;
	out->rsi = lay->params_gpa;
	out->cr3 = LINUX_PML4_GPA;
	out->gdt = LINUX_GDT_GPA;
	out->gdt_limit = sizeof(linux_gdt) - 1;
	out->cs = LINUX_BOOT_CS;
	out->ds = LINUX_BOOT_DS;
	return 0;
}
