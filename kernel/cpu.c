/* GDT, TSS and IDT. Flat segments: kernel code/data at DPL 0, user code/data
 * at DPL 3 (the kernel also runs on the user data segment, which avoids
 * segment reloads on kernel entry and exit: page-level protection keeps user
 * mode out of the kernel). One TSS, whose esp0 is the running thread's
 * kernel stack top. */
#include "kernel.h"

struct tss {
  uint32_t link, esp0, ss0, esp1, ss1, esp2, ss2, cr3, eip, eflags;
  uint32_t eax, ecx, edx, ebx, esp, ebp, esi, edi;
  uint32_t es, cs, ss, ds, fs, gs, ldt;
  uint16_t trap, iomap;
} __attribute__((packed));

static uint64_t gdt[6];
static struct tss tss;
static uint64_t idt[256];
uint32_t tss_esp0_slot;

static uint64_t seg_desc(uint32_t base, uint32_t limit, uint32_t access, uint32_t flags) {
  return (uint64_t)(limit & 0xFFFF) | ((uint64_t)(base & 0xFFFFFF) << 16) | ((uint64_t)access << 40) |
         ((uint64_t)((limit >> 16) & 0xF) << 48) | ((uint64_t)flags << 52) | ((uint64_t)(base >> 24) << 56);
}

void tss_set_esp0(uint32_t esp0) { tss.esp0 = esp0; }

static void set_gate(unsigned vec, void (*fn)(void), unsigned dpl) {
  uint32_t off = (uint32_t)fn;
  /* 32-bit interrupt gate: interrupts stay off in the kernel. */
  idt[vec] = (uint64_t)((off & 0xFFFF) | (SEL_KCODE << 16)) |
             ((uint64_t)((off & 0xFFFF0000u) | 0x8E00u | (dpl << 13)) << 32);
}

#define DECLARE(v) extern void trap_##v(void)
DECLARE(0); DECLARE(1); DECLARE(2); DECLARE(3); DECLARE(4); DECLARE(5); DECLARE(6); DECLARE(7);
DECLARE(8); DECLARE(9); DECLARE(10); DECLARE(11); DECLARE(12); DECLARE(13); DECLARE(14); DECLARE(15);
DECLARE(16); DECLARE(17); DECLARE(18); DECLARE(19);
DECLARE(32); DECLARE(33); DECLARE(34); DECLARE(35); DECLARE(36); DECLARE(37); DECLARE(38); DECLARE(39);
DECLARE(40); DECLARE(41); DECLARE(42); DECLARE(43); DECLARE(44); DECLARE(45); DECLARE(46); DECLARE(47);
DECLARE(0x31); DECLARE(0x32); DECLARE(0x33); DECLARE(0x34); DECLARE(0x35); DECLARE(0x36); DECLARE(0x37);
extern void ipc_entry(void);

void cpu_init(void) {
  gdt[0] = 0;
  gdt[1] = seg_desc(0, 0xFFFFF, 0x9A, 0xC); /* 0x08 kernel code */
  gdt[2] = seg_desc(0, 0xFFFFF, 0x92, 0xC); /* 0x10 kernel data */
  gdt[3] = seg_desc(0, 0xFFFFF, 0xFA, 0xC); /* 0x1B user code */
  gdt[4] = seg_desc(0, 0xFFFFF, 0xF2, 0xC); /* 0x23 user data */
  tss.ss0 = SEL_KDATA;
  tss.iomap = sizeof tss; /* no I/O bitmap: ring 3 has no port access (IOPL 0) */
  gdt[5] = seg_desc((uint32_t)&tss, sizeof tss - 1, 0x89, 0x0); /* 0x28 TSS */
  tss_esp0_slot = (uint32_t)&tss.esp0;

  struct {
    uint16_t limit;
    uint32_t base;
  } __attribute__((packed)) gdtr = {sizeof gdt - 1, (uint32_t)gdt}, idtr = {sizeof idt - 1, (uint32_t)idt};
  __asm__ volatile(
      "lgdt %0\n"
      "ljmp $0x08, $1f\n"
      "1: mov $0x23, %%eax\n"
      "mov %%eax, %%ds\n"
      "mov %%eax, %%es\n"
      "mov %%eax, %%fs\n"
      "mov %%eax, %%gs\n"
      "mov $0x10, %%eax\n"
      "mov %%eax, %%ss\n"
      "mov $0x28, %%eax\n"
      "ltr %%ax\n"
      :
      : "m"(gdtr)
      : "eax", "memory");

  void (*exc[20])(void) = {trap_0,  trap_1,  trap_2,  trap_3,  trap_4,  trap_5,  trap_6,  trap_7,  trap_8,  trap_9,
                           trap_10, trap_11, trap_12, trap_13, trap_14, trap_15, trap_16, trap_17, trap_18, trap_19};
  for (unsigned i = 0; i < 20; ++i) set_gate(i, exc[i], i == 3 ? 3 : 0);
  void (*irq[16])(void) = {trap_32, trap_33, trap_34, trap_35, trap_36, trap_37, trap_38, trap_39,
                           trap_40, trap_41, trap_42, trap_43, trap_44, trap_45, trap_46, trap_47};
  for (unsigned i = 0; i < 16; ++i) set_gate(32 + i, irq[i], 0);
  set_gate(0x30, ipc_entry, 3);
  void (*sys[7])(void) = {trap_0x31, trap_0x32, trap_0x33, trap_0x34, trap_0x35, trap_0x36, trap_0x37};
  for (unsigned i = 0; i < 7; ++i) set_gate(0x31 + i, sys[i], 3);
  __asm__ volatile("lidt %0" : : "m"(idtr));
}
