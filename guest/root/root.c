/* The root task: starts its pager thread (for the tasks it creates), runs the
 * in-guest kernel tests, the ping-pong and the page-fault benchmarks, and
 * ends the run with the number of failed checks as its status. */
#include "root.h"

l4_threadid_t sigma0_id, root_pager_id;
int failures;

void check(int ok, const char *what) {
  printf("%s: %s\n", ok ? "ok" : "FAIL", what);
  if (!ok) ++failures;
}

void park(void) {
  struct l4_msg m = {0, 0, 0};
  for (;;) l4_ipc(L4_IPC_NIL, L4_NIL_ID, L4_RCV_OPEN, 0, &m, 0); /* nobody sends: waits forever */
}

l4_threadid_t start_thread(uint32_t lthread, void (*fn)(void), void *stack_top) {
  return l4_lthread_ex_regs(lthread, (uint32_t)fn, (uint32_t)stack_top, L4_UNCHANGED, 0, 0, 0);
}

/* The pager of the tasks the root task creates: they run the root task's own
 * code, so their faults in its image are answered with its own pages (text
 * read-only, data and bss writable, shared). Anything else is refused. */
static uint8_t pager_stack[4096] __attribute__((aligned(16)));
static void pager_main(void) {
  struct l4_msg m = {0, 0, 0};
  l4_threadid_t client;
  uint32_t r = l4_wait(&m, &client);
  for (;;) {
    const uint32_t addr = m.w0;
    if (L4_IPC_ERROR(r) || !(r & L4_IPC_FAULT) || L4_IPC_FAULT_VECTOR(r) != 14 ||
        addr < (uint32_t)__image_start || addr >= (uint32_t)__image_end) {
      if (!L4_IPC_ERROR(r))
        printf("root pager: refusing fault %u at %x from thread %x (eip %x)\n", L4_IPC_FAULT_VECTOR(r), addr, client,
               m.w1);
      r = l4_wait(&m, &client);
      continue;
    }
    const uint32_t page = addr & ~0xFFFu;
    m.w0 = page;
    m.w1 = L4_FPAGE(page, 12, page >= (uint32_t)__data_start);
    r = l4_ipc(L4_SND_MAP, client, L4_RCV_OPEN, L4_SND_TIMEOUT_ZERO, &m, &client);
  }
}

int main(l4_threadid_t s0) {
  sigma0_id = s0;
  printf("root task: thread %x, sigma0 %x\n", l4_myself(), sigma0_id);
  root_pager_id = start_thread(1, pager_main, pager_stack + sizeof pager_stack);
#ifdef BENCH_ROUNDS
  /* root_bench.elf, the long ping-pong of `l4sim bench`: nothing but
   * inter-address-space round trips, then exit. */
  run_pingpong_long(BENCH_ROUNDS);
  l4_kd_exit(0);
#endif
  run_tests();
  run_pingpong();
  run_pagefault();
  printf("%s: %u failed checks\n", failures ? "FAILED" : "PASS", failures);
  l4_kd_exit(failures ? 1 : 0);
  return 0;
}
