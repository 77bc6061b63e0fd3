# ISA test: from real mode to protected mode and ring 3 and back, the way a
# boot loader and kernel do it. Real mode: 16-bit arithmetic, the IVT and INT/
# IRET. Protected mode: LGDT, CR0.PE, far JMP, segment loads, LTR, an IRET to
# ring 3, INT from ring 3 through a DPL-3 trap gate (stack switch from the TSS),
# a privileged instruction at ring 3 raising #GP with the right error code.
# Loaded at 0x8000 and started in real mode at 0800:0000.
.intel_syntax noprefix
.include "common.inc"

.set IDT, 0x2000
.set TSS, 0x3000
.set STACK0, 0x70000
.set STACK3, 0x60000

.text
.code16
.globl _start
_start:
  jmp 0:start16               # normalise CS to 0 so labels are offsets
start16:
  xor ax, ax
  mov ds, ax
  mov es, ax
  mov ss, ax
  mov sp, 0x7000

  # 16-bit arithmetic and flags.
  mov ax, 0x7fff
  add ax, 1
  jno fail16                  # signed overflow must set OF
  cmp ax, 0x8000
  jne fail16
  mov cx, 0xffff
  inc cx                      # INC leaves CF alone, sets ZF
  jnz fail16

  # Real-mode software interrupt through the IVT at 0.
  mov word ptr [0x40 * 4], offset int40
  mov word ptr [0x40 * 4 + 2], 0
  mov bx, 0
  int 0x40
  cmp bx, 0x4040
  jne fail16

  # Enter protected mode.
  cli
  lgdt [gdt_desc]
  mov eax, cr0
  or eax, 1
  mov cr0, eax
  jmp 0x08:start32

int40:
  mov bx, 0x4040
  iret

fail16:
  mov al, 0x16
  out 0xe9, al
  mov al, 1
  out 0xf4, al
  hlt

.code32
start32:
  mov ax, 0x10
  mov ds, ax
  mov es, ax
  mov fs, ax
  mov gs, ax
  mov ss, ax
  mov esp, STACK0
  PUTS "protected mode\n"

  # TSS: ring-0 stack for interrupts from ring 3.
  mov dword ptr [TSS + 4], STACK0
  mov dword ptr [TSS + 8], 0x10
  mov word ptr [TSS + 0x66], 0x68
  mov ax, 0x28
  ltr ax
  str bx
  CHECK_EQ bx, 0x28, 0x201

  # IDT: #GP (13) and INT 0x80 (trap gate, DPL 3).
  mov eax, offset gp_handler
  mov edi, IDT + 13 * 8
  mov ecx, 0x8e00
  call set_gate
  mov eax, offset syscall_handler
  mov edi, IDT + 0x80 * 8
  mov ecx, 0xef00
  call set_gate
  lidt [idt_desc]

  # IRET to ring 3. DS and ES get the ring-3 data segment first: an IRET to an
  # outer level nulls data segment registers whose DPL is below the new CPL.
  mov ax, 0x23
  mov ds, ax
  mov es, ax
  push 0x23                   # SS
  push STACK3                 # ESP
  push 0x202                  # EFLAGS (IF set, IOPL 0)
  push 0x1b                   # CS
  push offset user_code
  iretd

user_code:
  mov ax, cs
  and ax, 3
  cmp ax, 3
  jne user_fail
  mov eax, 0x1234
  int 0x80                    # returns EAX = CPL seen on the handler's stack frame
  cmp eax, 3
  jne user_fail
user_cli:
  cli                         # CPL 3 > IOPL 0: #GP(0)
  jmp user_fail
user_fail:
  mov eax, 0x2ff
  int 0x80

# INT 0x80 from ring 3: EAX = 0x2ff means failure. Otherwise return the
# privilege of the interrupted code (the RPL of the CS pushed by the CPU).
syscall_handler:
  cmp eax, 0x2ff
  je 9f
  mov eax, [esp + 4]          # pushed CS
  and eax, 3
  mov ebx, esp
  cmp ebx, STACK0 - 20        # EIP CS EFLAGS ESP SS: switched to the TSS stack
  jne 9f
  iretd
9:
  mov eax, 0x202
  jmp fail

gp_handler:
  mov eax, [esp]              # error code
  CHECK_EQ eax, 0, 0x203
  mov eax, [esp + 8]          # CS of the faulting code
  CHECK_EQ eax, 0x1b, 0x204
  mov eax, [esp + 4]
  mov ebx, offset user_cli
  CHECK_EQ eax, ebx, 0x205    # the fault points at the CLI itself
  PUTS "ring 3 ok\n"
  jmp pass

# EAX = handler, EDI = gate address, ECX = type/DPL word.
set_gate:
  mov word ptr [edi], ax
  mov word ptr [edi + 2], 0x08
  mov word ptr [edi + 4], cx
  shr eax, 16
  mov word ptr [edi + 6], ax
  ret

.include "lib32.inc"

.data
.align 8
gdt:
  .quad 0
  .quad 0x00cf9a000000ffff    # 0x08 ring-0 code
  .quad 0x00cf92000000ffff    # 0x10 ring-0 data
  .quad 0x00cffa000000ffff    # 0x18 ring-3 code
  .quad 0x00cff2000000ffff    # 0x20 ring-3 data
  .word 0x67, TSS, 0x8900, 0  # 0x28 32-bit TSS at 0x3000 (base < 64 KB)
gdt_end:
gdt_desc: .word gdt_end - gdt - 1
          .long gdt
idt_desc: .word 256 * 8 - 1
          .long IDT
