/* The page-fault benchmark: a worker thread in a task of its own touches one
 * word in each of PF_PAGES unmapped pages; every touch is a page fault that
 * the kernel turns into a fault IPC to the worker's pager, a thread of the
 * root task (another address space), which writes a recognisable word into
 * one of the root task's pages and maps that page to the worker; then the
 * faulting instruction is restarted and reads the word. A warm-up round
 * builds the worker's page table; between the rounds the root task unmaps
 * its pages from the worker (fpage_unmap revokes every mapping derived from
 * them), so that the measured round faults on the same pages with the page
 * tables already present. The touching loop (pfbench.S) lies between
 * pf_loop_begin and pf_loop_end, where the simulator times it; the guest
 * prints only what is the same everywhere. */
#include "root.h"

#define PF_PAGES 32
#define PF_TASK 6             /* the worker's task (the tests and ping-pong use 3 to 5, then delete them) */
#define PF_PAGER_LTHREAD 10   /* lthreads 1 to 9 of the root task are taken by the pager, tests and ping-pong */
#define PF_REGION 0x01000000u /* in the worker's space: nothing else is mapped there */
/* The root task's pages that back the region: part of its own image (zeroed,
 * placed last by root.ld), so they exist whatever the memory size; in one
 * aligned flexpage of 2^PF_SOURCE_LOG2 bytes, so that one fpage_unmap
 * revokes them all. */
#define PF_SOURCE_LOG2 17
static uint8_t pf_source[PF_PAGES * 4096u] __attribute__((aligned(1u << PF_SOURCE_LOG2), section(".pfsource")));
#define PF_SOURCE ((uint32_t)pf_source)
#define PF_MAGIC 0x9A6E0000u

_Static_assert(PF_PAGES * 4096u <= (1u << PF_SOURCE_LOG2), "the source pages fit in their flexpage");

/* Returns how many of the pages did not hold the expected word
 * (first_word, first_word + 1, ...); pfbench.S. */
uint32_t pf_touch(uint32_t base, uint32_t pages, uint32_t first_word);

/* The word the pager writes into page i in a round: a stale mapping (an
 * unmap that did not happen) shows as the previous round's word. */
static uint32_t pf_word(uint32_t round, uint32_t i) { return PF_MAGIC + (round << 8) + i; }

/* Shared with the worker task: it runs this image, whose data pages its
 * pager maps from ours. */
static volatile l4_threadid_t pf_main_id;
static volatile uint32_t pf_round, pf_faults;
static uint8_t pf_pager_stack[2048] __attribute__((aligned(16)));
static uint8_t pf_worker_stack[2048] __attribute__((aligned(16)));

/* The worker's pager: faults in the region get a fresh word and a page of
 * PF_SOURCE; faults in this image (the worker's code, data and stack) get
 * our own pages, as the root pager gives them. Anything else is a bug: the
 * worker is deleted, so that the root task's call to it fails and is
 * reported, rather than left waiting. */
static void pf_pager_main(void) {
  struct l4_msg m = {0, 0, 0};
  l4_threadid_t client;
  uint32_t r = l4_wait(&m, &client);
  for (;;) {
    const uint32_t addr = m.w0, page = addr & ~0xFFFu;
    const int fault = !L4_IPC_ERROR(r) && (r & L4_IPC_FAULT) && L4_IPC_FAULT_VECTOR(r) == 14;
    if (fault && addr - PF_REGION < PF_PAGES * 4096u) {
      const uint32_t i = (addr - PF_REGION) >> 12;
      volatile uint32_t* src = (volatile uint32_t*)(PF_SOURCE + (i << 12));
      *src = pf_word(pf_round, i);
      ++pf_faults;
      m.w0 = page; /* send base: the page lands where the worker faulted */
      m.w1 = L4_FPAGE((uint32_t)src, 12, 1);
    } else if (fault && addr >= (uint32_t)__image_start && addr < (uint32_t)__image_end) {
      m.w0 = page;
      m.w1 = L4_FPAGE(page, 12, page >= (uint32_t)__data_start);
    } else {
      if (!L4_IPC_ERROR(r)) {
        printf("pagefault pager: unexpected message %x (word %x, eip %x) from thread %x\n", r, addr, m.w1, client);
        l4_task_new(PF_TASK, 0, 0, 0);
      }
      r = l4_wait(&m, &client);
      continue;
    }
    r = l4_ipc(L4_SND_MAP, client, L4_RCV_OPEN, L4_SND_TIMEOUT_ZERO, &m, &client);
  }
}

/* The worker: one round per message from the root task (word 0 = the round),
 * answered with the number of wrong words. */
static void pf_worker_main(void) {
  struct l4_msg m = {0, 0, 0};
  l4_receive(pf_main_id, &m);
  for (;;) {
    m.w0 = pf_touch(PF_REGION, PF_PAGES, pf_word(m.w0, 0));
    l4_call(pf_main_id, &m); /* report, and wait for the next round */
  }
}

void run_pagefault(void) {
  pf_main_id = l4_myself();
  /* Our pages behind the region: touch them now, so that the pager's own
   * accesses do not fault inside the measured round trips. */
  for (uint32_t i = 0; i < PF_PAGES; ++i) *(volatile uint32_t*)(PF_SOURCE + (i << 12)) = 0;
  const l4_threadid_t pager = start_thread(PF_PAGER_LTHREAD, pf_pager_main, pf_pager_stack + sizeof pf_pager_stack);
  const l4_threadid_t worker =
      l4_task_new(PF_TASK, (uint32_t)pf_worker_main, (uint32_t)(pf_worker_stack + sizeof pf_worker_stack), pager);
  uint32_t ok_calls = 0, ok_faults = 0, wrong = 0;
  for (uint32_t round = 0; round < 2; ++round) {
    /* Revoke the worker's mappings of our pages; its page table stays. */
    if (round) l4_fpage_unmap(L4_FPAGE(PF_SOURCE, PF_SOURCE_LOG2, 0), 0);
    pf_round = round;
    pf_faults = 0;
    struct l4_msg m = {round, 0, 0};
    const uint32_t r = l4_call(worker, &m);
    ok_calls += r == 0;
    ok_faults += pf_faults == PF_PAGES;
    wrong += r == 0 ? m.w0 : PF_PAGES;
  }
  l4_task_new(PF_TASK, 0, 0, 0);
  check(worker != 0 && ok_calls == 2 && ok_faults == 2,
        "page faults: one per page and round, each answered by a pager in another task");
  check(wrong == 0, "page faults: the worker reads the word its pager wrote into each page");
  printf("pagefault: %u faults per round after a warm-up round\n", PF_PAGES);
}
