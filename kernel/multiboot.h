/* The multiboot v1 boot information (Multiboot Specification 0.6.96 §3.3). */
#pragma once
#include <stdint.h>

struct multiboot_info {
  uint32_t flags, mem_lower, mem_upper, boot_device, cmdline, mods_count, mods_addr;
  uint32_t syms[4];
  uint32_t mmap_length, mmap_addr;
};
struct multiboot_module {
  uint32_t start, end, cmdline, reserved;
};
struct multiboot_mmap {
  uint32_t size;
  uint64_t base, length;
  uint32_t type;
} __attribute__((packed));
#define MULTIBOOT_BOOT_MAGIC 0x2BADB002u
#define MB_INFO_CMDLINE (1u << 2)
#define MB_INFO_MODS (1u << 3)
#define MB_INFO_MMAP (1u << 6)
