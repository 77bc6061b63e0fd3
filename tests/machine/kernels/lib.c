#include "format.h"
#include "lib.h"

void serial_init(void) {
  outb(COM1 + 1, 0x00); /* IER: no interrupts */
  outb(COM1 + 3, 0x80); /* LCR: DLAB */
  outb(COM1 + 0, 0x01); /* divisor 1: 115200 baud */
  outb(COM1 + 1, 0x00);
  outb(COM1 + 3, 0x03); /* 8N1 */
  outb(COM1 + 2, 0xC7); /* FIFO on, clear, 14-byte trigger */
  outb(COM1 + 4, 0x0B); /* DTR, RTS, OUT2 */
}

void kputc(char c) {
  if (c == '\n') kputc('\r');
  while (!(inb(COM1 + 5) & 0x20)) {
  }
  outb(COM1, (uint8_t)c);
}

void kprintf(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  format(kputc, fmt, ap);
  va_end(ap);
}

void guest_exit(uint32_t code) {
  /* QEMU isa-debug-exit: the run ends with status (code << 1) | 1. */
  __asm__ volatile("outl %0, %1" : : "a"(code), "Nd"((uint16_t)0xF4));
  for (;;) {
    cli();
    hlt();
  }
}

static int failures;

void check(int ok, const char *what) {
  kprintf("%s: %s\n", ok ? "ok" : "FAIL", what);
  if (!ok) ++failures;
}

/* ---- IDT ---------------------------------------------------------------- */

extern const uint32_t isr_table[48];
static uint64_t idt[48];
static handler_fn handlers[48];

void set_handler(unsigned vector, handler_fn fn) { handlers[vector] = fn; }

void idt_init(void) {
  for (unsigned i = 0; i < 48; ++i) {
    uint32_t off = isr_table[i];
    /* 32-bit interrupt gate, DPL 0, selector 0x08 (the multiboot code segment). */
    idt[i] = (uint64_t)((off & 0xFFFF) | (0x08u << 16)) | ((uint64_t)((off & 0xFFFF0000u) | 0x8E00u) << 32);
  }
  struct {
    uint16_t limit;
    uint32_t base;
  } __attribute__((packed)) idtr = {sizeof idt - 1, (uint32_t)idt};
  __asm__ volatile("lidt %0" : : "m"(idtr));
}

void trap(struct frame *f) {
  if (f->vector < 48 && handlers[f->vector]) {
    handlers[f->vector](f);
    return;
  }
  kprintf("unexpected vector %u error %x at eip %x\n", f->vector, f->error, f->eip);
  guest_exit(0x7F);
}

/* ---- 8259A ---------------------------------------------------------------- */

void pic_remap(uint8_t master_base, uint8_t slave_base) {
  outb(0x20, 0x11); /* ICW1: edge, cascade, ICW4 follows */
  outb(0xA0, 0x11);
  outb(0x21, master_base); /* ICW2 */
  outb(0xA1, slave_base);
  outb(0x21, 0x04); /* ICW3: slave on IR2 */
  outb(0xA1, 0x02); /* ICW3: slave identity 2 */
  outb(0x21, 0x01); /* ICW4: 8086 mode */
  outb(0xA1, 0x01);
  outb(0x21, 0xFF); /* everything masked */
  outb(0xA1, 0xFF);
}

void pic_eoi(unsigned irq) {
  if (irq >= 8) outb(0xA0, 0x20);
  outb(0x20, 0x20);
}

int test_failures(void) { return failures; }
