/*
 * KVM steal time (include/steal_time.h). Updates follow the seqcount
 * protocol Linux's reader expects (kvm_steal_clock(): retry while the
 * version is odd or changed): version odd, the fields, version even, each
 * a release store through a volatile pointer so neither the compiler nor
 * the CPU lets the guest see them out of order. The area is 64-byte
 * aligned, so it never straddles a page or a gmem region, and every field
 * is naturally aligned for a single store.
 */
#include <errcode.h>
#include <hw/tandem_abi.h>
#include <steal_time.h>

#define AREA_ADDR(val) ((val) & ~(uint64_t)63)

int steal_time_msr_write(struct steal_time *st, const struct gmem *m, uint64_t val,
                         unsigned int maxphyaddr, const char **why)
{
	const char *dummy;

	if (!why)
		why = &dummy;
	*why = NULL;
	if (val & KVM_STEAL_RESERVED_MASK) {
		*why = "reserved bits 1..5 set (the area must be 64-byte aligned)";
		return -ERR_INVAL;
	}
	if (maxphyaddr < 64 && (val >> maxphyaddr)) {
		*why = "address beyond the guest's physical-address width";
		return -ERR_RANGE;
	}
	st->msr = val;
	st->on = val & KVM_MSR_ENABLED;
	st->gpa = AREA_ADDR(val);
	if (st->on && !gmem_ptr(m, st->gpa, sizeof(struct kvm_steal_time)))
		*why = "area not in guest RAM: accepted, steal time not published";
	return 0;
}

uint64_t steal_time_msr_read(const struct steal_time *st)
{
	return st->msr;
}

/* The guest's area while enabled and all guest RAM, else NULL. */
static volatile struct kvm_steal_time *area(const struct steal_time *st, const struct gmem *m)
{
	return st->on ? gmem_ptr(m, st->gpa, sizeof(struct kvm_steal_time)) : NULL;
}

void steal_time_publish(struct steal_time *st, const struct gmem *m, uint64_t steal_ns)
{
	volatile struct kvm_steal_time *a = area(st, m);

	if (!st->on)
		return;
	if (!st->based) {
		st->steal_base = steal_ns;
		st->based = true;
	}
	if (!a)
		return;
	__atomic_store_n(&a->version, st->version + 1, __ATOMIC_RELEASE);
	__atomic_store_n(&a->steal, steal_ns > st->steal_base ? steal_ns - st->steal_base : 0,
	                 __ATOMIC_RELEASE);
	__atomic_store_n(&a->preempted, 0, __ATOMIC_RELEASE);
	st->version += 2;
	__atomic_store_n(&a->version, st->version, __ATOMIC_RELEASE);
}

void steal_time_set_preempted(struct steal_time *st, const struct gmem *m)
{
	volatile struct kvm_steal_time *a = area(st, m);

	if (a)
		__atomic_store_n(&a->preempted, KVM_VCPU_PREEMPTED, __ATOMIC_RELEASE);
}

void steal_time_reset(struct steal_time *st)
{
	st->msr = 0;
	st->gpa = 0;
	st->on = false;
}
