/* sigma0: the root pager. It owns the user frames idempotently (σ0(v) = v)
 * and maps a page to whoever faults on it or asks for it (word 0 = the
 * address). Requests outside its frames are refused: the client is left
 * waiting, and the refusal is printed. */
#include "l4.h"

int main(uint32_t user_start, uint32_t pool_start) {
  printf("sigma0: frames %x-%x\n", user_start, pool_start);
  struct l4_msg m = {0, 0, 0};
  l4_threadid_t client;
  uint32_t r = l4_wait(&m, &client);
  for (;;) {
    if (L4_IPC_ERROR(r)) {
      r = l4_wait(&m, &client);
      continue;
    }
    if ((r & L4_IPC_FAULT) && L4_IPC_FAULT_VECTOR(r) != 14) {
      printf("sigma0: exception %u in thread %x at eip %x\n", L4_IPC_FAULT_VECTOR(r), client, m.w1);
      r = l4_wait(&m, &client);
      continue;
    }
    const uint32_t page = m.w0 & ~0xFFFu;
    if (page < user_start || page >= pool_start) {
      printf("sigma0: refusing %x to thread %x\n", m.w0, client);
      r = l4_wait(&m, &client);
      continue;
    }
    m.w0 = page;
    m.w1 = L4_FPAGE(page, 12, 1);
    /* Reply (zero send timeout: a pager never blocks on a client) and wait. */
    r = l4_ipc(L4_SND_MAP, client, L4_RCV_OPEN, L4_SND_TIMEOUT_ZERO, &m, &client);
  }
}
