/* A small user library: printf on the kernel debug console. */
#include <stdarg.h>

#include "format.h"
#include "l4.h"

static void kd_putc(char c) { l4_kd_putc(c); }

void printf(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  format(kd_putc, fmt, ap);
  va_end(ap);
}

void *memset(void *d, int c, unsigned n) {
  uint8_t *p = d;
  while (n--) *p++ = (uint8_t)c;
  return d;
}

