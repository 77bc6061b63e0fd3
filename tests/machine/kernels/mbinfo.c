/* Prints the multiboot boot information; the same serial output is expected
 * under l4sim and under QEMU -kernel/-initrd. */
#include "lib.h"

struct mb_info {
  uint32_t flags, mem_lower, mem_upper, boot_device, cmdline, mods_count, mods_addr;
  uint32_t syms[4];
  uint32_t mmap_length, mmap_addr;
  uint32_t drives_length, drives_addr, config_table, boot_loader_name;
};
struct mb_mod {
  uint32_t start, end, cmdline, pad;
};

int test_failures(void);

void kmain(uint32_t magic, const struct mb_info *mbi) {
  serial_init();
  kprintf("mbinfo test kernel\n");
  check(magic == 0x2BADB002, "EAX holds the multiboot magic");
  check(mbi->flags & (1u << 0), "memory fields present");
  kprintf("mem_lower %u KB, mem_upper %u KB\n", mbi->mem_lower, mbi->mem_upper);
  if (mbi->flags & (1u << 2)) kprintf("cmdline '%s'\n", (const char *)mbi->cmdline);
  check(mbi->flags & (1u << 3), "module fields present");
  kprintf("%u modules\n", mbi->mods_count);
  const struct mb_mod *m = (const struct mb_mod *)mbi->mods_addr;
  uint32_t prev_end = 0x100000;
  for (uint32_t i = 0; i < mbi->mods_count; ++i) {
    kprintf("module %u: %u bytes, cmdline '%s', first line '", i, m[i].end - m[i].start, (const char *)m[i].cmdline);
    for (const char *p = (const char *)m[i].start; p < (const char *)m[i].end && *p != '\n'; ++p) kputc(*p);
    kprintf("'\n");
    check((m[i].start & 0xFFF) == 0, "module is page aligned");
    check(m[i].start >= prev_end, "module lies above the kernel and the previous module");
    prev_end = m[i].end;
  }
  check(mbi->flags & (1u << 6), "memory map present");
  uint32_t avail_low = 0, has_high = 0;
  for (uint32_t a = mbi->mmap_addr; a < mbi->mmap_addr + mbi->mmap_length;) {
    const uint32_t *e = (const uint32_t *)a;
    /* e[0] = size, e[1..2] = base, e[3..4] = length, e[5] = type */
    if (e[5] == 1 && e[1] == 0) avail_low = e[3];
    if (e[5] == 1 && e[1] == 0x100000) has_high = e[3] >= (mbi->mem_upper - 1024) * 1024u;
    a += e[0] + 4;
  }
  check(avail_low >= 0x9F000 && avail_low <= 0xA0000, "memory map: conventional memory from 0");
  check(has_high, "memory map: extended memory from 1 MB");
  extern char _start[];
  check((uint32_t)_start >= 0x100000, "kernel runs at its link address");
  int f = test_failures();
  kprintf("%s\n", f ? "FAILED" : "PASS");
  guest_exit(f ? 1 : 0);
}
