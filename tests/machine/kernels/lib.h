/* A small freestanding library for the machine test kernels: port I/O, a
 * polled COM1 console, printf, the exit port, and an IDT with C handlers. */
#pragma once
#include <stdarg.h>
#include <stdint.h>

static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port) {
  uint8_t v;
  __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
  return v;
}
static inline void sti(void) { __asm__ volatile("sti"); }
static inline void cli(void) { __asm__ volatile("cli"); }
static inline void hlt(void) { __asm__ volatile("hlt"); }
/* Waits for the next interrupt: sti; hlt is atomic (the STI shadow). */
static inline void wait_irq(void) { __asm__ volatile("sti; hlt; cli"); }

#define COM1 0x3F8

struct frame {
  uint32_t edi, esi, ebp, esp0, ebx, edx, ecx, eax;
  uint32_t vector, error;
  uint32_t eip, cs, eflags;
};

typedef void (*handler_fn)(struct frame *);

void serial_init(void);
void kputc(char c);
void kprintf(const char *fmt, ...);
void guest_exit(uint32_t code) __attribute__((noreturn));
void idt_init(void);
void set_handler(unsigned vector, handler_fn fn);
void pic_remap(uint8_t master_base, uint8_t slave_base);
void pic_eoi(unsigned irq);
void check(int ok, const char *what);
