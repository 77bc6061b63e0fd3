/* Exercises the PC devices a small kernel uses: 8259A PICs, 8254 PIT (with
 * port 0x61), MC146818 RTC, 16550 UART (loopback, THRE interrupt, receive)
 * and the exit port. It prints only facts that do not depend on timing, so
 * the serial output is identical under l4sim and QEMU. */
#include "lib.h"

int test_failures(void);

static volatile uint32_t ticks, isr_in_handler, rtc_irqs, rtc_c, uart_irqs, uart_iir;

static void on_timer(struct frame *f) {
  (void)f;
  outb(0x20, 0x0B); /* OCW3: read ISR */
  isr_in_handler = inb(0x20);
  outb(0x20, 0x0A); /* back to IRR */
  ++ticks;
  pic_eoi(0);
}

static void on_rtc(struct frame *f) {
  (void)f;
  outb(0x70, 0x0C);
  rtc_c = inb(0x71); /* reading C acknowledges the RTC */
  ++rtc_irqs;
  pic_eoi(8);
}

static void on_uart(struct frame *f) {
  (void)f;
  uart_iir = inb(COM1 + 2);
  outb(COM1 + 1, 0x00); /* IER off: one interrupt is enough */
  ++uart_irqs;
  pic_eoi(4);
}

static uint16_t pit_latch0(void) {
  outb(0x43, 0x00); /* counter latch, channel 0 */
  uint8_t lo = inb(0x40);
  return (uint16_t)(lo | (inb(0x40) << 8));
}

static uint8_t cmos(uint8_t reg) {
  outb(0x70, reg);
  return inb(0x71);
}

static void test_pic_pit(void) {
  pic_remap(0x20, 0x28);
  check(inb(0x21) == 0xFF && inb(0xA1) == 0xFF, "PIC masks read back");
  set_handler(0x20, on_timer);

  /* Channel 0, LSB then MSB, mode 2, binary: 100 Hz. */
  outb(0x43, 0x34);
  outb(0x40, 11932 & 0xFF);
  outb(0x40, 11932 >> 8);

  /* A masked IRQ still reaches the IRR. */
  outb(0x20, 0x0A);
  uint32_t spins = 0;
  while (!(inb(0x20) & 1) && ++spins < 100000000) {
  }
  check(inb(0x20) & 1, "masked IRQ 0 shows in the IRR");

  outb(0x43, 0xE2); /* read-back: status of channel 0 */
  check((inb(0x40) & 0x3F) == 0x34, "read-back status: LSB/MSB, mode 2, binary");

  /* Poll until the count moves: how long that takes in instructions depends
   * on the CPU (and under QEMU on the host). */
  uint16_t a = pit_latch0(), b;
  spins = 0;
  do {
    b = pit_latch0();
  } while (b == a && ++spins < 10000000);
  check(a <= 11932 && b <= 11932 && a != b, "latched counts lie within the period and move");

  outb(0x21, 0xFE); /* unmask IRQ 0 */
  while (ticks < 10) wait_irq();
  check(ticks == 10, "ten timer interrupts");
  check(isr_in_handler == 0x01, "ISR bit 0 set inside the IRQ 0 handler");
  outb(0x20, 0x0B);
  check(inb(0x20) == 0, "ISR clear after EOI");
  outb(0x21, 0xFF);

  /* Channel 2, gated by port 0x61 bit 0, mode 0 one-shot: OUT2 (bit 5) goes
   * high after the count, as kernels use it to calibrate delay loops. */
  outb(0x61, (inb(0x61) & ~0x02) | 0x01);
  outb(0x43, 0xB0);
  outb(0x42, 1193 & 0xFF);
  outb(0x42, 1193 >> 8);
  check(!(inb(0x61) & 0x20), "OUT2 low right after a mode 0 count is written");
  spins = 0;
  while (!(inb(0x61) & 0x20) && ++spins < 100000000) {
  }
  check(inb(0x61) & 0x20, "OUT2 high after the count ran out");
  /* The refresh bit toggles (with time on a PC and in l4sim; on every read
   * in QEMU): poll until it changes. */
  uint8_t r0 = inb(0x61) & 0x10, r1;
  spins = 0;
  do {
    r1 = inb(0x61) & 0x10;
  } while (r1 == r0 && ++spins < 100000000);
  check(r1 != r0, "port 0x61 refresh bit toggles");
}

static void test_rtc(void) {
  check((cmos(0x0A) & 0x7F) == 0x26, "RTC register A: 32.768 kHz divider, 1024 Hz rate");
  check(cmos(0x0B) == 0x02, "RTC register B: 24-hour BCD");
  check(cmos(0x0D) == 0x80, "RTC register D: valid RAM and time");
  while (cmos(0x0A) & 0x80) {
  }
  kprintf("RTC date 20%02x-%02x-%02x\n", cmos(0x09), cmos(0x08), cmos(0x07));

  set_handler(0x28, on_rtc);
  cmos(0x0C);
  outb(0x70, 0x0B);
  outb(0x71, 0x42); /* PIE */
  outb(0x21, 0xFB); /* unmask the cascade */
  outb(0xA1, 0xFE); /* unmask IRQ 8 */
  while (rtc_irqs < 8) wait_irq();
  outb(0x70, 0x0B);
  outb(0x71, 0x02);
  outb(0xA1, 0xFF);
  outb(0x21, 0xFF);
  check(rtc_irqs == 8, "eight RTC periodic interrupts through the slave PIC");
  check(rtc_c == 0xC0, "register C reads IRQF and PF");
}

/* The line the other end sends, assembled from every byte received: some may
 * arrive early (QEMU delivers its input as fast as the FIFO takes it). */
static char line[64];
static unsigned line_len;
static int line_done;
static void rx_take(char c) {
  if (line_done) return;
  if (c == '\n' || c == '\r') {
    line_done = 1;
    return;
  }
  /* The line starts with '>' padding: a byte that arrives before
   * serial_init() resets the FIFO is lost, under QEMU as on a PC. */
  if ((line_len || c != '>') && line_len < sizeof line - 1) line[line_len++] = c;
}

static void test_uart(void) {
  outb(COM1 + 7, 0x5A);
  check(inb(COM1 + 7) == 0x5A, "UART scratch register");
  check((inb(COM1 + 2) & 0xC0) == 0xC0, "IIR shows the FIFOs enabled");

  /* Loopback: what we send comes back; MSR mirrors MCR. Nothing may be
   * printed until the loop is undone (it would loop back too).
   * Bytes from the other end may already wait in the FIFO (QEMU delivers
   * its input at once): keep them for the receive test below. */
  while (inb(COM1 + 5) & 0x01) rx_take((char)inb(COM1)); /* make room in the FIFO */
  outb(COM1 + 4, 0x1E); /* LOOP, OUT2, OUT1, RTS */
  outb(COM1, 0xAE);
  int echoed = 0;
  for (uint32_t spins = 0; !echoed && spins < 1000000; ++spins) {
    if (!(inb(COM1 + 5) & 0x01)) continue;
    uint8_t c = inb(COM1);
    if (c == 0xAE)
      echoed = 1;
    else
      rx_take((char)c);
  }
  uint8_t msr = inb(COM1 + 6);
  outb(COM1 + 4, 0x0B);
  check(echoed, "loopback returns the transmitted byte");
  check((msr & 0xF0) == 0xD0, "loopback MSR: DCD=OUT2, RI=OUT1, CTS=RTS");

  /* THRE interrupt through IRQ 4 (OUT2 gates it onto the bus). */
  set_handler(0x24, on_uart);
  outb(0x21, 0xEF);
  outb(COM1 + 1, 0x02);
  uint32_t spins = 0;
  while (!uart_irqs && ++spins < 1000) wait_irq();
  outb(0x21, 0xFF);
  check(uart_irqs == 1, "one THRE interrupt on IRQ 4");
  check(uart_iir == 0xC2, "IIR reported THRE with FIFOs enabled");

  /* Receive what the other end sends (the test feeds a line). */
  while (!line_done) {
    while (!(inb(COM1 + 5) & 0x01)) {
    }
    rx_take((char)inb(COM1));
  }
  line[line_len] = 0;
  kprintf("received '%s'\n", line);
}

void kmain(uint32_t magic, void *mbi) {
  (void)mbi;
  serial_init();
  kprintf("devices test kernel\n");
  check(magic == 0x2BADB002, "booted by multiboot");
  idt_init();
  test_pic_pit();
  test_rtc();
  test_uart();
  int f = test_failures();
  kprintf("%s\n", f ? "FAILED" : "PASS");
  guest_exit(f ? 1 : 0);
}
