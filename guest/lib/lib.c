/* A small user library: printf on the kernel debug console. */
#include <stdarg.h>

#include "l4.h"

static void put_num(uint32_t v, unsigned base, int width, char pad) {
  char buf[12];
  int n = 0;
  do {
    buf[n++] = "0123456789abcdef"[v % base];
    v /= base;
  } while (v);
  while (n < width--) l4_kd_putc(pad);
  while (n) l4_kd_putc(buf[--n]);
}

void printf(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  for (; *fmt; ++fmt) {
    if (*fmt != '%') {
      l4_kd_putc(*fmt);
      continue;
    }
    ++fmt;
    char pad = ' ';
    int width = 0;
    if (*fmt == '0') pad = '0', ++fmt;
    while (*fmt >= '0' && *fmt <= '9') width = width * 10 + (*fmt++ - '0');
    switch (*fmt) {
      case 'u': put_num(va_arg(ap, uint32_t), 10, width, pad); break;
      case 'x': put_num(va_arg(ap, uint32_t), 16, width, pad); break;
      case 'c': l4_kd_putc((char)va_arg(ap, int)); break;
      case 's': l4_kd_puts(va_arg(ap, const char *)); break;
      default: l4_kd_putc(*fmt); break;
    }
  }
  va_end(ap);
}

void *memset(void *d, int c, unsigned n) {
  uint8_t *p = d;
  while (n--) *p++ = (uint8_t)c;
  return d;
}

