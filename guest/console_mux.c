/* Guest console multiplexing; see console_mux.h. */
#include <console_mux.h>
#include <errcode.h>
#include <format.h>

void console_mux_init(struct console_mux *m, void (*print)(const char *s, size_t n))
{
	*m = (struct console_mux){.print = print, .focus = -1};
}

int console_mux_add(struct console_mux *m, struct console_sink *s)
{
	unsigned long f = spin_lock_irqsave(&m->lock);
	int err = 0;

	if (m->nsinks == CONSOLE_MUX_MAX) {
		err = -ERR_RANGE;
	} else {
		s->len = 0;
		m->sink[m->nsinks++] = s;
		if (m->focus < 0)
			m->focus = 0;
	}
	spin_unlock_irqrestore(&m->lock, f);
	return err;
}

void console_mux_remove(struct console_mux *m, struct console_sink *s)
{
	unsigned long f = spin_lock_irqsave(&m->lock);

	for (unsigned int i = 0; i < m->nsinks; i++) {
		if (m->sink[i] != s)
			continue;
		for (unsigned int j = i + 1; j < m->nsinks; j++)
			m->sink[j - 1] = m->sink[j];
		m->nsinks--;
		if (m->focus > (int)i || m->focus == (int)m->nsinks)
			m->focus--;
		break;
	}
	spin_unlock_irqrestore(&m->lock, f);
}

static void print_line(struct console_mux *m, const char *name, const char *text, size_t n)
{
	char buf[CONSOLE_LINE_MAX + 48];
	size_t len = ksnprintf(buf, sizeof(buf), "%s| %.*s\n", name, (int)n, text);

	m->print(buf, len < sizeof(buf) ? len : sizeof(buf) - 1);
}

void console_mux_flush(struct console_mux *m, struct console_sink *s)
{
	if (s->len) {
		print_line(m, s->name, s->line, s->len);
		s->len = 0;
	}
	s->idle_len = 0;
}

void console_mux_idle(struct console_mux *m, struct console_sink *s, uint64_t now_ns)
{
	if (!s->len)
		return;
	if (s->len != s->idle_len) {
		s->idle_len = s->len;
		s->idle_since = now_ns;
	} else if (now_ns - s->idle_since >= CONSOLE_IDLE_NS) {
		console_mux_flush(m, s);
	}
}

void console_mux_out(struct console_mux *m, struct console_sink *s, uint8_t byte)
{
	if (byte == '\r')
		return;
	if (byte == '\n') {
		if (s->on_line)
			s->on_line(s->ctx, s->line, s->len);
		print_line(m, s->name, s->line, s->len);
		s->len = 0;
		s->idle_len = 0;
		return;
	}
	/* Control bytes (escape sequences) would reach the user's terminal raw: show them as '?'. */
	s->line[s->len++] = (byte >= 0x20 && byte < 0x7f) || byte == '\t' ? (char)byte : '?';
	if (s->len == CONSOLE_LINE_MAX)
		console_mux_flush(m, s);
}

static void say(struct console_mux *m, const char *what)
{
	char buf[96];
	size_t len = ksnprintf(buf, sizeof(buf), "console: %s\n", what);

	m->print(buf, len < sizeof(buf) ? len : sizeof(buf) - 1);
}

static void say_focus(struct console_mux *m)
{
	char buf[80];

	ksnprintf(buf, sizeof(buf), "input goes to %s (Ctrl-T ? lists the guests)",
	          m->focus >= 0 ? m->sink[m->focus]->name : "nobody");
	say(m, buf);
}

static void list(struct console_mux *m)
{
	char buf[80];

	for (unsigned int i = 0; i < m->nsinks; i++) {
		ksnprintf(buf, sizeof(buf), "%c %u %s", (int)i == m->focus ? '*' : ' ', i,
		          m->sink[i]->name);
		say(m, buf);
	}
	say(m, "Ctrl-T N: focus guest N, Ctrl-T n: next, Ctrl-T Ctrl-T: send Ctrl-T");
}

/* The byte after the escape key; returns whether it is to be sent to the focus. */
static bool escape_command(struct console_mux *m, uint8_t byte)
{
	if (byte == CONSOLE_ESCAPE)
		return true;
	if (byte >= '0' && byte <= '9') {
		if ((unsigned int)(byte - '0') < m->nsinks) {
			m->focus = byte - '0';
			say_focus(m);
		} else {
			say(m, "no such guest");
		}
	} else if (byte == 'n') {
		if (m->nsinks)
			m->focus = (m->focus + 1) % (int)m->nsinks;
		say_focus(m);
	} else {
		list(m);
	}
	return false;
}

void console_mux_in(struct console_mux *m, uint8_t byte)
{
	unsigned long f = spin_lock_irqsave(&m->lock);
	struct console_sink *to = NULL;
	bool send = true;

	if (m->escape) {
		m->escape = false;
		send = escape_command(m, byte);
	} else if (byte == CONSOLE_ESCAPE) {
		m->escape = true;
		send = false;
	}
	if (send && m->focus >= 0)
		to = m->sink[m->focus];
	else if (send)
		m->dropped++;
	spin_unlock_irqrestore(&m->lock, f);
	if (to && to->input)
		to->input(to->ctx, byte);
}
