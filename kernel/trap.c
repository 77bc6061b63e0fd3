/* Exceptions, interrupts and the system-call dispatcher (slow paths).
 * User-mode faults become IPCs to the thread's pager; kernel-mode faults are
 * bugs and stop the machine with a diagnosis, except the read of a TCB that
 * was never created, which maps the shared zero page (so that any thread ID
 * can be checked by reading its TCB). */
#include "kernel.h"

static uint32_t zero_frame;
static const char *const exc_names[20] = {
    "divide error", "debug", "NMI", "breakpoint", "overflow", "bound", "invalid opcode", "no FPU",
    "double fault", "coprocessor segment", "invalid TSS", "segment not present", "stack fault",
    "general protection", "page fault", "reserved", "x87 error", "alignment check", "machine check", "SIMD"};

void trap_init(void) { zero_frame = frame_alloc(); }

static void kernel_fault(struct frame *f) NORETURN;
static void kernel_fault(struct frame *f) {
  struct tcb *t = current();
  kprintf("\nkernel fault: %s (vector %u, error %x) at eip %x, cr2 %x, thread %x\n",
          f->vector < 20 ? exc_names[f->vector] : "?", f->vector, f->error, f->eip, read_cr2(), t->myself);
  kprintf("eax %x ebx %x ecx %x edx %x esi %x edi %x ebp %x\n", f->eax, f->ebx, f->ecx, f->edx, f->esi, f->edi,
          f->ebp);
  panic("the kernel faulted");
}

static void exception(struct frame *f) {
  const int from_user = (f->cs & 3) == 3;
  if (f->vector == 14) {
    const uint32_t addr = read_cr2();
    if (!from_user) {
      /* A read of a never-created TCB: map the zero page read-only; its
       * myself field (0) never matches a thread ID. */
      if (addr - TCB_AREA < MAX_TASKS * THREADS_PER_TASK * TCB_SIZE && !(f->error & 3)) {
        tcb_page_map(addr & ~PAGE_MASK, zero_frame | PTE_P);
        return;
      }
      kernel_fault(f);
    }
    fault_ipc(f, 14, addr, f->error);
    return;
  }
  if (!from_user) kernel_fault(f);
  fault_ipc(f, f->vector, f->error, 0);
}

void trap_dispatch(struct frame *f) {
  const uint32_t v = f->vector;
  if (v < 32) {
    exception(f);
  } else if (v == 32) {
    outb(0x20, 0x20);
    ++ticks;
    sched_tick();
  } else if (v < 48) {
    /* Other IRQs are masked; IRQ 7 and 15 may be spurious (no EOI then). */
    if (v != 39 && v != 47) {
      if (v >= 40) outb(0xA0, 0x20);
      outb(0x20, 0x20);
    }
  } else {
    switch (v) {
      case 0x30: sys_ipc(f); break;
      case 0x31: sys_id_nearest(f); break;
      case 0x32: sys_fpage_unmap(f); break;
      case 0x33: sys_thread_switch(f); break;
      case 0x34: sys_lthread_ex_regs(f); break;
      case 0x35: sys_thread_schedule(f); break;
      case 0x36: sys_task_new(f); break;
      case 0x37: sys_kdebug(f); break;
      default: kernel_fault(f);
    }
  }
}
