/* The l4sim microkernel: shared declarations. Freestanding C (gnu11) for the
 * i486 and Pentium; see ABI.md for the system-call interface. */
#pragma once
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "asm.h"
#include "config.h"

#define STATIC_ASSERT(c, m) _Static_assert(c, m)
#define NORETURN __attribute__((noreturn))
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

/* ---- Port I/O and CPU helpers --------------------------------------------- */
static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port) {
  uint8_t v;
  __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
  return v;
}
static inline void outl(uint16_t port, uint32_t v) { __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port)); }
static inline uint32_t read_cr2(void) {
  uint32_t v;
  __asm__ volatile("mov %%cr2, %0" : "=r"(v));
  return v;
}
static inline uint32_t read_cr3(void) {
  uint32_t v;
  __asm__ volatile("mov %%cr3, %0" : "=r"(v));
  return v;
}
static inline void write_cr3(uint32_t v) { __asm__ volatile("mov %0, %%cr3" : : "r"(v) : "memory"); }
static inline void invlpg(uint32_t va) { __asm__ volatile("invlpg (%0)" : : "r"(va) : "memory"); }

/* ---- Console and diagnostics (console.c) ---------------------------------- */
void console_init(void);
void kputc(char c);
void kprintf(const char *fmt, ...);
void kvprintf(const char *fmt, va_list ap);
void panic(const char *fmt, ...) NORETURN;
void machine_exit(uint32_t code) NORETURN; /* QEMU isa-debug-exit at 0xF4 */
#define ASSERT(c)                                                      \
  do {                                                                 \
    if (unlikely(!(c))) panic("assertion '%s' failed at %s:%d", #c, __FILE__, __LINE__); \
  } while (0)

/* ---- Small library (lib.c) ------------------------------------------------ */
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
size_t strlen(const char *s);
int memcmp(const void *a, const void *b, size_t n);

/* ---- Physical memory and page tables (memory.c) --------------------------- */
#define PAGE_SIZE 4096u
#define PAGE_MASK (PAGE_SIZE - 1)
#define KERNEL_BASE 0xC0000000u /* user space is 0..3 GB */
#define phys_to_virt(p) ((void *)((uint32_t)(p) + KERNEL_BASE))
#define virt_to_phys(v) ((uint32_t)(v)-KERNEL_BASE)

/* Page-table entry bits (Intel SDM vol. 3 §4.3). */
#define PTE_P 0x001u
#define PTE_W 0x002u
#define PTE_U 0x004u
#define PTE_A 0x020u
#define PTE_D 0x040u
#define PTE_FRAME 0xFFFFF000u

struct multiboot_info;
void memory_init(const struct multiboot_info *mbi);
uint32_t frame_alloc(void); /* zeroed kernel frame (physical address); panics when out of memory */
void frame_free(uint32_t phys);
int frame_user_available(uint32_t phys); /* may sigma0 hand this frame out? */
uint32_t memory_top(void);
uint32_t memory_user_start(void);
uint32_t memory_pool_start(void);
extern uint32_t master_pgdir_phys;
/* Boot option "tagged-tlb": the machine's TLB keeps entries of every address
 * space (the simulator's tlb.tagged what-if), so a page-table change in any
 * space needs an INVLPG, not only in the loaded one. */
extern int tlb_tagged;

uint32_t space_create(void);             /* new page directory with the kernel part; 0 if out of memory */
void space_destroy(uint32_t pgdir);      /* frees page tables and the directory (mappings must be gone) */
uint32_t *pte_lookup(uint32_t pgdir, uint32_t va, int create); /* NULL if absent (and !create or no memory) */
void tcb_page_map(uint32_t va, uint32_t phys); /* kernel mapping in the shared TCB area */

/* ---- CPU tables (cpu.c) ----------------------------------------------------- */
#define SEL_KCODE 0x08
#define SEL_KDATA 0x10
#define SEL_UCODE 0x1B
#define SEL_TSS 0x28
void cpu_init(void);
void tss_set_esp0(uint32_t esp0);
extern uint32_t tss_esp0_slot; /* address of TSS.esp0, for the fast path */

/* ---- Traps (entry.S, trap.c) ------------------------------------------------ */
/* The frame the entry stubs build on the kernel stack: pushal order, then the
 * vector and error code, then what the CPU pushed. For a thread in user mode
 * it sits at the very top of its TCB page. */
struct frame {
  uint32_t edi, esi, ebp, esp_unused, ebx, edx, ecx, eax;
  uint32_t vector, error;
  uint32_t eip, cs, eflags, esp, ss;
};
STATIC_ASSERT(sizeof(struct frame) == FRAME_SIZE, "entry.S depends on the frame layout");
STATIC_ASSERT(__builtin_offsetof(struct frame, edi) == FRAME_OFF_EDI && __builtin_offsetof(struct frame, esi) == FRAME_OFF_ESI &&
                  __builtin_offsetof(struct frame, ebp) == FRAME_OFF_EBP && __builtin_offsetof(struct frame, ebx) == FRAME_OFF_EBX &&
                  __builtin_offsetof(struct frame, edx) == FRAME_OFF_EDX && __builtin_offsetof(struct frame, ecx) == FRAME_OFF_ECX &&
                  __builtin_offsetof(struct frame, eax) == FRAME_OFF_EAX,
              "fastpath.S depends on the frame layout");
void trap_init(void);
void ret_to_user(void) NORETURN; /* entry.S: restore the current thread's user frame */

/* ---- Threads and scheduling (tcb.h, sched.c) --------------------------------- */
#include "tcb.h"

/* ---- Timer and PIC (timer.c) ------------------------------------------------ */
void timer_init(void);
extern volatile uint32_t ticks;

/* ---- Boot modules: loading user ELF images (elf.c) ------------------------- */
int elf_load_into(uint32_t pgdir, const void *image, uint32_t size, uint32_t *entry);
