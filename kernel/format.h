/* A freestanding printf core shared by the kernel console, the user library
 * and the machine test kernels: %u %d %x %c %s and %%, with a width and an
 * optional 0 pad. Output goes through the caller's putc. */
#pragma once
#include <stdarg.h>

void format(void (*putc)(char), const char *fmt, va_list ap);
