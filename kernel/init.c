/* kmain: from the multiboot hand-over to the first user thread. */
#include "kernel.h"
#include "multiboot.h"

extern char _text_start[], _text_end[];

static int cmdline_has(const char *cmdline, const char *word) {
  const size_t n = strlen(word);
  for (const char *p = cmdline; *p; ++p)
    if ((p == cmdline || p[-1] == ' ') && !memcmp(p, word, n) && (p[n] == ' ' || p[n] == 0)) return 1;
  return 0;
}

static struct tcb *start_module(const struct multiboot_info *mbi, uint32_t index, uint32_t task, uint32_t pager) {
  const struct multiboot_module *m = (const struct multiboot_module *)phys_to_virt(mbi->mods_addr) + index;
  const uint32_t pgdir = space_create();
  uint32_t entry;
  if (elf_load_into(pgdir, phys_to_virt(m->start), m->end - m->start, &entry) != 0)
    panic("boot module %u (%s) is not a loadable i386 ELF executable", index, (const char *)phys_to_virt(m->cmdline));
  task_pgdir[task] = pgdir;
  return thread_create(thread_new_id(task, 0), pgdir, entry, 0, pager, ROOT_PRIORITY);
}

void kmain(uint32_t magic, uint32_t mbi_phys) {
  console_init();
  kprintf("l4sim kernel: text %u bytes\n", (uint32_t)(_text_end - _text_start));
  if (magic != MULTIBOOT_BOOT_MAGIC) panic("not booted by a multiboot loader (EAX %x)", magic);
  const struct multiboot_info *mbi = phys_to_virt(mbi_phys);
  const char *cmdline = (mbi->flags & MB_INFO_CMDLINE) ? phys_to_virt(mbi->cmdline) : "";
  tlb_tagged = cmdline_has(cmdline, "tagged-tlb");
  memory_init(mbi);
  cpu_init();
  trap_init();
  mapdb_init();
  sched_init();
  if (!(mbi->flags & MB_INFO_MODS) || mbi->mods_count < 2) panic("boot modules needed: sigma0 and the root task");
  struct tcb *s0 = start_module(mbi, 0, SIGMA0_TASK, 0);
  /* sigma0 learns which frames it owns: EAX..EBX. */
  frame_of(s0)->eax = memory_user_start();
  frame_of(s0)->ebx = memory_pool_start();
  struct tcb *root = start_module(mbi, 1, ROOT_TASK, s0->myself);
  frame_of(root)->eax = s0->myself;
  timer_init();
  /* "kernel-selftest-fault" on the command line makes the kernel fault on
   * purpose, to exercise its diagnostics (a test does). */
  if (cmdline_has(cmdline, "kernel-selftest-fault"))
    *(volatile uint32_t *)0 = 0;
  /* Become the idle thread; the scheduler starts sigma0 and the root task. */
  __asm__ volatile("mov %0, %%esp; jmp idle_start" : : "r"((uint32_t)idle_tcb + TCB_SIZE));
  __builtin_unreachable();
}
