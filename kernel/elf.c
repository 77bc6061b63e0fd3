/* Loading the boot modules (sigma0, the root task): ELF32 executables copied
 * into kernel-pool frames and mapped into a fresh address space. */
#include "kernel.h"

struct ehdr {
  uint8_t ident[16];
  uint16_t type, machine;
  uint32_t version, entry, phoff, shoff, flags;
  uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};
struct phdr {
  uint32_t type, offset, vaddr, paddr, filesz, memsz, flags, align;
};

int elf_load_into(uint32_t pgdir, const void *image, uint32_t size, uint32_t *entry) {
  const struct ehdr *e = image;
  if (size < sizeof *e || e->ident[0] != 0x7F || e->ident[1] != 'E' || e->ident[4] != 1 || e->machine != 3)
    return -1;
  if (e->phoff + (uint32_t)e->phnum * sizeof(struct phdr) > size) return -1;
  const struct phdr *ph = (const struct phdr *)((const uint8_t *)image + e->phoff);
  for (uint32_t i = 0; i < e->phnum; ++i) {
    if (ph[i].type != 1 || ph[i].memsz == 0) continue;
    if (ph[i].offset + ph[i].filesz > size || ph[i].vaddr + ph[i].memsz > KERNEL_BASE) return -1;
    for (uint32_t va = ph[i].vaddr & ~PAGE_MASK; va < ph[i].vaddr + ph[i].memsz; va += PAGE_SIZE) {
      const uint32_t *pte = pte_lookup(pgdir, va, 0);
      uint32_t frame;
      if (pte && (*pte & PTE_P)) {
        frame = *pte & PTE_FRAME; /* shared with the previous segment */
      } else {
        frame = frame_alloc();
        map_kernel_page(pgdir, va, frame, (ph[i].flags & 2) != 0);
      }
      /* Copy the part of the file that lands in this page. */
      const uint32_t lo = va > ph[i].vaddr ? va : ph[i].vaddr;
      const uint32_t file_end = ph[i].vaddr + ph[i].filesz;
      const uint32_t hi = va + PAGE_SIZE < file_end ? va + PAGE_SIZE : file_end;
      if (lo < hi)
        memcpy((uint8_t *)phys_to_virt(frame) + (lo - va), (const uint8_t *)image + ph[i].offset + (lo - ph[i].vaddr),
               hi - lo);
    }
  }
  *entry = e->entry;
  return 0;
}
