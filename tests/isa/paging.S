# ISA test: two-level paging, the architectural TLB (staleness until INVLPG or
# a CR3 load), page-fault error codes and CR2, CR0.WP, accessed/dirty bits.
# Runs from flat 32-bit protected mode at ring 0 (l4sim run --mode flat32).
.intel_syntax noprefix
.code32
.include "common.inc"

.set IDT, 0x2000
.set PD, 0x20000
.set PT0, 0x21000
.set PT1, 0x22000
.set PAGE_A, 0x30000
.set PAGE_B, 0x31000

.text
.globl _start
_start:
  mov esp, 0x90000
  # IDT with a page-fault handler at vector 14.
  mov eax, offset pf_handler
  mov edi, IDT + 14 * 8
  mov word ptr [edi], ax
  mov word ptr [edi + 2], 0x08
  mov word ptr [edi + 4], 0x8e00
  shr eax, 16
  mov word ptr [edi + 6], ax
  lidt [idt_desc]

  # Identity-map the first 4 MB (PT0); map 0x400000.. through PT1.
  mov edi, PT0
  mov eax, 0x007
  mov ecx, 1024
1:
  mov [edi], eax
  add eax, 0x1000
  add edi, 4
  loop 1b
  mov dword ptr [PD], PT0 | 7
  mov dword ptr [PD + 4], PT1 | 7
  mov dword ptr [PT1], PAGE_A | 7          # 0x400000 -> PAGE_A
  mov dword ptr [PT1 + 4], PAGE_B | 7      # 0x401000 -> PAGE_B (made not-present later)
  mov dword ptr [PT1 + 8], PAGE_B | 5      # 0x402000 -> PAGE_B, read-only
  mov dword ptr [PAGE_A], 0xaaaaaaaa
  mov dword ptr [PAGE_B], 0xbbbbbbbb

  mov eax, PD
  mov cr3, eax
  mov eax, cr0
  or eax, 0x80000000
  mov cr0, eax
  PUTS "paging on\n"

  # 1. A stale TLB entry is used until INVLPG.
  mov eax, [0x400000]
  CHECK_EQ eax, 0xaaaaaaaa, 0x101
  mov dword ptr [PT1], PAGE_B | 7
  mov eax, [0x400000]
  CHECK_EQ eax, 0xaaaaaaaa, 0x102        # still the old translation
  invlpg [0x400000]
  mov eax, [0x400000]
  CHECK_EQ eax, 0xbbbbbbbb, 0x103

  # 2. A CR3 load flushes too.
  mov dword ptr [PT1], PAGE_A | 7
  mov eax, [0x400000]
  CHECK_EQ eax, 0xbbbbbbbb, 0x104
  mov eax, cr3
  mov cr3, eax
  mov eax, [0x400000]
  CHECK_EQ eax, 0xaaaaaaaa, 0x105
  PUTS "tlb ok\n"

  # 3. Accessed and dirty bits: the walker sets A on a read and D on a write.
  mov eax, [PT1]
  and eax, 0x60
  CHECK_EQ eax, 0x20, 0x106
  mov dword ptr [0x400004], 1
  mov eax, [PT1]
  and eax, 0x60
  CHECK_EQ eax, 0x60, 0x107

  # 4. Not-present page: #PF with error 0 (read) / 2 (write), CR2 = address;
  #    the handler maps the page and the access restarts.
  mov dword ptr [PT1 + 4], 0
  invlpg [0x401000]
  mov dword ptr [pf_count], 0
  mov eax, [0x401000]
  CHECK_EQ eax, 0xbbbbbbbb, 0x108
  mov eax, [pf_count]
  CHECK_EQ eax, 1, 0x109
  mov eax, [pf_error]
  CHECK_EQ eax, 0, 0x10a
  mov eax, [pf_cr2]
  CHECK_EQ eax, 0x401000, 0x10b

  mov dword ptr [PT1 + 4], 0
  invlpg [0x401000]
  mov dword ptr [0x401ffe], 0x12345678    # crosses into 0x402000? no: 0x401ffe..0x402001 does
  mov eax, [pf_error]
  CHECK_EQ eax, 2, 0x10c
  PUTS "page faults ok\n"

  # 5. CR0.WP: supervisor writes to a read-only page fault only when WP = 1.
  mov dword ptr [0x402010], 0x55           # WP = 0: allowed
  mov eax, [0x402010]
  CHECK_EQ eax, 0x55, 0x10d
  mov eax, cr0
  or eax, 0x10000
  mov cr0, eax
  mov dword ptr [pf_count], 0
  mov dword ptr [pf_fixup], 1              # handler makes the page writable
  mov dword ptr [0x402010], 0x66
  mov eax, [pf_error]
  CHECK_EQ eax, 3, 0x10e                   # present + write, supervisor
  mov eax, [pf_count]
  CHECK_EQ eax, 1, 0x10f
  mov eax, [0x402010]
  CHECK_EQ eax, 0x66, 0x110
  PUTS "write protect ok\n"
  jmp pass

# Page-fault handler: records the error code and CR2, then repairs the mapping:
# a not-present PT1 entry is mapped to PAGE_B; with pf_fixup set, the faulting
# page is made writable. Flushes the faulting page and retries.
pf_handler:
  push eax
  push ebx
  mov eax, [esp + 8]
  mov [pf_error], eax
  mov eax, cr2
  mov [pf_cr2], eax
  inc dword ptr [pf_count]
  mov ebx, eax
  shr ebx, 12
  and ebx, 0x3ff
  cmp dword ptr [pf_fixup], 0
  jne 7f
  mov dword ptr [PT1 + ebx * 4], PAGE_B | 7
  jmp 8f
7:
  or dword ptr [PT1 + ebx * 4], 2
  mov dword ptr [pf_fixup], 0
8:
  invlpg [eax]
  pop ebx
  pop eax
  add esp, 4
  iretd

.include "lib32.inc"

.data
.align 4
idt_desc: .word 256 * 8 - 1
          .long IDT
pf_count: .long 0
pf_error: .long 0
pf_cr2:   .long 0
pf_fixup: .long 0
