/* Host unit-test runner and the kprintf/panic stand-ins that pure code links against. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <arch.h>
#include "unit.h"

static struct unit_test *head, **tail = &head;
static int current_failed;
bool unit_abort_current;

static char logbuf[1 << 16];
static size_t loglen;

void unit_register(struct unit_test *t)
{
	*tail = t;
	tail = &t->next;
}

void unit_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stdout, "  %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	current_failed = 1;
}

void unit_log_clear(void)
{
	loglen = 0;
	logbuf[0] = '\0';
}

bool unit_log_contains(const char *needle)
{
	return strstr(logbuf, needle) != NULL;
}

const char *unit_log(void)
{
	return logbuf;
}

/* Pure code's console: captured, and echoed when UNIT_VERBOSE is set. */
void kprintf(const char *fmt, ...);
void kprintf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(logbuf + loglen, sizeof(logbuf) - loglen, fmt, ap);
	va_end(ap);
	if (n > 0 && getenv("UNIT_VERBOSE"))
		fputs(logbuf + loglen, stdout);
	if (n > 0)
		loglen = strlen(logbuf);
	if (loglen > sizeof(logbuf) - 1024)
		unit_log_clear();
}

void panic_at(const char *file, int line, const char *fmt, ...);
void panic_at(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stdout, "panic at %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	abort();
}

bool unit_panics(void (*fn)(void), const char *needle)
{
	char out[4096];
	size_t len = 0;
	ssize_t r;
	int fds[2], status;
	pid_t pid;

	if (pipe(fds) != 0)
		return false;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		dup2(fds[1], 1);
		close(fds[0]);
		setvbuf(stdout, NULL, _IONBF, 0);
		fn();
		_exit(0);
	}
	close(fds[1]);
	while (len < sizeof(out) - 1 && (r = read(fds[0], out + len, sizeof(out) - 1 - len)) > 0)
		len += (size_t)r;
	out[len] = '\0';
	close(fds[0]);
	waitpid(pid, &status, 0);
	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGABRT || !strstr(out, "panic at") ||
	    !strstr(out, needle)) {
		printf("  child output: %s\n", out);
		return false;
	}
	return true;
}

int main(int argc, char **argv)
{
	int passed = 0, failed = 0;
	const char *only = argc > 1 ? argv[1] : NULL;

	for (struct unit_test *t = head; t; t = t->next) {
		if (only && strcmp(only, t->name) != 0)
			continue;
		current_failed = 0;
		unit_log_clear();
		t->fn();
		printf("%s %s\n", current_failed ? "FAIL" : "PASS", t->name);
		if (current_failed)
			failed++;
		else
			passed++;
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}

/* include/spinlock.h's irqsave hooks, for every test: the host has no interrupts. */
unsigned long arch_irq_save(void)
{
	return 0;
}

void arch_irq_restore(unsigned long flags)
{
	(void)flags;
}
