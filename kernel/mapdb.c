/* The mapping database: which page mapping was derived from which, so that
 * fpage_unmap can revoke recursively through every address space that
 * received a page (Liedtke, SOSP 1995 §3: map, grant, flush).
 *
 * Each user mapping has a node; nodes form a tree per physical page rooted
 * at the mapping the page came from (sigma0's idempotent mapping or a boot
 * image page). A user page table has a shadow page holding, per entry, the
 * index of that entry's node. */
#include "kernel.h"

#define MAX_NODES 16384
#define NIL 0u

struct node {
  uint32_t pgdir, va;
  uint32_t parent, child, next, prev; /* node indices; children are a doubly linked list */
};

static struct node nodes[MAX_NODES];
static uint32_t free_node;
static uint32_t shadow[(MAX_PHYS_MB << 20) >> 12]; /* page-table frame -> its shadow frame */

void mapdb_init(void) {
  for (uint32_t i = 1; i < MAX_NODES - 1; ++i) nodes[i].next = i + 1;
  free_node = 1;
}

void mapdb_new_shadow(uint32_t pt_phys) { shadow[pt_phys >> 12] = frame_alloc(); }
void mapdb_free_shadow(uint32_t pt_phys) {
  frame_free(shadow[pt_phys >> 12]);
  shadow[pt_phys >> 12] = 0;
}

/* The shadow slot of (pgdir, va); NULL when the page table is absent. */
static uint32_t *slot(uint32_t pgdir, uint32_t va) {
  const uint32_t pde = ((uint32_t *)phys_to_virt(pgdir))[va >> 22];
  if (!(pde & PTE_P)) return 0;
  return (uint32_t *)phys_to_virt(shadow[(pde & PTE_FRAME) >> 12]) + ((va >> 12) & 1023);
}

static uint32_t node_alloc(void) {
  if (!free_node) panic("mapping database full (%u mappings)", MAX_NODES);
  const uint32_t n = free_node;
  free_node = nodes[n].next;
  memset(&nodes[n], 0, sizeof nodes[n]);
  return n;
}

static void link_child(uint32_t parent, uint32_t n) {
  nodes[n].parent = parent;
  if (!parent) return;
  nodes[n].next = nodes[parent].child;
  if (nodes[parent].child) nodes[nodes[parent].child].prev = n;
  nodes[parent].child = n;
}

static void unlink(uint32_t n) {
  const uint32_t p = nodes[n].parent;
  if (nodes[n].prev)
    nodes[nodes[n].prev].next = nodes[n].next;
  else if (p)
    nodes[p].child = nodes[n].next;
  if (nodes[n].next) nodes[nodes[n].next].prev = nodes[n].prev;
}

int tlb_tagged;

/* An untagged TLB holds entries of the loaded address space only (a CR3 load
 * flushes it), so only a change there needs an INVLPG. A tagged TLB keeps
 * every space's entries; INVLPG then drops the page's entry of every space. */
static void invalidate(uint32_t pgdir, uint32_t va) {
  if (tlb_tagged || pgdir == read_cr3()) invlpg(va);
}

static void set_pte(uint32_t pgdir, uint32_t va, uint32_t pte, uint32_t node) {
  *pte_lookup(pgdir, va, 1) = pte;
  *slot(pgdir, va) = node;
  invalidate(pgdir, va);
}

/* Removes the subtree below n, and n itself if include_self. */
static void unmap_node(uint32_t n, int include_self, int write_only) {
  while (!write_only && nodes[n].child) unmap_node(nodes[n].child, 1, 0);
  if (write_only)
    for (uint32_t c = nodes[n].child; c; c = nodes[c].next) unmap_node(c, 1, 1);
  if (!include_self) return;
  uint32_t *pte = pte_lookup(nodes[n].pgdir, nodes[n].va, 0);
  if (write_only) {
    *pte &= ~PTE_W;
    invalidate(nodes[n].pgdir, nodes[n].va);
    return;
  }
  set_pte(nodes[n].pgdir, nodes[n].va, 0, NIL);
  unlink(n);
  nodes[n].next = free_node;
  free_node = n;
}

int map_kernel_page(uint32_t pgdir, uint32_t va, uint32_t phys, int writable) {
  const uint32_t n = node_alloc();
  nodes[n].pgdir = pgdir;
  nodes[n].va = va;
  set_pte(pgdir, va, phys | PTE_P | PTE_U | (writable ? PTE_W : 0), n);
  return 0;
}

int map_page(uint32_t from_pgdir, uint32_t from_va, uint32_t to_pgdir, uint32_t to_va, int writable,
             int from_sigma0) {
  uint32_t *spte = pte_lookup(from_pgdir, from_va, 0);
  if (!spte || !(*spte & PTE_P)) {
    /* sigma0 owns the user frames idempotently (σ0(v) = v); its page table
     * entries are created when it first passes a page on. */
    if (!from_sigma0 || !frame_user_available(from_va)) return -1;
    map_kernel_page(from_pgdir, from_va, from_va, 1);
    spte = pte_lookup(from_pgdir, from_va, 0);
  }
  const uint32_t phys = *spte & PTE_FRAME;
  const int w = writable && (*spte & PTE_W);
  const uint32_t parent = *slot(from_pgdir, from_va);
  uint32_t *tslot = slot(to_pgdir, to_va);
  if (tslot && *tslot) {
    uint32_t *tpte = pte_lookup(to_pgdir, to_va, 0);
    if ((*tpte & PTE_FRAME) == phys && nodes[*tslot].parent == parent) {
      if (w && !(*tpte & PTE_W)) set_pte(to_pgdir, to_va, *tpte | PTE_W, *tslot);
      return 0; /* already mapped from the same source */
    }
    unmap_node(*tslot, 1, 0); /* a different page was there: replace it */
  }
  const uint32_t n = node_alloc();
  nodes[n].pgdir = to_pgdir;
  nodes[n].va = to_va;
  link_child(parent, n);
  set_pte(to_pgdir, to_va, phys | PTE_P | PTE_U | (w ? PTE_W : 0), n);
  return 0;
}

void unmap_fpage(uint32_t pgdir, uint32_t fpage, int include_self, int write_only) {
  const uint32_t log2 = (fpage >> 2) & 0x3F;
  if (log2 < 12 || log2 > 32) return;
  const uint64_t size = 1ull << log2;
  const uint64_t base = fpage & ~(uint32_t)(size - 1) & ~PAGE_MASK;
  for (uint64_t va = base; va < base + size && va < KERNEL_BASE;) {
    uint32_t *s = slot(pgdir, (uint32_t)va);
    if (!s) { /* no page table: skip the 4 MB */
      va = (va | 0x3FFFFF) + 1;
      continue;
    }
    if (*s) unmap_node(*s, include_self, write_only);
    va += PAGE_SIZE;
  }
}

void unmap_space(uint32_t pgdir) { unmap_fpage(pgdir, 32u << 2, 1, 0); }

int transfer_map_item(struct tcb *from, struct tcb *to, uint32_t snd_base, uint32_t fpage, uint32_t rcv_desc) {
  const uint32_t s_log = (fpage >> 2) & 0x3F, r_log = (rcv_desc >> 2) & 0x3F;
  if (s_log < 12 || s_log > 32 || r_log < 12 || r_log > 32) return -1;
  const uint64_t s_size = 1ull << s_log, r_size = 1ull << r_log;
  const uint64_t s_base = fpage & ~(uint32_t)(s_size - 1) & ~PAGE_MASK;
  const uint64_t r_base = rcv_desc & ~(uint32_t)(r_size - 1) & ~PAGE_MASK;
  uint64_t src, dst, len;
  if (s_size >= r_size) { /* the window-sized part of the fpage that holds the send base */
    src = s_base + (snd_base & (s_size - 1) & ~(r_size - 1));
    dst = r_base;
    len = r_size;
  } else { /* the fpage at its place in the window */
    src = s_base;
    dst = r_base + (snd_base & (r_size - 1) & ~(s_size - 1));
    len = s_size;
  }
  const int writable = (fpage & 2) != 0;
  const int sigma0 = from->task == SIGMA0_TASK;
  int mapped = 0;
  for (uint64_t off = 0; off < len; off += PAGE_SIZE) {
    if (src + off >= KERNEL_BASE || dst + off >= KERNEL_BASE) break;
    if (!sigma0 && !slot(from->pgdir, (uint32_t)(src + off))) { /* nothing in this 4 MB of the sender */
      off = ((src + off) | 0x3FFFFF) + 1 - src - PAGE_SIZE;
      continue;
    }
    if (map_page(from->pgdir, (uint32_t)(src + off), to->pgdir, (uint32_t)(dst + off), writable, sigma0) == 0)
      ++mapped;
  }
  return mapped ? 0 : -1;
}
