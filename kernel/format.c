#include "format.h"

#include <stdint.h>

static void put_num(void (*putc)(char), uint32_t v, unsigned base, int width, char pad) {
  char buf[12];
  int n = 0;
  do {
    buf[n++] = "0123456789abcdef"[v % base];
    v /= base;
  } while (v);
  while (n < width--) putc(pad);
  while (n) putc(buf[--n]);
}

void format(void (*putc)(char), const char *fmt, va_list ap) {
  for (; *fmt; ++fmt) {
    if (*fmt != '%') {
      putc(*fmt);
      continue;
    }
    ++fmt;
    char pad = ' ';
    int width = 0;
    if (*fmt == '0') pad = '0', ++fmt;
    while (*fmt >= '0' && *fmt <= '9') width = width * 10 + (*fmt++ - '0');
    switch (*fmt) {
      case 'u': put_num(putc, va_arg(ap, uint32_t), 10, width, pad); break;
      case 'd': {
        int32_t v = va_arg(ap, int32_t);
        if (v < 0) putc('-'), v = -v;
        put_num(putc, (uint32_t)v, 10, width, pad);
        break;
      }
      case 'x': put_num(putc, va_arg(ap, uint32_t), 16, width, pad); break;
      case 'c': putc((char)va_arg(ap, int)); break;
      case 's': {
        const char *s = va_arg(ap, const char *);
        while (*s) putc(*s++);
        break;
      }
      default: putc(*fmt); break;
    }
  }
}
