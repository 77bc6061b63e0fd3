/* The system calls other than ipc (ABI.md). */
#include "kernel.h"

#define UNCHANGED 0xFFFFFFFFu
uint32_t task_pgdir[MAX_TASKS];

void sys_id_nearest(struct frame *f) {
  if (f->esi == TID_NIL) { /* nil asks for the caller itself */
    f->esi = current()->myself;
    f->eax = 0;
    return;
  }
  f->eax = tcb_valid(f->esi) ? 0 : 0x10;
}

void sys_fpage_unmap(struct frame *f) {
  const uint32_t fpage = f->eax;
  unmap_fpage(current()->pgdir, fpage, (f->ecx >> 31) & 1, (fpage & 2) != 0);
}

void sys_thread_switch(struct frame *f) {
  struct tcb *me = current();
  struct tcb *t = tcb_valid(f->esi);
  if (t && t != me && t->state == TS_READY) {
    switch_to(t); /* donate: me stays ready */
    return;
  }
  /* Yield: to the back of its queue. */
  ready_remove(me);
  ready_enqueue(me);
  schedule();
}

void sys_lthread_ex_regs(struct frame *f) {
  struct tcb *me = current();
  const uint32_t lthread = f->eax;
  if (lthread >= THREADS_PER_TASK) {
    f->eax = 0;
    return;
  }
  const uint32_t number = me->task * THREADS_PER_TASK + lthread;
  struct tcb *t = tcb_exists(number) ? tcb_of_number(number) : 0;
  const uint32_t esp = f->ecx, eip = f->edx, pager = f->esi;
  if (!t || t->state == TS_FREE) {
    if (eip == UNCHANGED || esp == UNCHANGED) { /* nothing to start */
      f->eax = 0;
      return;
    }
    t = thread_create(thread_new_id(me->task, lthread), me->pgdir, eip, esp, pager == UNCHANGED ? me->pager : pager,
                      me->prio);
    f->eax = t->myself;
    f->ecx = f->edx = f->esi = 0;
    return;
  }
  struct frame *tf = frame_of(t);
  const uint32_t old_esp = tf->esp, old_eip = tf->eip, old_pager = t->pager;
  if (t != me) ipc_cancel(t);
  if (t->state == TS_HALTED && eip != UNCHANGED) { /* a halted thread may be restarted elsewhere */
    t->fault = 0;
    t->state = TS_READY;
    wake_to_user(t);
    ready_enqueue(t);
  }
  if (eip != UNCHANGED) tf->eip = eip;
  if (esp != UNCHANGED) tf->esp = esp;
  if (pager != UNCHANGED) t->pager = pager;
  f->eax = t->myself;
  f->ecx = old_esp;
  f->edx = old_eip;
  f->esi = old_pager;
}

void sys_thread_schedule(struct frame *f) {
  struct tcb *me = current();
  struct tcb *t = tcb_valid(f->esi);
  const uint32_t prio = f->eax, slice_us = f->ecx;
  if (!t || (prio != UNCHANGED && (prio > 255 || prio > me->prio))) {
    f->eax = UNCHANGED;
    return;
  }
  f->eax = t->prio;
  f->ecx = t->timeslice * (1000000 / TIMER_HZ);
  if (slice_us != UNCHANGED) {
    uint32_t ticks_per_slice = slice_us / (1000000 / TIMER_HZ);
    t->timeslice = t->remaining = ticks_per_slice ? ticks_per_slice : 1;
  }
  if (prio != UNCHANGED && prio != t->prio) {
    const int queued = t->in_ready;
    ready_remove(t);
    t->prio = prio;
    if (queued || t->state == TS_READY) ready_enqueue(t);
    schedule(); /* a higher-priority thread may now be ready */
  }
}

static void task_delete(uint32_t task) {
  for (uint32_t l = 0; l < THREADS_PER_TASK; ++l) {
    const uint32_t number = task * THREADS_PER_TASK + l;
    if (tcb_exists(number) && tcb_of_number(number)->state != TS_FREE) thread_kill(tcb_of_number(number));
  }
  unmap_space(task_pgdir[task]);
  space_destroy(task_pgdir[task]);
  task_pgdir[task] = 0;
}

void sys_task_new(struct frame *f) {
  struct tcb *me = current();
  const uint32_t task = f->eax;
  f->eax = 0;
  if (task <= ROOT_TASK || task >= MAX_TASKS || task == me->task) return;
  if (f->esi == 0) {
    if (task_pgdir[task]) task_delete(task);
    return;
  }
  if (task_pgdir[task]) return;
  task_pgdir[task] = space_create();
  struct tcb *t = thread_create(thread_new_id(task, 0), task_pgdir[task], f->edx, f->ecx, f->esi, me->prio);
  f->eax = t->myself;
}

/* Reads a user string through the current address space; stops at a fault-free limit. */
static void print_user_string(uint32_t addr) {
  for (uint32_t i = 0; i < 4096; ++i, ++addr) {
    if (addr >= KERNEL_BASE) return;
    const uint32_t *pte = pte_lookup(current()->pgdir, addr, 0);
    if (!pte || !(*pte & PTE_P) || !(*pte & PTE_U)) return;
    const char c = *(const char *)addr;
    if (!c) return;
    kputc(c);
  }
}

void sys_kdebug(struct frame *f) {
  switch (f->eax) {
    case 0: kputc((char)f->edx); break;
    case 1: print_user_string(f->edx); break;
    case 2: kprintf("%x", f->edx); break;
    case 3: machine_exit(f->edx);
    case 4: kprintf("%u", f->edx); break;
    default: break;
  }
}
