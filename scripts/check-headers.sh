#!/bin/sh
# Every header must compile on its own (it includes what it uses).
# usage: check-headers.sh CC "CFLAGS" HEADER...
# Appends PASS/FAIL lines to $RESULTS when set.
set -u
cc=$1 cflags=$2
shift 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bad=0
for h in "$@"; do
	printf '#include "%s"\n#include "%s"\n' "$PWD/$h" "$PWD/$h" > "$tmp/t.c"
	# shellcheck disable=SC2086
	if $cc $cflags -fsyntax-only -Wno-unused-function "$tmp/t.c" 2> "$tmp/err"; then
		[ -n "${RESULTS:-}" ] && echo "PASS header:$h" >> "$RESULTS"
	else
		echo "check-headers: $h does not compile on its own (or twice):"
		sed 's/^/  /' "$tmp/err" | head -20
		[ -n "${RESULTS:-}" ] && echo "FAIL header:$h" >> "$RESULTS"
		bad=1
	fi
done
exit $bad
