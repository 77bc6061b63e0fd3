/* Hard priorities with round robin per priority. Lazy scheduling: a thread
 * that blocks in IPC stays on its ready queue and is dropped only when the
 * scheduler meets it, so the IPC path never touches the queues when the
 * partner runs next anyway (Liedtke, SOSP 1993 §5). */
#include "kernel.h"

struct tcb *idle_tcb;
static struct tcb *queue[256]; /* head of each priority's circular list */
static uint32_t bitmap[8];     /* which priorities have a non-empty queue */

void sched_init(void) { tcb_init(); }

void ready_enqueue(struct tcb *t) {
  if (t->in_ready || t->state == TS_IDLE) return;
  struct tcb **q = &queue[t->prio];
  if (!*q) {
    t->ready_next = t->ready_prev = t;
    *q = t;
    bitmap[t->prio >> 5] |= 1u << (t->prio & 31);
  } else {
    struct tcb *head = *q;
    t->ready_next = head;
    t->ready_prev = head->ready_prev;
    head->ready_prev->ready_next = t;
    head->ready_prev = t;
  }
  t->in_ready = 1;
}

void ready_remove(struct tcb *t) {
  if (!t->in_ready) return;
  struct tcb **q = &queue[t->prio];
  if (t->ready_next == t) {
    *q = 0;
    bitmap[t->prio >> 5] &= ~(1u << (t->prio & 31));
  } else {
    t->ready_prev->ready_next = t->ready_next;
    t->ready_next->ready_prev = t->ready_prev;
    if (*q == t) *q = t->ready_next;
  }
  t->in_ready = 0;
}

static struct tcb *pick(void) {
  for (int w = 7; w >= 0; --w) {
    while (bitmap[w]) {
      const int prio = w * 32 + 31 - __builtin_clz(bitmap[w]);
      struct tcb *t = queue[prio];
      if (t->state == TS_READY) return t;
      ready_remove(t); /* blocked since it was queued: drop it now */
    }
  }
  return idle_tcb;
}

void switch_to(struct tcb *next) {
  struct tcb *cur = current();
  if (next == cur) return;
  tss_set_esp0((uint32_t)next + TCB_SIZE); /* the top of next's TCB page */
  /* The idle thread runs in whatever address space was last loaded. */
  if (next != idle_tcb && next->pgdir != read_cr3()) write_cr3(next->pgdir);
  switch_context(cur, next);
}

void schedule(void) { switch_to(pick()); }

void sched_tick(void) {
  struct tcb *cur = current();
  if (cur == idle_tcb) {
    schedule();
    return;
  }
  if (cur->remaining > 1) {
    --cur->remaining;
    return;
  }
  /* End of the time slice: to the back of its priority's queue. */
  cur->remaining = cur->timeslice;
  if (cur->in_ready && queue[cur->prio] == cur) queue[cur->prio] = cur->ready_next;
  schedule();
}

void idle_start(void) {
  for (;;) {
    schedule();
    __asm__ volatile("sti; hlt; cli");
  }
}
