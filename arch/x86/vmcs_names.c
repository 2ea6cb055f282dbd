/*
 * Names and indexes of the VMCS fields listed in x86/vmcs_fields.h, for dumps
 * and the VM-entry checker. Pure: host unit tests link it.
 *
 * The build checks each listed encoding against the Appendix B table it is
 * listed under: width (bits 14:13) and type (bits 11:10) must match the table,
 * and the access-type bit 0, bit 12 and bits 31:15 must be 0.
 */
#include <x86/vmcs_fields.h>

#define FIELD_OK(e, w, t)                                                                          \
	(VMCS_FIELD_WIDTH(e) == VMCS_WIDTH_##w && VMCS_FIELD_TYPE(e) == VMCS_TYPE_##t &&           \
	 ((e)&0xffff9001u) == 0)
#define ASSERT_IN(n, e, w, t) _Static_assert(FIELD_OK(e, w, t), "Appendix B table of " #n);

#define C16(n, e, s) ASSERT_IN(n, e, 16, CONTROL)
#define G16(n, e, s) ASSERT_IN(n, e, 16, GUEST)
#define H16(n, e, s) ASSERT_IN(n, e, 16, HOST)
#define C64(n, e, s) ASSERT_IN(n, e, 64, CONTROL)
#define R64(n, e, s) ASSERT_IN(n, e, 64, RO)
#define G64(n, e, s) ASSERT_IN(n, e, 64, GUEST)
#define H64(n, e, s) ASSERT_IN(n, e, 64, HOST)
#define C32(n, e, s) ASSERT_IN(n, e, 32, CONTROL)
#define R32(n, e, s) ASSERT_IN(n, e, 32, RO)
#define G32(n, e, s) ASSERT_IN(n, e, 32, GUEST)
#define H32(n, e, s) ASSERT_IN(n, e, 32, HOST)
#define CN(n, e, s)  ASSERT_IN(n, e, NAT, CONTROL)
#define RN(n, e, s)  ASSERT_IN(n, e, NAT, RO)
#define GN(n, e, s)  ASSERT_IN(n, e, NAT, GUEST)
#define HN(n, e, s)  ASSERT_IN(n, e, NAT, HOST)
VMCS_FIELDS_CTRL16(C16)
VMCS_FIELDS_GUEST16(G16)
VMCS_FIELDS_HOST16(H16)
VMCS_FIELDS_CTRL64(C64)
VMCS_FIELDS_RO64(R64)
VMCS_FIELDS_GUEST64(G64)
VMCS_FIELDS_HOST64(H64)
VMCS_FIELDS_CTRL32(C32)
VMCS_FIELDS_RO32(R32)
VMCS_FIELDS_GUEST32(G32)
VMCS_FIELDS_HOST32(H32)
VMCS_FIELDS_CTRLN(CN)
VMCS_FIELDS_RON(RN)
VMCS_FIELDS_GUESTN(GN)
VMCS_FIELDS_HOSTN(HN)

/* Sorted by encoding, because the lists are (a unit test checks it). */
static const struct {
	uint16_t enc;
	const char *name;
} fields[VMCS_FIELD_COUNT] = {
#define X(n, e, s) [VMCS_IDX_##n] = {e, s},
    VMCS_FIELDS(X)
#undef X
};

int vmcs_field_index(uint32_t enc)
{
	unsigned int lo = 0, hi = VMCS_FIELD_COUNT;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (fields[mid].enc == enc)
			return (int)mid;
		if (fields[mid].enc < enc)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

uint32_t vmcs_field_at(unsigned int idx)
{
	return idx < VMCS_FIELD_COUNT ? fields[idx].enc : ~0u;
}

const char *vmcs_field_name(uint32_t enc)
{
	int i = vmcs_field_index(enc);

	return i < 0 ? NULL : fields[i].name;
}

const char *vmcs_field_group(uint32_t enc)
{
	/* [width][type], in the order of Appendix B's tables. */
	static const char *const group[4][4] = {
	    {"16-bit control", "16-bit exit-information", "16-bit guest-state",
	     "16-bit host-state"},
	    {"64-bit control", "64-bit exit-information", "64-bit guest-state",
	     "64-bit host-state"},
	    {"32-bit control", "32-bit exit-information", "32-bit guest-state",
	     "32-bit host-state"},
	    {"natural-width control", "natural-width exit-information", "natural-width guest-state",
	     "natural-width host-state"},
	};

	return group[VMCS_FIELD_WIDTH(enc)][VMCS_FIELD_TYPE(enc)];
}
