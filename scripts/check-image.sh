#!/bin/sh
# Checks what the Multiboot 1 address fields assume about the image file:
# every PT_LOAD segment lies at the same (address - file offset) distance, so
# the bytes from the header onwards map 1:1 onto memory, and the first
# segment (which starts with the Multiboot headers) sits in the first 8 KiB.
set -eu
elf=$1
n=0 bad=0 delta=
for seg in $(readelf -lW "$elf" | awk '/^  LOAD/ { print $2 ":" $3 }'); do
	off=$((${seg%%:*})) va=$((${seg#*:}))
	d=$((va - off))
	if [ $n -eq 0 ] && [ $off -gt 8192 ]; then
		echo "check-image: $elf: first segment at file offset $off, past 8 KiB"
		bad=1
	fi
	if [ -n "$delta" ] && [ "$d" -ne "$delta" ]; then
		echo "check-image: $elf: PT_LOAD at ${seg#*:} breaks the flat layout"
		bad=1
	fi
	delta=$d n=$((n + 1))
done
[ $n -gt 0 ] || { echo "check-image: $elf: no PT_LOAD segments"; exit 1; }
exit $bad
