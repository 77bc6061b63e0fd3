/* In-guest kernel tests, in the manner of Pistachio's l4test: IPC semantics
 * and errors, page faults through sigma0, mapping and unmapping, priorities,
 * and isolation (a task's attempts on the kernel, on privileged instructions
 * and on I/O are all contained). Only timing-independent facts are printed,
 * so the output is the same under l4sim and QEMU. */
#include "root.h"

#define STACK(name) static uint8_t name[2048] __attribute__((aligned(16)))

static l4_threadid_t main_id;

/* ---- IPC semantics (threads of this task) --------------------------------- */

STACK(echo_stack);
/* Receives from anyone and answers with the words incremented. */
static void echo_main(void) {
  struct l4_msg m = {0, 0, 0};
  l4_threadid_t from;
  uint32_t r = l4_wait(&m, &from);
  for (;;) {
    if (L4_IPC_ERROR(r)) {
      r = l4_wait(&m, &from);
      continue;
    }
    m.w0 += 1;
    m.w1 += 2;
    m.w2 += 3;
    r = l4_reply_and_wait(from, &m, &from);
  }
}

STACK(sender_stack);
static volatile uint32_t sender_result;
/* Sends one message to the main thread, then reports the result. */
static void sender_main(void) {
  struct l4_msg m = {0x5E, 0x5E, 0x5E};
  sender_result = l4_send(main_id, &m);
  park();
}

static void test_ipc(void) {
  struct l4_msg m = {10, 20, 30};
  const l4_threadid_t echo = start_thread(2, echo_main, echo_stack + sizeof echo_stack);
  check(echo != 0 && l4_lthread_of(echo) == 2 && l4_task_of(echo) == l4_task_of(main_id), "lthread_ex_regs creates a thread");
  uint32_t r = l4_call(echo, &m);
  check(r == 0 && m.w0 == 11 && m.w1 == 22 && m.w2 == 33, "call: three words there and back");
  l4_threadid_t from;
  r = l4_ipc(0, echo, L4_WHOLE_SPACE, 0, &m, &from);
  check(r == 0 && from == echo && m.w0 == 12, "call: the reply comes from the callee");

  check(L4_IPC_ERROR(l4_send(0x12340041u, &m)) == L4_ENOPARTNER, "send to an invalid thread ID: no partner");
  check(L4_IPC_ERROR(l4_send(echo + (1u << 14), &m)) == L4_ENOPARTNER, "send to a stale version: no partner");
  check(L4_IPC_ERROR(l4_send(L4_NIL_ID, &m)) == L4_ENOPARTNER, "send to nil: no partner");
  r = l4_ipc(0, main_id, L4_IPC_NIL, L4_SND_TIMEOUT_ZERO, &m, 0);
  check(L4_IPC_ERROR(r) == L4_ETIMEOUT && !(r & L4_IPC_RCV_PHASE), "send with zero timeout to a busy thread: timeout");
  r = l4_ipc(L4_IPC_NIL, echo, L4_WHOLE_SPACE, L4_RCV_TIMEOUT_ZERO, &m, 0);
  check(L4_IPC_ERROR(r) == L4_ETIMEOUT && (r & L4_IPC_RCV_PHASE), "receive with zero timeout: timeout, receive phase");
  r = l4_ipc(L4_IPC_NIL, 0x12340041u, L4_WHOLE_SPACE, 0, &m, 0);
  check(L4_IPC_ERROR(r) == L4_ENOPARTNER && (r & L4_IPC_RCV_PHASE), "receive from an invalid thread: no partner");
  r = l4_ipc(0, echo, L4_IPC_NIL, 0x10, &m, 0);
  check(L4_IPC_ERROR(r) == L4_EINVAL, "an unsupported timeout encoding is refused");

  /* A sender blocked on us is found by an open wait; a closed receive from
   * another thread would not take it. */
  sender_result = 0xFFFFFFFFu;
  const l4_threadid_t sender = start_thread(3, sender_main, sender_stack + sizeof sender_stack);
  l4_thread_switch(sender); /* let it block in its send */
  r = l4_ipc(L4_IPC_NIL, echo, L4_WHOLE_SPACE, L4_RCV_TIMEOUT_ZERO, &m, 0);
  check(L4_IPC_ERROR(r) == L4_ETIMEOUT, "closed receive ignores other senders");
  r = l4_wait(&m, &from);
  check(r == 0 && from == sender && m.w0 == 0x5E && m.w2 == 0x5E, "open wait takes the waiting sender's message");
  l4_thread_switch(sender);
  check(sender_result == 0, "the sender's send succeeded");

  check(l4_id_nearest(echo) == 0 && l4_id_nearest(0x12340041u) != 0, "id_nearest knows live and dead threads");
}

/* ---- lthread_ex_regs cancels IPC ------------------------------------------- */

STACK(blocked_stack);
static volatile uint32_t blocked_result, resumed;
static void blocked_main(void) {
  struct l4_msg m = {0, 0, 0};
  blocked_result = l4_receive(main_id, &m); /* waits: nobody sends */
  park();
}
static void resumed_main(void) {
  resumed = 1;
  park();
}

static void test_ex_regs(void) {
  const l4_threadid_t t = start_thread(4, blocked_main, blocked_stack + sizeof blocked_stack);
  l4_thread_switch(t);
  uint32_t old_eip, old_esp;
  l4_threadid_t id = l4_lthread_ex_regs(4, (uint32_t)resumed_main, (uint32_t)(blocked_stack + sizeof blocked_stack),
                                        L4_UNCHANGED, &old_eip, &old_esp, 0);
  check(id == t, "lthread_ex_regs returns the thread's ID");
  check(old_esp > (uint32_t)blocked_stack && old_esp <= (uint32_t)(blocked_stack + sizeof blocked_stack),
        "lthread_ex_regs returns the old stack pointer");
  l4_thread_switch(t);
  check(resumed == 1, "a thread blocked in ipc is cancelled and resumes at the new EIP");
}

/* ---- Priorities -------------------------------------------------------------- */

STACK(low_stack);
STACK(mid_stack);
/* A reporter waits for the go from the main thread, then sends it its ID. It
 * starts at its creator's priority, so it must not report before its own
 * priority is set: a timer tick in between would let it run (and queue its
 * message) in round robin with the main thread. */
static void reporter_main(void) {
  struct l4_msg m = {0, 0, 0};
  l4_receive(main_id, &m);
  m.w0 = l4_myself();
  l4_send(main_id, &m);
  park();
}

static void test_priorities(void) {
  uint32_t slice;
  check(l4_thread_schedule(main_id, L4_UNCHANGED, L4_UNCHANGED, &slice) == 100, "the root task runs at priority 100");
  const l4_threadid_t low = start_thread(5, reporter_main, low_stack + sizeof low_stack);
  const l4_threadid_t mid = start_thread(6, reporter_main, mid_stack + sizeof mid_stack);
  check(l4_thread_schedule(low, 80, L4_UNCHANGED, 0) == 100, "thread_schedule returns the old priority");
  l4_thread_schedule(mid, 90, L4_UNCHANGED, 0);
  check(l4_thread_schedule(mid, 200, L4_UNCHANGED, 0) == L4_UNCHANGED, "no priority above the caller's");
  struct l4_msg m = {0, 0, 0};
  /* Let each reporter reach its receive, then release both: they are ready
   * together, below us, and the scheduler must run the higher one first. */
  l4_thread_switch(low);
  l4_thread_switch(mid);
  l4_send(low, &m);
  l4_send(mid, &m);
  l4_threadid_t first, second;
  l4_wait(&m, &first);
  l4_wait(&m, &second);
  check(first == mid && second == low, "the higher priority runs first");
}

/* ---- Round robin: time slices from the timer ------------------------------ */

STACK(spin_a_stack);
STACK(spin_b_stack);
static volatile uint32_t spin_a, spin_b;
/* A spins until B has run: only the end of A's time slice lets B run. */
static void spin_a_main(void) {
  while (!spin_b) spin_a = 1;
  struct l4_msg m = {0xAA, 0, 0};
  l4_send(main_id, &m);
  park();
}
static void spin_b_main(void) {
  spin_b = 1;
  while (!spin_a) {
  }
  park();
}

static void test_round_robin(void) {
  const l4_threadid_t a = start_thread(8, spin_a_main, spin_a_stack + sizeof spin_a_stack);
  const l4_threadid_t b = start_thread(9, spin_b_main, spin_b_stack + sizeof spin_b_stack);
  l4_thread_schedule(a, 50, L4_UNCHANGED, 0);
  l4_thread_schedule(b, 50, L4_UNCHANGED, 0);
  struct l4_msg m = {0, 0, 0};
  const uint32_t r = l4_receive(a, &m);
  check(r == 0 && m.w0 == 0xAA && spin_b == 1, "equal priorities share the CPU by time slices");
}

/* ---- Page faults, mapping, unmapping ------------------------------------- */

static void test_memory(void) {
  volatile uint32_t *p = (volatile uint32_t *)0x00800000;
  *p = 0xCAFE;
  check(*p == 0xCAFE, "a page fault is resolved by sigma0");
  volatile uint32_t *q = (volatile uint32_t *)0x00801000;
  *q = 7;
  check(*q == 7 && *p == 0xCAFE, "a second page, the first one kept");
  /* An explicit request: sigma0 maps the page named in word 0 into the
   * receive window. */
  struct l4_msg m = {0x00880000, 0, 0};
  const uint32_t r = l4_ipc(0, sigma0_id, L4_FPAGE(0x00880000, 12, 0), 0, &m, 0);
  check(r == L4_IPC_MAPPED, "sigma0 answers a request with a mapping");
  *(volatile uint32_t *)0x00880000 = 5;
  check(*(volatile uint32_t *)0x00880000 == 5, "the requested page is writable");
}

/* ---- Isolation: a separate task attacks the kernel ----------------------- */

/* Shared with the attacker task (its data pages are the root task's). */
static volatile uint32_t attack_step, attack_vector[16], attack_word[16], forged_result;
static volatile l4_threadid_t attack_handler;
STACK(attacker_stack);
STACK(handler_stack);

/* Each step tries one forbidden thing; a fault sends the attacker's handler
 * a message, and the handler restarts the attacker at the next step. */
static void attack_next(void) {
  for (;;) {
    const uint32_t s = attack_step++;
    attack_vector[s] = 0xFF;
    switch (s) {
      case 0: (void)*(volatile uint32_t *)0xC0100000; break;               /* read the kernel */
      case 1: *(volatile uint32_t *)0xC0100000 = 0; break;                 /* write the kernel */
      case 2: *(volatile uint32_t *)0xE0000000 = 0; break;                 /* write a TCB */
      case 3: __asm__ volatile("cli"); break;                              /* privileged instruction */
      case 4: __asm__ volatile("inb $0x60, %%al" : : : "eax"); break;       /* I/O without permission */
      case 5: __asm__ volatile("mov %%eax, %%cr3" : : "a"(0)); break;      /* control register */
      case 6: *(volatile uint32_t *)0x00900000 = 1; break;                 /* memory nobody mapped to it */
      case 7: {                                                            /* a forged thread ID */
        struct l4_msg m = {0, 0, 0};
        forged_result = l4_send(0x00FF0041u, &m);
        attack_vector[s] = 0;
        break;
      }
      default: {
        struct l4_msg m = {0xD0, 0, 0};
        l4_send(main_id, &m); /* done */
        park();
      }
    }
  }
}

static void handler_main(void) {
  struct l4_msg m = {0, 0, 0};
  l4_threadid_t from;
  for (;;) {
    const uint32_t r = l4_wait(&m, &from);
    if (L4_IPC_ERROR(r) || !(r & L4_IPC_FAULT)) continue;
    if (L4_IPC_FAULT_VECTOR(r) == 14 && m.w0 >= (uint32_t)__image_start && m.w0 < (uint32_t)__image_end) {
      /* The attacker's own code or data (a jump table, say): touching it
       * here faults it in through our pager, for the whole task; then the
       * attacker retries. */
      (void)*(volatile uint8_t *)m.w0;
      l4_send(from, &m);
      continue;
    }
    const uint32_t s = attack_step - 1;
    attack_vector[s] = L4_IPC_FAULT_VECTOR(r);
    attack_word[s] = m.w0;
    /* Restart the attacker at the next step, on a fresh stack. */
    l4_lthread_ex_regs(0, (uint32_t)attack_next, (uint32_t)(attacker_stack + sizeof attacker_stack), L4_UNCHANGED, 0,
                       0, 0);
  }
}

static void attacker_main(void) {
  attack_handler = start_thread(1, handler_main, handler_stack + sizeof handler_stack);
  /* From now on our faults go to our own handler thread. */
  l4_lthread_ex_regs(0, L4_UNCHANGED, L4_UNCHANGED, attack_handler, 0, 0, 0);
  attack_next();
}

static void test_isolation(void) {
  const l4_threadid_t t = l4_task_new(3, (uint32_t)attacker_main, (uint32_t)(attacker_stack + sizeof attacker_stack),
                                      root_pager_id);
  check(t != 0 && l4_task_of(t) == 3, "task_new creates a task");
  struct l4_msg m = {0, 0, 0};
  l4_threadid_t from;
  const uint32_t r = l4_wait(&m, &from);
  check(r == 0 && from == t && m.w0 == 0xD0, "the attacker ran all its steps");
  check(attack_vector[0] == 14 && attack_word[0] == 0xC0100000, "reading kernel memory: page fault to the pager");
  check(attack_vector[1] == 14 && attack_word[1] == 0xC0100000, "writing kernel memory: page fault to the pager");
  check(attack_vector[2] == 14 && attack_word[2] == 0xE0000000, "writing a TCB: page fault to the pager");
  check(attack_vector[3] == 13, "cli: general protection to the pager");
  check(attack_vector[4] == 13, "port I/O: general protection to the pager");
  check(attack_vector[5] == 13, "mov cr3: general protection to the pager");
  check(attack_vector[6] == 14 && attack_word[6] == 0x00900000, "unmapped memory: page fault to the pager");
  check(L4_IPC_ERROR(forged_result) == L4_ENOPARTNER, "a forged thread ID: no partner");
  check(l4_task_new(3, 0, 0, 0) == 0 && l4_id_nearest(t) != 0, "task_new deletes the task and its threads");
}

/* ---- Mapping to another task and fpage_unmap ------------------------------ */

static volatile uint32_t peek_value;
STACK(peeker_stack);
static uint32_t shared_page[1024] __attribute__((aligned(4096)));

/* Runs in task 5: reads the page the root task mapped at 0x00A00000. */
static void peeker_main(void) {
  struct l4_msg m = {0, 0, 0};
  l4_threadid_t from;
  for (;;) {
    l4_ipc(L4_IPC_NIL, 0, L4_RCV_OPEN | L4_FPAGE(0x00A00000, 12, 0), 0, &m, &from); /* accept a mapping */
    m.w0 = *(volatile uint32_t *)0x00A00000;
    l4_send(from, &m);
  }
}

static void test_mapping(void) {
  shared_page[0] = 0x1234;
  const l4_threadid_t t = l4_task_new(5, (uint32_t)peeker_main, (uint32_t)(peeker_stack + sizeof peeker_stack),
                                      root_pager_id);
  l4_thread_switch(t); /* let it wait for the mapping */
  struct l4_msg m = {(uint32_t)shared_page, L4_FPAGE((uint32_t)shared_page, 12, 0), 0};
  uint32_t r = l4_ipc(L4_SND_MAP, t, L4_WHOLE_SPACE, 0, &m, 0);
  check(r == 0 && m.w0 == 0x1234, "a page mapped to another task is readable there");
  shared_page[0] = 0x5678;
  m.w0 = (uint32_t)shared_page;
  m.w1 = L4_FPAGE((uint32_t)shared_page, 12, 0);
  r = l4_ipc(L4_SND_MAP, t, L4_WHOLE_SPACE, 0, &m, 0);
  check(r == 0 && m.w0 == 0x5678, "the mapping shares the frame");
  l4_fpage_unmap(L4_FPAGE((uint32_t)shared_page, 12, 0), 0);
  /* Now the peeker faults on 0x00A00000; its pager (ours) refuses. */
  m.w0 = 0;
  m.w1 = 0;
  r = l4_ipc(0, t, L4_IPC_NIL, 0, &m, 0);
  check(r == 0, "the peeker got a message without a mapping");
  l4_thread_switch(t);
  check(shared_page[0] == 0x5678, "fpage_unmap leaves the owner's page");
  l4_task_new(5, 0, 0, 0);
}

void run_tests(void) {
  main_id = l4_myself();
  test_ipc();
  test_ex_regs();
  test_priorities();
  test_round_robin();
  test_memory();
  test_isolation();
  test_mapping();
}
