/* The kernel console: COM1, polled (the kernel never waits for a UART
 * interrupt), and the diagnostics that stop the machine. */
#include "format.h"
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

void kvprintf(const char *fmt, va_list ap) { format(kputc, fmt, ap); }

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
