/* Physical memory and the kernel's page tables.
 *
 * Physical memory is split at boot: the kernel image and the boot modules at
 * the bottom, frames sigma0 may hand out (σ0(v) = v) in the middle, and a
 * pool at the top for kernel objects (TCB pages, page directories and
 * tables, mapping-database shadows, copies of the boot images).
 *
 * The kernel half of every address space (3 GB and up: the direct map of
 * physical memory and the TCB array) uses page tables allocated once, at
 * boot, in the master directory. Every directory copies those entries when it
 * is created and they never change afterwards, so the kernel part of all
 * address spaces stays consistent with the master without any bookkeeping. */
#include "kernel.h"
#include "multiboot.h"

#define DIRECT_PTS (MAX_PHYS_MB / 4)
#define TCB_PTS ((MAX_TASKS * THREADS_PER_TASK * TCB_SIZE) >> 22)

static uint32_t master_pgdir[1024] __attribute__((aligned(4096)));
static uint32_t direct_pt[DIRECT_PTS][1024] __attribute__((aligned(4096)));
static uint32_t tcb_pt[TCB_PTS][1024] __attribute__((aligned(4096)));
uint32_t master_pgdir_phys;

static uint32_t mem_top;      /* end of the memory we use */
static uint32_t user_start;   /* first frame sigma0 may hand out */
static uint32_t pool_start;   /* first frame of the kernel pool */
static uint32_t free_list;    /* physical address of the first free pool frame (linked through the frames) */
static uint32_t free_frames;
extern char _kernel_end[];

uint32_t memory_top(void) { return mem_top; }
uint32_t memory_user_start(void) { return user_start; }
uint32_t memory_pool_start(void) { return pool_start; }
int frame_user_available(uint32_t phys) { return phys >= user_start && phys < pool_start; }

uint32_t frame_alloc(void) {
  if (!free_list) panic("out of kernel memory (%u KB pool)", (mem_top - pool_start) >> 10);
  uint32_t f = free_list;
  free_list = *(uint32_t *)phys_to_virt(f);
  --free_frames;
  memset(phys_to_virt(f), 0, PAGE_SIZE);
  return f;
}

void frame_free(uint32_t phys) {
  ASSERT(phys >= pool_start && phys < mem_top && !(phys & PAGE_MASK));
  *(uint32_t *)phys_to_virt(phys) = free_list;
  free_list = phys;
  ++free_frames;
}

void memory_init(const struct multiboot_info *mbi) {
  /* The available region that starts at 1 MB bounds the memory we use. */
  if (!(mbi->flags & MB_INFO_MMAP)) panic("the boot loader gave no memory map");
  for (uint32_t a = mbi->mmap_addr; a < mbi->mmap_addr + mbi->mmap_length;) {
    const struct multiboot_mmap *e = phys_to_virt(a);
    if (e->type == 1 && e->base <= 0x100000 && e->base + e->length > 0x100000) {
      uint64_t end = e->base + e->length;
      if (end > (uint64_t)MAX_PHYS_MB << 20) end = (uint64_t)MAX_PHYS_MB << 20;
      mem_top = (uint32_t)end & ~PAGE_MASK;
    }
    a += e->size + 4;
  }
  if (mem_top < (4u << 20)) panic("need at least 4 MB of memory above 1 MB, found %u KB", mem_top >> 10);

  uint32_t low = virt_to_phys(_kernel_end);
  if (mbi->flags & MB_INFO_MODS) {
    const struct multiboot_module *m = phys_to_virt(mbi->mods_addr);
    for (uint32_t i = 0; i < mbi->mods_count; ++i)
      if (m[i].end > low) low = m[i].end;
  }
  user_start = (low + PAGE_MASK) & ~PAGE_MASK;
  pool_start = (mem_top - mem_top / KERNEL_POOL_FRACTION) & ~PAGE_MASK;
  if (user_start >= pool_start) panic("boot modules leave no memory for user tasks");

  /* The master directory: the direct map and the (empty) TCB array. */
  for (uint32_t i = 0; i < DIRECT_PTS; ++i) {
    for (uint32_t j = 0; j < 1024; ++j) {
      const uint32_t phys = (i * 1024 + j) * PAGE_SIZE;
      direct_pt[i][j] = phys < mem_top ? phys | PTE_P | PTE_W : 0;
    }
    master_pgdir[(KERNEL_BASE >> 22) + i] = virt_to_phys(direct_pt[i]) | PTE_P | PTE_W;
  }
  for (uint32_t i = 0; i < TCB_PTS; ++i) master_pgdir[(TCB_AREA >> 22) + i] = virt_to_phys(tcb_pt[i]) | PTE_P | PTE_W;
  master_pgdir_phys = virt_to_phys(master_pgdir);
  write_cr3(master_pgdir_phys);

  for (uint32_t f = mem_top - PAGE_SIZE; f >= pool_start; f -= PAGE_SIZE) frame_free(f);
  kprintf("memory: %u KB; user frames %x-%x; kernel pool %u KB\n", mem_top >> 10, user_start, pool_start,
          (mem_top - pool_start) >> 10);
}

uint32_t space_create(void) {
  const uint32_t pd = frame_alloc();
  uint32_t *p = phys_to_virt(pd);
  for (uint32_t i = KERNEL_BASE >> 22; i < 1024; ++i) p[i] = master_pgdir[i];
  return pd;
}

extern uint32_t mapdb_shadow_of(uint32_t pt_phys);
extern void mapdb_free_shadow(uint32_t pt_phys);

void space_destroy(uint32_t pgdir) {
  uint32_t *p = phys_to_virt(pgdir);
  for (uint32_t i = 0; i < (KERNEL_BASE >> 22); ++i)
    if (p[i] & PTE_P) {
      mapdb_free_shadow(p[i] & PTE_FRAME);
      frame_free(p[i] & PTE_FRAME);
    }
  frame_free(pgdir);
}

extern void mapdb_new_shadow(uint32_t pt_phys);

uint32_t *pte_lookup(uint32_t pgdir, uint32_t va, int create) {
  uint32_t *pd = phys_to_virt(pgdir);
  uint32_t *pde = &pd[va >> 22];
  if (!(*pde & PTE_P)) {
    if (!create) return 0;
    const uint32_t pt = frame_alloc();
    mapdb_new_shadow(pt);
    *pde = pt | PTE_P | PTE_W | PTE_U;
  }
  return (uint32_t *)phys_to_virt(*pde & PTE_FRAME) + ((va >> 12) & 1023);
}

void tcb_page_map(uint32_t va, uint32_t phys) {
  const uint32_t off = va - TCB_AREA;
  ASSERT(off < TCB_PTS * 1024 * PAGE_SIZE);
  tcb_pt[off >> 22][(off >> 12) & 1023] = phys;
  invlpg(va);
}
