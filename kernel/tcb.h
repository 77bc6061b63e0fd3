/* Thread control blocks: one page each in the virtual TCB array, addressed
 * directly from the thread number; the kernel stack fills the rest of the
 * page, with the thread's user frame at its very top. */
#pragma once

enum thread_state {
  TS_FREE = 0,      /* no thread (or a never-used TCB page: the zero page) */
  TS_READY = 1,     /* running or runnable */
  TS_WAIT_RECV = 2, /* blocked in the receive phase of ipc; resumes at ret_to_user */
  TS_WAIT_SEND = 3, /* blocked in a send phase, queued at its partner */
  TS_HALTED = 4,    /* stopped by the kernel (fault without a pager, bad pager reply) */
  TS_IDLE = 5,      /* the idle thread */
};

/* Why a blocked sender was woken (tcb.wakeup). */
enum { WAKE_NONE = 0, WAKE_TAKEN, WAKE_CANCELLED, WAKE_DEAD_PARTNER };

struct tcb {
  uint32_t myself;       /* 0: the thread's ID; 0 for a free TCB */
  uint32_t state;        /* 4 */
  uint32_t kesp;         /* 8: saved kernel stack pointer while switched out */
  uint32_t pgdir;        /* 12: the address space (physical page directory = CR3) */
  uint32_t partner;      /* 16: WAIT_RECV: closed-receive source (0 = any); WAIT_SEND: destination */
  uint32_t rcv_desc;     /* 20: receive descriptor (window) while waiting */
  uint32_t prio;         /* 24 */
  uint32_t in_ready;     /* 28: on a ready queue (lazy scheduling leaves blocked threads there) */
  struct tcb *ready_next; /* 32 */
  struct tcb *ready_prev; /* 36 */
  struct tcb *sendq_first; /* 40: threads blocked sending to this one, FIFO */
  struct tcb *sendq_last;  /* 44 */
  struct tcb *sendq_next;  /* 48 */
  uint32_t pager;        /* 52 */
  uint32_t timeslice;    /* 56: ticks per slice */
  uint32_t remaining;    /* 60: ticks left in the current slice */
  uint32_t fault;        /* 64: nonzero while the thread's pending IPC is a kernel fault message: 0x100 | vector */
  uint32_t fault_words[3]; /* 68: the fault message's words */
  uint32_t wakeup;       /* 80: WAKE_* for a blocked sender */
  uint32_t task;         /* 84: task number */
  uint32_t snd_desc;     /* 88: send descriptor of a blocked send */
  uint32_t rcv_pending;  /* 92: between the send and the receive phase of an ipc */
  uint32_t cancel_pending; /* 96: lthread_ex_regs hit it there: skip the receive phase */
  uint32_t next_from;    /* 100: the receive phase that follows a blocked send: source (0 = open) */
  uint32_t next_rcv_desc; /* 104: and its receive descriptor */
};

STATIC_ASSERT(__builtin_offsetof(struct tcb, myself) == TCB_OFF_MYSELF, "fast path offsets");
STATIC_ASSERT(__builtin_offsetof(struct tcb, state) == TCB_OFF_STATE, "fast path offsets");
STATIC_ASSERT(__builtin_offsetof(struct tcb, kesp) == TCB_OFF_KESP, "fast path offsets");
STATIC_ASSERT(__builtin_offsetof(struct tcb, pgdir) == TCB_OFF_PGDIR, "fast path offsets");
STATIC_ASSERT(__builtin_offsetof(struct tcb, partner) == TCB_OFF_PARTNER, "fast path offsets");
STATIC_ASSERT(__builtin_offsetof(struct tcb, rcv_desc) == TCB_OFF_RCV_DESC, "fast path offsets");
STATIC_ASSERT(__builtin_offsetof(struct tcb, fault) == TCB_OFF_FAULT, "fast path offsets");
STATIC_ASSERT(__builtin_offsetof(struct tcb, in_ready) == TCB_OFF_IN_READY, "fast path offsets");
STATIC_ASSERT(__builtin_offsetof(struct tcb, sendq_first) == TCB_OFF_SENDQ_FIRST, "fast path offsets");
STATIC_ASSERT(TS_READY == ASM_TS_READY && TS_WAIT_RECV == ASM_TS_WAIT_RECV, "fast path constants");

/* Thread IDs (ABI.md): lthread in bits 5..0, task in 13..6, version above. */
#define TID_LTHREAD_BITS 6
#define TID_NUMBER_BITS 14
#define TID_NUMBER_MASK ((1u << TID_NUMBER_BITS) - 1)
#define TID_NIL 0u
#define tid_number(t) ((t)&TID_NUMBER_MASK)
#define tid_task(t) (((t) >> TID_LTHREAD_BITS) & (MAX_TASKS - 1))
#define tid_lthread(t) ((t) & (THREADS_PER_TASK - 1))
#define tid_version(t) ((t) >> TID_NUMBER_BITS)
#define tid_make(task, lthread, version) \
  (((uint32_t)(version) << TID_NUMBER_BITS) | ((uint32_t)(task) << TID_LTHREAD_BITS) | (uint32_t)(lthread))
STATIC_ASSERT(MAX_TASKS * THREADS_PER_TASK == (1u << TID_NUMBER_BITS), "thread numbers fill 14 bits");
STATIC_ASSERT(TCB_AREA_ASM == TCB_AREA && TID_NUMBER_MASK_ASM == TID_NUMBER_MASK, "fast path constants");


static inline struct tcb *tcb_of_number(uint32_t n) { return (struct tcb *)(TCB_AREA + n * TCB_SIZE); }
/* The TCB an ID names; the caller checks tcb->myself == id before trusting it. */
static inline struct tcb *tcb_of(uint32_t tid) { return tcb_of_number(tid_number(tid)); }
static inline struct frame *frame_of(struct tcb *t) {
  return (struct frame *)((uint32_t)t + TCB_SIZE - sizeof(struct frame));
}
/* The running thread: the kernel stack lives in its TCB page. */
static inline struct tcb *current(void) {
  uint32_t esp;
  __asm__("mov %%esp, %0" : "=r"(esp));
  return (struct tcb *)(esp & ~(TCB_SIZE - 1));
}
/* Does `tid` name a live thread? Reading a never-used TCB faults in the
 * shared zero page (trap.c), so this never crashes. */
static inline struct tcb *tcb_valid(uint32_t tid) {
  if (tid == TID_NIL || tid == 0xFFFFFFFFu) return 0;
  struct tcb *t = tcb_of(tid);
  return t->myself == tid && t->state != TS_FREE ? t : 0;
}

void tcb_init(void);
struct tcb *thread_create(uint32_t tid, uint32_t pgdir, uint32_t eip, uint32_t esp, uint32_t pager, uint32_t prio);
void thread_kill(struct tcb *t);
uint32_t thread_new_id(uint32_t task, uint32_t lthread); /* a fresh version for that thread number */
int tcb_exists(uint32_t number); /* has the TCB page its own frame (without touching it)? */
void wake_to_user(struct tcb *t); /* make t resume in ret_to_user with its frame */

/* sched.c */
void sched_init(void);
void ready_enqueue(struct tcb *t);
void ready_remove(struct tcb *t);
void schedule(void);                  /* runs the best ready thread (maybe the caller) */
void switch_to(struct tcb *next);     /* direct switch; the caller must not be READY-lost */
void sched_tick(void);
void idle_start(void) NORETURN;
extern struct tcb *idle_tcb;
void switch_context(struct tcb *cur, struct tcb *next); /* entry.S */

/* ipc.c */
void sys_ipc(struct frame *f);
void fault_ipc(struct frame *f, uint32_t vector, uint32_t word0, uint32_t pf_error);
void ipc_cancel(struct tcb *t); /* abort t's ipc: error 3 */
void ipc_partner_died(struct tcb *dead);

/* mapdb.c */
void mapdb_init(void);
int map_page(uint32_t from_pgdir, uint32_t from_va, uint32_t to_pgdir, uint32_t to_va, int writable, int from_sigma0);
int map_kernel_page(uint32_t pgdir, uint32_t va, uint32_t phys, int writable); /* a root mapping (boot images) */
void unmap_fpage(uint32_t pgdir, uint32_t fpage, int include_self, int write_only);
void unmap_space(uint32_t pgdir);
int transfer_map_item(struct tcb *from, struct tcb *to, uint32_t snd_base, uint32_t fpage, uint32_t rcv_desc);

/* syscalls.c */
void sys_id_nearest(struct frame *f);
void sys_fpage_unmap(struct frame *f);
void sys_thread_switch(struct frame *f);
void sys_lthread_ex_regs(struct frame *f);
void sys_thread_schedule(struct frame *f);
void sys_task_new(struct frame *f);
void sys_kdebug(struct frame *f);
extern uint32_t task_pgdir[MAX_TASKS];
extern uint32_t task_version[MAX_TASKS];

#define SIGMA0_TASK 1
#define ROOT_TASK 2
