/* IPC, the slow path in C: every case the fast path (fastpath.S) declines,
 * and the fault messages the kernel sends on a faulting thread's behalf.
 *
 * Invariant the fast path relies on: a thread blocked in a receive phase
 * (TS_WAIT_RECV) has nothing left to do in the kernel. Whoever ends its wait
 * writes the results into its user frame and makes it resume in the trap
 * exit (wake_to_user), abandoning whatever was on its kernel stack. A thread
 * blocked in a send phase (TS_WAIT_SEND) does continue in ipc_send(). */
#include "kernel.h"

#define IPC_NIL 0xFFFFFFFFu
#define SND_MAP 0x2u
#define RCV_OPEN 0x1u
#define ERR_NO_PARTNER 0x10u
#define ERR_TIMEOUT 0x20u
#define ERR_CANCELLED 0x30u
#define ERR_MAP 0x40u
#define ERR_INVALID 0x50u
#define RES_RCV_PHASE 0x01u
#define RES_MAPPED 0x02u
#define RES_FAULT 0x04u
#define WHOLE_SPACE_WINDOW (32u << 2) /* receive window of a faulting thread: the whole space */

static void sendq_append(struct tcb *dest, struct tcb *s) {
  s->sendq_next = 0;
  if (dest->sendq_last)
    dest->sendq_last->sendq_next = s;
  else
    dest->sendq_first = s;
  dest->sendq_last = s;
}

static void sendq_remove(struct tcb *dest, struct tcb *s) {
  struct tcb *prev = 0;
  for (struct tcb *q = dest->sendq_first; q; prev = q, q = q->sendq_next) {
    if (q != s) continue;
    if (prev)
      prev->sendq_next = s->sendq_next;
    else
      dest->sendq_first = s->sendq_next;
    if (dest->sendq_last == s) dest->sendq_last = prev;
    s->sendq_next = 0;
    return;
  }
}

/* Copies the message of `from` to `to` (which is receiving), performs the map
 * item, and ends `to`'s receive phase. */
static void deliver(struct tcb *from, struct tcb *to) {
  const struct frame *ff = frame_of(from);
  const uint32_t w0 = from->fault ? from->fault_words[0] : ff->edx;
  const uint32_t w1 = from->fault ? from->fault_words[1] : ff->ebx;
  const uint32_t w2 = from->fault ? from->fault_words[2] : ff->edi;
  uint32_t result = 0;
  if (!from->fault && (from->snd_desc & SND_MAP))
    result |= transfer_map_item(from, to, w0, w1, to->rcv_desc) == 0 ? RES_MAPPED : ERR_MAP;
  if (to->fault) {
    /* The pager's answer to a fault: the faulting thread's registers are
     * left alone and it retries the instruction (or runs where
     * lthread_ex_regs sent it). */
    to->fault = 0;
  } else {
    struct frame *tf = frame_of(to);
    tf->eax = result | (from->fault ? RES_FAULT | ((from->fault & 0xFF) << 8) : 0);
    tf->esi = from->myself;
    tf->edx = w0;
    tf->ebx = w1;
    tf->edi = w2;
  }
  to->state = TS_READY;
  if (to != current()) wake_to_user(to);
  ready_enqueue(to);
}

/* The send phase. Returns 0 or an error code; *woken is the receiver that
 * got the message. */
static uint32_t ipc_send(struct tcb *me, uint32_t dest_id, int may_block, struct tcb **woken) {
  struct tcb *d = tcb_valid(dest_id);
  if (!d || d->state == TS_IDLE || d->state == TS_HALTED) return ERR_NO_PARTNER;
  if (d->state == TS_WAIT_RECV && (d->partner == 0 || d->partner == me->myself)) {
    deliver(me, d);
    *woken = d;
    return 0;
  }
  if (!may_block) return ERR_TIMEOUT;
  me->state = TS_WAIT_SEND;
  me->partner = dest_id;
  me->wakeup = WAKE_NONE;
  sendq_append(d, me);
  schedule();
  /* Runs again when the receiver took the message, or the wait ended. */
  switch (me->wakeup) {
    case WAKE_TAKEN: return 0;
    case WAKE_CANCELLED: return ERR_CANCELLED;
    default: return ERR_NO_PARTNER;
  }
}

/* Is a thread queued to send to t that a receive from `from` (0 = any) would take? */
static int sender_waiting(const struct tcb *t, uint32_t from) {
  for (const struct tcb *s = t->sendq_first; s; s = s->sendq_next)
    if (!from || s->myself == from) return 1;
  return 0;
}

/* The receive phase. Returns if a message was waiting or the receive failed
 * at once (result in the frame unless a fault reply is awaited); otherwise
 * blocks and never returns here. */
static void ipc_receive(struct tcb *me, struct frame *f, uint32_t rcv_desc, uint32_t from_id, int may_block,
                        struct tcb *woken) {
  me->rcv_pending = 0;
  if (me->cancel_pending) { /* lthread_ex_regs came between the two phases */
    me->cancel_pending = 0;
    if (me->fault)
      me->fault = 0;
    else
      f->eax = ERR_CANCELLED | RES_RCV_PHASE;
    return;
  }
  me->rcv_desc = rcv_desc;
  for (struct tcb *s = me->sendq_first; s; s = s->sendq_next) {
    if (from_id && s->myself != from_id) continue;
    sendq_remove(me, s);
    deliver(s, me);
    s->wakeup = WAKE_TAKEN;
    if (s->rcv_pending && !s->cancel_pending && !sender_waiting(s, s->next_from)) {
      /* The sender's receive phase begins now, atomically with its send (as
       * a call or reply-and-wait must): it waits without running first, so a
       * partner that answers at once finds it receiving. */
      s->rcv_pending = 0;
      s->state = TS_WAIT_RECV;
      s->partner = s->next_from;
      s->rcv_desc = s->next_rcv_desc;
      wake_to_user(s);
      return;
    }
    s->state = TS_READY;
    ready_enqueue(s);
    return;
  }
  if (from_id && !tcb_valid(from_id)) {
    f->eax = ERR_NO_PARTNER | RES_RCV_PHASE;
    return;
  }
  if (!may_block) {
    f->eax = ERR_TIMEOUT | RES_RCV_PHASE;
    return;
  }
  me->state = TS_WAIT_RECV;
  me->partner = from_id;
  /* Direct process switch to the thread that just got our message, without
   * consulting the ready queues; otherwise the scheduler picks. */
  if (woken && woken->state == TS_READY)
    switch_to(woken);
  else
    schedule();
  panic("ipc: a receiver resumed in the kernel");
}

void sys_ipc(struct frame *f) {
  struct tcb *me = current();
  const uint32_t snd = f->eax, rcv = f->ebp, timeouts = f->ecx;
  if (timeouts & ~3u) {
    f->eax = ERR_INVALID;
    return;
  }
  struct tcb *woken = 0;
  me->rcv_pending = rcv != IPC_NIL;
  me->next_from = (rcv & RCV_OPEN) ? 0 : f->esi;
  me->next_rcv_desc = rcv;
  if (snd != IPC_NIL) {
    me->snd_desc = snd;
    const uint32_t err = ipc_send(me, f->esi, !(timeouts & 1), &woken);
    if (err) {
      me->rcv_pending = 0;
      f->eax = err;
      return;
    }
  }
  if (rcv != IPC_NIL) {
    ipc_receive(me, f, rcv, (rcv & RCV_OPEN) ? 0 : f->esi, !(timeouts & 2), woken);
    return;
  }
  f->eax = 0;
  if (woken && woken->prio > me->prio) schedule();
}

/* A user-mode fault: call the pager with a fault message, wait for its reply. */
void fault_ipc(struct frame *f, uint32_t vector, uint32_t word0, uint32_t pf_error) {
  struct tcb *me = current();
  if (!tcb_valid(me->pager)) {
    kprintf("thread %x: fault %u at eip %x (word %x) and no pager: halted\n", me->myself, vector, f->eip, word0);
    me->state = TS_HALTED;
    schedule();
    panic("halted thread resumed");
  }
  me->fault = 0x100 | vector;
  me->fault_words[0] = word0;
  me->fault_words[1] = f->eip;
  me->fault_words[2] = pf_error;
  me->snd_desc = 0;
  me->rcv_pending = 1;
  me->next_from = me->pager;
  me->next_rcv_desc = WHOLE_SPACE_WINDOW;
  struct tcb *woken = 0;
  const uint32_t err = ipc_send(me, me->pager, 1, &woken);
  if (err) {
    me->fault = 0;
    me->rcv_pending = 0;
    if (err == ERR_CANCELLED) return; /* lthread_ex_regs redirected the thread */
    kprintf("thread %x: fault %u at eip %x, pager %x gone: halted\n", me->myself, vector, f->eip, me->pager);
    me->state = TS_HALTED;
    schedule();
    panic("halted thread resumed");
  }
  ipc_receive(me, f, WHOLE_SPACE_WINDOW, me->pager, 1, woken);
}

void ipc_cancel(struct tcb *t) {
  if (t->state == TS_WAIT_SEND) {
    struct tcb *d = tcb_of(t->partner);
    if (d->myself == t->partner) sendq_remove(d, t);
    t->wakeup = WAKE_CANCELLED;
    t->state = TS_READY;
    ready_enqueue(t);
  } else if (t->state == TS_WAIT_RECV) {
    if (t->fault)
      t->fault = 0;
    else
      frame_of(t)->eax = ERR_CANCELLED | RES_RCV_PHASE;
    t->state = TS_READY;
    wake_to_user(t);
    ready_enqueue(t);
  } else if (t->state == TS_READY && t->rcv_pending) {
    /* Its send phase is done but it has not reached the receive phase yet
     * (it was woken and has not run): cancel that receive phase. */
    t->cancel_pending = 1;
  }
}

void ipc_partner_died(struct tcb *dead) {
  while (dead->sendq_first) {
    struct tcb *s = dead->sendq_first;
    sendq_remove(dead, s);
    s->wakeup = WAKE_DEAD_PARTNER;
    s->state = TS_READY;
    ready_enqueue(s);
  }
  /* Closed receives from the dead thread fail. */
  for (uint32_t n = 1; n < MAX_TASKS * THREADS_PER_TASK; ++n) {
    struct tcb *t = tcb_of_number(n);
    if (!tcb_exists(n) || t->state != TS_WAIT_RECV || t->partner != dead->myself) continue;
    if (t->fault)
      t->fault = 0; /* it retries, faults again and finds no pager */
    else
      frame_of(t)->eax = ERR_NO_PARTNER | RES_RCV_PHASE;
    t->state = TS_READY;
    wake_to_user(t);
    ready_enqueue(t);
  }
}
