/* Creating, resuming and destroying threads. */
#include "kernel.h"

#define THREADS (MAX_TASKS * THREADS_PER_TASK)
static uint8_t tcb_backed[THREADS];     /* the TCB page has its own frame */
static uint32_t tcb_version[THREADS];   /* the next version for each thread number */
extern void ret_from_trap(void);

int tcb_exists(uint32_t number) { return tcb_backed[number]; }

static uint32_t next_version(uint32_t number) {
  if (++tcb_version[number] >= (1u << (32 - TID_NUMBER_BITS))) tcb_version[number] = 1;
  return tcb_version[number];
}

static struct tcb *tcb_back(uint32_t number) {
  struct tcb *t = tcb_of_number(number);
  if (!tcb_backed[number]) {
    tcb_page_map((uint32_t)t, frame_alloc() | PTE_P | PTE_W);
    tcb_backed[number] = 1;
  }
  return t;
}

/* The context switch_context() restores for a thread that should go straight
 * back to user mode: four callee-saved registers and a return address into
 * the trap exit, just below the thread's frame. */
void wake_to_user(struct tcb *t) {
  uint32_t *ctx = (uint32_t *)frame_of(t) - 5;
  ctx[0] = ctx[1] = ctx[2] = ctx[3] = 0;
  ctx[4] = (uint32_t)ret_from_trap;
  t->kesp = (uint32_t)ctx;
}

struct tcb *thread_create(uint32_t tid, uint32_t pgdir, uint32_t eip, uint32_t esp, uint32_t pager, uint32_t prio) {
  struct tcb *t = tcb_back(tid_number(tid));
  memset(t, 0, sizeof *t);
  struct frame *f = frame_of(t);
  memset(f, 0, sizeof *f);
  f->cs = SEL_UCODE;
  f->ss = SEL_UDATA;
  f->eflags = 0x202; /* IF */
  f->eip = eip;
  f->esp = esp;
  t->myself = tid;
  t->task = tid_task(tid);
  t->pgdir = pgdir;
  t->pager = pager;
  t->prio = prio;
  t->timeslice = t->remaining = DEFAULT_TIMESLICE_TICKS;
  t->state = TS_READY;
  wake_to_user(t);
  ready_enqueue(t);
  return t;
}

uint32_t thread_new_id(uint32_t task, uint32_t lthread) {
  const uint32_t number = task * THREADS_PER_TASK + lthread;
  return tid_make(task, lthread, next_version(number));
}

void thread_kill(struct tcb *t) {
  ipc_partner_died(t);
  ipc_cancel(t); /* off its partner's send queue */
  ready_remove(t);
  t->state = TS_FREE;
  t->myself = 0;
}

void tcb_init(void) {
  /* The idle thread: thread number 0, a kernel context that starts in
   * idle_start(). */
  extern void kernel_thread_start(void);
  struct tcb *t = tcb_back(0);
  t->myself = tid_make(0, 0, next_version(0));
  t->state = TS_IDLE;
  t->pgdir = master_pgdir_phys;
  uint32_t *ctx = (uint32_t *)((uint32_t)t + TCB_SIZE) - 5;
  ctx[4] = (uint32_t)kernel_thread_start;
  t->kesp = (uint32_t)ctx;
  idle_tcb = t;
}
