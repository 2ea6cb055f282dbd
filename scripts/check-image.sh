#!/bin/sh
# Checks what the Multiboot 1 address fields assume about the image file:
# every PT_LOAD segment lies at the same (file offset - address) distance, so
# the bytes from the header onwards map 1:1 onto memory, and the Multiboot 1
# header sits in the first 8 KiB of the file.
set -eu
elf=$1
readelf -lW "$elf" | awk -v elf="$elf" '
/^  LOAD/ {
	off = strtonum($2); va = strtonum($3)
	d = va - off
	if (n++ && d != delta) { printf "check-image: %s: PT_LOAD at %s breaks the flat layout\n", elf, $3; bad = 1 }
	delta = d
	if (n == 1 && off > 8192) { printf "check-image: %s: first segment at file offset %d, past 8 KiB\n", elf, off; bad = 1 }
}
END { if (!n) { print "check-image: no PT_LOAD segments"; exit 1 } exit bad }'
