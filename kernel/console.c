/* The kernel console: COM1, polled (the kernel never waits for a UART
 * interrupt), and the diagnostics that stop the machine. */
#include "kernel.h"

#define COM1 0x3F8

void console_init(void) {
  outb(COM1 + 1, 0x00); /* no UART interrupts */
  outb(COM1 + 3, 0x80); /* DLAB */
  outb(COM1 + 0, 0x01); /* 115200 baud */
  outb(COM1 + 1, 0x00);
  outb(COM1 + 3, 0x03); /* 8N1 */
  outb(COM1 + 2, 0x07); /* FIFOs on and cleared */
  outb(COM1 + 4, 0x03); /* DTR, RTS */
}

void kputc(char c) {
  if (c == '\n') kputc('\r');
  while (!(inb(COM1 + 5) & 0x20)) {
  }
  outb(COM1, (uint8_t)c);
}

static void put_num(uint32_t v, unsigned base, int width, char pad) {
  char buf[12];
  int n = 0;
  do {
    buf[n++] = "0123456789abcdef"[v % base];
    v /= base;
  } while (v);
  while (n < width--) kputc(pad);
  while (n) kputc(buf[--n]);
}

void kvprintf(const char *fmt, va_list ap) {
  for (; *fmt; ++fmt) {
    if (*fmt != '%') {
      kputc(*fmt);
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
      case 'c': kputc((char)va_arg(ap, int)); break;
      case 's': {
        const char *s = va_arg(ap, const char *);
        while (*s) kputc(*s++);
        break;
      }
      default: kputc(*fmt); break;
    }
  }
}

void kprintf(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  kvprintf(fmt, ap);
  va_end(ap);
}

void machine_exit(uint32_t code) {
  outl(0xF4, code); /* QEMU isa-debug-exit, l4sim's exit port */
  for (;;) __asm__ volatile("cli; hlt");
}

void panic(const char *fmt, ...) {
  __asm__ volatile("cli");
  kprintf("\nKERNEL PANIC: ");
  va_list ap;
  va_start(ap, fmt);
  kvprintf(fmt, ap);
  va_end(ap);
  kprintf("\n");
  machine_exit(0x7F);
}
