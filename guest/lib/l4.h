/* The user-level interface to the l4sim kernel: system-call stubs (kernel/ABI.md). */
#pragma once
#include <stdint.h>

typedef uint32_t l4_threadid_t;
#define L4_NIL_ID 0u
#define L4_IPC_NIL 0xFFFFFFFFu
#define L4_UNCHANGED 0xFFFFFFFFu
#define L4_RCV_OPEN 0x1u
#define L4_SND_MAP 0x2u
#define L4_TIMEOUT_NEVER 0u
#define L4_SND_TIMEOUT_ZERO 1u
#define L4_RCV_TIMEOUT_ZERO 2u
#define L4_WHOLE_SPACE (32u << 2) /* receive window: the whole address space */

/* Result (EAX) fields. */
#define L4_IPC_ERROR(r) (((r) >> 4) & 0xF)
#define L4_IPC_RCV_PHASE 0x01u
#define L4_IPC_MAPPED 0x02u
#define L4_IPC_FAULT 0x04u
#define L4_IPC_FAULT_VECTOR(r) (((r) >> 8) & 0xFF)
enum { L4_OK = 0, L4_ENOPARTNER = 1, L4_ETIMEOUT = 2, L4_ECANCELLED = 3, L4_EMAP = 4, L4_EINVAL = 5 };

#define L4_FPAGE(base, log2size, writable) (((base) & ~0xFFFu) | ((uint32_t)(log2size) << 2) | ((writable) ? 2u : 0u))

static inline uint32_t l4_task_of(l4_threadid_t t) { return (t >> 6) & 0xFF; }
static inline uint32_t l4_lthread_of(l4_threadid_t t) { return t & 63; }

struct l4_msg {
  uint32_t w0, w1, w2;
};

/* The general form: every combination of send and receive phases (ipc.S). */
struct l4_ipc_regs {
  uint32_t eax, ecx, edx, ebx, esi, edi, ebp;
};
uint32_t l4_ipc_regs(struct l4_ipc_regs *r);

static inline uint32_t l4_ipc(uint32_t snd_desc, l4_threadid_t dest, uint32_t rcv_desc, uint32_t timeouts,
                              struct l4_msg *msg, l4_threadid_t *from) {
  struct l4_ipc_regs r = {snd_desc, timeouts, msg->w0, msg->w1, dest, msg->w2, rcv_desc};
  const uint32_t result = l4_ipc_regs(&r);
  msg->w0 = r.edx;
  msg->w1 = r.ebx;
  msg->w2 = r.edi;
  if (from) *from = r.esi;
  return result;
}

static inline uint32_t l4_send(l4_threadid_t dest, struct l4_msg *m) {
  return l4_ipc(0, dest, L4_IPC_NIL, 0, m, 0);
}
static inline uint32_t l4_call(l4_threadid_t dest, struct l4_msg *m) {
  return l4_ipc(0, dest, L4_WHOLE_SPACE, 0, m, 0);
}
static inline uint32_t l4_receive(l4_threadid_t from, struct l4_msg *m) {
  return l4_ipc(L4_IPC_NIL, from, L4_WHOLE_SPACE, 0, m, 0);
}
static inline uint32_t l4_wait(struct l4_msg *m, l4_threadid_t *from) {
  return l4_ipc(L4_IPC_NIL, 0, L4_RCV_OPEN | L4_WHOLE_SPACE, 0, m, from);
}
static inline uint32_t l4_reply_and_wait(l4_threadid_t to, struct l4_msg *m, l4_threadid_t *from) {
  return l4_ipc(0, to, L4_RCV_OPEN | L4_WHOLE_SPACE, 0, m, from);
}

static inline uint32_t l4_id_nearest(l4_threadid_t t) {
  uint32_t r;
  __asm__ volatile("int $0x31" : "=a"(r), "+S"(t) : : "memory");
  return r;
}
static inline void l4_fpage_unmap(uint32_t fpage, int including_self) {
  __asm__ volatile("int $0x32" : : "a"(fpage), "c"(including_self ? 0x80000000u : 0u) : "memory");
}
static inline void l4_thread_switch(l4_threadid_t t) { __asm__ volatile("int $0x33" : "+S"(t) : : "memory"); }
static inline l4_threadid_t l4_lthread_ex_regs(uint32_t lthread, uint32_t eip, uint32_t esp, l4_threadid_t pager,
                                               uint32_t *old_eip, uint32_t *old_esp, l4_threadid_t *old_pager) {
  uint32_t id = lthread, c = esp, d = eip, s = pager;
  __asm__ volatile("int $0x34" : "+a"(id), "+c"(c), "+d"(d), "+S"(s) : : "memory");
  if (old_eip) *old_eip = d;
  if (old_esp) *old_esp = c;
  if (old_pager) *old_pager = s;
  return id;
}
static inline uint32_t l4_thread_schedule(l4_threadid_t t, uint32_t prio, uint32_t slice_us, uint32_t *old_slice) {
  uint32_t a = prio, c = slice_us;
  __asm__ volatile("int $0x35" : "+a"(a), "+c"(c), "+S"(t) : : "memory");
  if (old_slice) *old_slice = c;
  return a;
}
static inline l4_threadid_t l4_task_new(uint32_t task, uint32_t eip, uint32_t esp, l4_threadid_t pager) {
  uint32_t a = task;
  __asm__ volatile("int $0x36" : "+a"(a) : "c"(esp), "d"(eip), "S"(pager) : "memory");
  return a;
}
static inline void l4_kd_putc(char c) { __asm__ volatile("int $0x37" : : "a"(0), "d"(c) : "memory"); }
static inline void l4_kd_puts(const char *s) { __asm__ volatile("int $0x37" : : "a"(1), "d"(s) : "memory"); }
static inline void l4_kd_exit(uint32_t code) { __asm__ volatile("int $0x37" : : "a"(3), "d"(code) : "memory"); }

/* The caller's own ID: id_nearest(nil). */
static inline l4_threadid_t l4_myself(void) {
  uint32_t r, t = 0;
  __asm__ volatile("int $0x31" : "=a"(r), "+S"(t) : : "memory");
  return t;
}

/* lib.c */
void printf(const char *fmt, ...);
void *memset(void *d, int c, unsigned n);
