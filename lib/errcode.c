#include <errcode.h>

const char *err_str(int err)
{
	static const char *const names[] = {
	    [ERR_INVAL] = "invalid argument",
	    [ERR_NOMEM] = "out of memory",
	    [ERR_NOENT] = "not found",
	    [ERR_RANGE] = "out of range",
	    [ERR_BUSY] = "busy",
	    [ERR_TIMEOUT] = "timed out",
	    [ERR_NOTSUP] = "not supported",
	    [ERR_IO] = "I/O error",
	    [ERR_TRUNC] = "truncated",
	    [ERR_CSUM] = "bad checksum",
	};
	unsigned int i = err < 0 ? (unsigned int)-err : (unsigned int)err;

	if (i == 0)
		return "ok";
	if (i >= sizeof(names) / sizeof(names[0]) || !names[i])
		return "unknown error";
	return names[i];
}
