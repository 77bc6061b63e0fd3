/* The ping-pong benchmark: round trips of short IPC between two threads,
 * inter-address-space (the server is a separate task) and intra-address-
 * space (the server is another thread of the root task). Warm-up first, then
 * the measured loop (pingpong.S). Cycle figures come from the simulator,
 * which times the region between pingpong_loop_begin and pingpong_loop_end;
 * the guest prints only what is the same everywhere. */
#include "root.h"

#define WARMUP_ROUNDS 100
#define ROUNDS 1000

void pp_client(l4_threadid_t partner, uint32_t rounds);
void pp_server(void);

static uint8_t server_stack[4096] __attribute__((aligned(16)));
static uint8_t intra_stack[4096] __attribute__((aligned(16)));

void run_pingpong(void) {
  /* Inter-address-space: the server is task 4, running this image's code
   * through the root pager. */
  const l4_threadid_t inter = l4_task_new(4, (uint32_t)pp_server, (uint32_t)(server_stack + sizeof server_stack),
                                          root_pager_id);
  pp_client(inter, WARMUP_ROUNDS);
  pp_client(inter, ROUNDS);
  printf("pingpong inter-AS: %u round trips (%u one-way IPCs) after %u warm-up\n", ROUNDS, 2 * ROUNDS, WARMUP_ROUNDS);
  l4_task_new(4, 0, 0, 0);

  /* Intra-address-space: lthread 7 of the root task. */
  const l4_threadid_t intra = start_thread(7, pp_server, intra_stack + sizeof intra_stack);
  pp_client(intra, WARMUP_ROUNDS);
  pp_client(intra, ROUNDS);
  printf("pingpong intra-AS: %u round trips (%u one-way IPCs) after %u warm-up\n", ROUNDS, 2 * ROUNDS, WARMUP_ROUNDS);
}

#ifdef BENCH_ROUNDS
void run_pingpong_long(uint32_t rounds) {
  const l4_threadid_t inter = l4_task_new(4, (uint32_t)pp_server, (uint32_t)(server_stack + sizeof server_stack),
                                          root_pager_id);
  pp_client(inter, rounds);
  printf("pingpong inter-AS: %u round trips\n", rounds);
}
#endif
