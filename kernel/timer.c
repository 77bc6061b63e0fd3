/* The PICs and the PIT: IRQs 0-15 at vectors 0x20-0x2F, the PIT at
 * TIMER_HZ in mode 2 (rate generator). Only IRQ 0 is unmasked: device
 * interrupts as IPC come later. */
#include "kernel.h"

#define PIT_HZ 1193182u
volatile uint32_t ticks;

void timer_init(void) {
  outb(0x20, 0x11); /* ICW1: edge, cascade, ICW4 */
  outb(0xA0, 0x11);
  outb(0x21, 0x20); /* ICW2: vectors */
  outb(0xA1, 0x28);
  outb(0x21, 0x04); /* ICW3 */
  outb(0xA1, 0x02);
  outb(0x21, 0x01); /* ICW4: 8086 mode */
  outb(0xA1, 0x01);
  outb(0x21, 0xFE); /* IRQ 0 only */
  outb(0xA1, 0xFF);
  const uint32_t count = (PIT_HZ + TIMER_HZ / 2) / TIMER_HZ;
  outb(0x43, 0x34); /* channel 0, LSB/MSB, mode 2 */
  outb(0x40, count & 0xFF);
  outb(0x40, count >> 8);
}
