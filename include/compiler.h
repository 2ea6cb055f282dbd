/* Compiler helpers shared by the hypervisor and the host-side unit tests. */
#ifndef TANDEM_COMPILER_H
#define TANDEM_COMPILER_H

#include <stddef.h>
#include <stdint.h>

#define ARRAY_SIZE(a)    (sizeof(a) / sizeof((a)[0]))
#define ALIGN_UP(x, a)   (((x) + ((a)-1)) & ~((__typeof__(x))(a)-1))
#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a)-1))
#define IS_ALIGNED(x, a) (((x) & ((__typeof__(x))(a)-1)) == 0)
#define MIN(a, b)        ((a) < (b) ? (a) : (b))
#define MAX(a, b)        ((a) > (b) ? (a) : (b))
#define BIT(n)           (UINT64_C(1) << (n))
#define likely(x)        __builtin_expect(!!(x), 1)
#define unlikely(x)      __builtin_expect(!!(x), 0)
#define __packed         __attribute__((packed))
#define __aligned(n)     __attribute__((aligned(n)))
#define __noreturn       __attribute__((noreturn))
#define __unused         __attribute__((unused))
#define __section(s)     __attribute__((section(s)))
#define __printf(a, b)   __attribute__((format(printf, a, b)))
#define READ_ONCE(x)     (*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v) (*(volatile __typeof__(x) *)&(x) = (v))
#define barrier()        __asm__ __volatile__("" ::: "memory")

#define container_of(ptr, type, member) ((type *)((char *)(ptr)-offsetof(type, member)))

#endif
