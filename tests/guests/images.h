/*
 * The test guests' flat images, embedded in the test build by
 * tests/guests/guests.mk. Load an image at GUEST_LOAD_GPA (layout.h) and
 * enter it in the mode its GUEST_IMAGES() entry names: 64 (long mode, host
 * page tables), 32 (protected mode, paging off) or 16 (real mode).
 * tests/guests/README.md lists what each guest reports.
 */
#ifndef TESTS_GUESTS_IMAGES_H
#define TESTS_GUESTS_IMAGES_H

#include <stddef.h>

/* X(name, start mode): one entry per guest, in guests.mk order. */
#define GUEST_IMAGES(X)                                                                            \
	X(cpuid, 64)                                                                               \
	X(msr, 64)                                                                                 \
	X(pio, 64)                                                                                 \
	X(mmio, 64)                                                                                \
	X(hlt_timer, 64)                                                                           \
	X(triple_fault, 64)                                                                        \
	X(badinsn, 64)                                                                             \
	X(bench, 64)                                                                               \
	X(irqwin, 64)                                                                              \
	X(apic, 64)                                                                                \
	X(apic_smp, 64)                                                                            \
	X(kvm_pv, 64)                                                                              \
	X(prot32, 32)                                                                              \
	X(realmode, 16)

extern const char guest_cpuid_image[], guest_cpuid_image_end[];
extern const char guest_msr_image[], guest_msr_image_end[];
extern const char guest_kvm_pv_image[], guest_kvm_pv_image_end[];
extern const char guest_pio_image[], guest_pio_image_end[];
extern const char guest_mmio_image[], guest_mmio_image_end[];
extern const char guest_hlt_timer_image[], guest_hlt_timer_image_end[];
extern const char guest_triple_fault_image[], guest_triple_fault_image_end[];
extern const char guest_badinsn_image[], guest_badinsn_image_end[];
extern const char guest_bench_image[], guest_bench_image_end[];
extern const char guest_irqwin_image[], guest_irqwin_image_end[];
extern const char guest_apic_image[], guest_apic_image_end[];
extern const char guest_apic_smp_image[], guest_apic_smp_image_end[];
extern const char guest_prot32_image[], guest_prot32_image_end[];
extern const char guest_realmode_image[], guest_realmode_image_end[];

/* GUEST_IMAGE_SIZE(cpuid): the image's length in bytes. */
#define GUEST_IMAGE_SIZE(name) ((size_t)(guest_##name##_image_end - guest_##name##_image))

#endif
