#include <format.h>
#include <stdbool.h>
#include <stdint.h>

struct spec {
	bool left, zero, plus, space, alt;
	int width;
	int prec; /* -1: none */
};

struct out {
	format_sink_t sink;
	void *ctx;
	size_t n;
};

static void put(struct out *o, char c)
{
	o->sink(o->ctx, c);
	o->n++;
}

static void pad(struct out *o, char c, int n)
{
	while (n-- > 0)
		put(o, c);
}

static void emit_str(struct out *o, const struct spec *sp, const char *s)
{
	int len = 0;

	if (!s)
		s = "(null)";
	while (s[len] && (sp->prec < 0 || len < sp->prec))
		len++;
	if (!sp->left)
		pad(o, ' ', sp->width - len);
	for (int i = 0; i < len; i++)
		put(o, s[i]);
	if (sp->left)
		pad(o, ' ', sp->width - len);
}

static void emit_num(struct out *o, const struct spec *sp, uint64_t v, bool neg, unsigned base,
                     bool upper, const char *prefix)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int nd = 0;

	while (v) {
		tmp[nd++] = digits[v % base];
		v /= base;
	}
	if (nd == 0 && sp->prec != 0)
		tmp[nd++] = '0';

	char sign = neg ? '-' : sp->plus ? '+' : sp->space ? ' ' : 0;
	int plen = (prefix ? (int)__builtin_strlen(prefix) : 0) + (sign ? 1 : 0);
	int zeros = sp->prec > nd ? sp->prec - nd : 0;
	int body = plen + zeros + nd;

	if (sp->zero && !sp->left && sp->prec < 0 && sp->width > body)
		zeros += sp->width - body, body = sp->width;
	if (!sp->left)
		pad(o, ' ', sp->width - body);
	if (sign)
		put(o, sign);
	for (const char *p = prefix; p && *p; p++)
		put(o, *p);
	pad(o, '0', zeros);
	while (nd)
		put(o, tmp[--nd]);
	if (sp->left)
		pad(o, ' ', sp->width - body);
}

static const char *parse_int(const char *f, int *v)
{
	*v = 0;
	while (*f >= '0' && *f <= '9') {
		if (*v < 100000)
			*v = *v * 10 + (*f - '0');
		f++;
	}
	return f;
}

size_t kvformat(format_sink_t sink, void *ctx, const char *fmt, va_list ap)
{
	struct out o = {sink, ctx, 0};
	va_list args;

	va_copy(args, ap);
	for (const char *f = fmt; *f; f++) {
		if (*f != '%') {
			put(&o, *f);
			continue;
		}
		const char *start = f++;
		struct spec sp = {.prec = -1};

		for (;; f++) {
			if (*f == '-')
				sp.left = true;
			else if (*f == '0')
				sp.zero = true;
			else if (*f == '+')
				sp.plus = true;
			else if (*f == ' ')
				sp.space = true;
			else if (*f == '#')
				sp.alt = true;
			else
				break;
		}
		if (*f == '*') {
			sp.width = va_arg(args, int);
			if (sp.width < 0)
				sp.left = true, sp.width = -sp.width;
			f++;
		} else {
			f = parse_int(f, &sp.width);
		}
		if (*f == '.') {
			f++;
			if (*f == '*') {
				sp.prec = va_arg(args, int);
				if (sp.prec < 0)
					sp.prec = -1;
				f++;
			} else {
				f = parse_int(f, &sp.prec);
			}
		}

		int len = 0; /* 0 int, 1 long, 2 long long; sizes map onto these */
		if (*f == 'h') {
			f += (f[1] == 'h') ? 2 : 1;
		} else if (*f == 'l') {
			len = (f[1] == 'l') ? 2 : 1;
			f += len;
		} else if (*f == 'z' || *f == 't' || *f == 'j') {
			len = 2;
			f++;
		}

		uint64_t u;
		int64_t s;
		switch (*f) {
		case 'd':
		case 'i':
			s = len == 2   ? va_arg(args, long long)
			    : len == 1 ? va_arg(args, long)
			               : va_arg(args, int);
			emit_num(&o, &sp, s < 0 ? -(uint64_t)s : (uint64_t)s, s < 0, 10, false,
			         NULL);
			break;
		case 'u':
		case 'x':
		case 'X':
		case 'o':
			u = len == 2   ? va_arg(args, unsigned long long)
			    : len == 1 ? va_arg(args, unsigned long)
			               : va_arg(args, unsigned int);
			if (f[-1] == 'h' && f[-2] == 'h')
				u = (unsigned char)u;
			else if (f[-1] == 'h')
				u = (unsigned short)u;
			sp.plus = sp.space = false;
			if (*f == 'u')
				emit_num(&o, &sp, u, false, 10, false, NULL);
			else if (*f == 'o')
				emit_num(&o, &sp, u, false, 8, false, sp.alt && u ? "0" : NULL);
			else
				emit_num(&o, &sp, u, false, 16, *f == 'X',
				         sp.alt && u ? (*f == 'X' ? "0X" : "0x") : NULL);
			break;
		case 'p':
			sp.plus = sp.space = false;
			emit_num(&o, &sp, (uintptr_t)va_arg(args, void *), false, 16, false, "0x");
			break;
		case 's':
			emit_str(&o, &sp, va_arg(args, const char *));
			break;
		case 'c': {
			char c[2] = {(char)va_arg(args, int), 0};
			sp.prec = -1;
			if (!sp.left)
				pad(&o, ' ', sp.width - 1);
			put(&o, c[0]);
			if (sp.left)
				pad(&o, ' ', sp.width - 1);
			break;
		}
		case '%':
			put(&o, '%');
			break;
		default: /* unknown conversion: print it as written */
			for (const char *p = start; p <= f && *p; p++)
				put(&o, *p);
			if (!*f)
				f--;
			break;
		}
	}
	va_end(args);
	return o.n;
}

struct bufctx {
	char *buf;
	size_t size, pos;
};

static void buf_sink(void *ctx, char c)
{
	struct bufctx *b = ctx;

	if (b->pos + 1 < b->size)
		b->buf[b->pos] = c;
	b->pos++;
}

size_t kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct bufctx b = {buf, size, 0};
	size_t n = kvformat(buf_sink, &b, fmt, ap);

	if (size)
		buf[b.pos < size ? b.pos : size - 1] = '\0';
	return n;
}

size_t ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	n = kvsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
