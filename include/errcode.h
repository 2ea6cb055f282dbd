/*
 * Error codes for init and configuration paths. Functions return 0 or a
 * negative code (-ERR_INVAL); err_str() names it for a log line.
 */
#ifndef TANDEM_ERRCODE_H
#define TANDEM_ERRCODE_H

enum err {
	ERR_INVAL = 1, /* malformed or out-of-range argument */
	ERR_NOMEM,     /* allocator exhausted */
	ERR_NOENT,     /* thing looked up does not exist */
	ERR_RANGE,     /* value outside what the table or hardware allows */
	ERR_BUSY,      /* resource already in use */
	ERR_TIMEOUT,   /* hardware or peer did not answer in time */
	ERR_NOTSUP,    /* feature absent on this machine */
	ERR_IO,        /* device or firmware reported an error */
	ERR_TRUNC,     /* input shorter than its own length fields claim */
	ERR_CSUM,      /* checksum mismatch */
};

const char *err_str(int err);

#endif
