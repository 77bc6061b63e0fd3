/* uint32_t l4_ipc_regs(struct l4_ipc_regs *r): loads EAX, ECX, EDX, EBX,
 * ESI, EDI and EBP from *r, traps into ipc, stores the registers back and
 * returns EAX. Out of line because ipc needs every general register. */
    .text
    .globl l4_ipc_regs
l4_ipc_regs:
    push %ebp
    push %ebx
    push %esi
    push %edi
    mov 20(%esp), %eax
    push %eax
    mov 4(%eax), %ecx
    mov 8(%eax), %edx
    mov 12(%eax), %ebx
    mov 16(%eax), %esi
    mov 20(%eax), %edi
    mov 24(%eax), %ebp
    mov 0(%eax), %eax
    int $0x30
    xchg %eax, (%esp)
    mov %ecx, 4(%eax)
    mov %edx, 8(%eax)
    mov %ebx, 12(%eax)
    mov %esi, 16(%eax)
    mov %edi, 20(%eax)
    pop %ecx
    mov %ecx, 0(%eax)
    mov %ecx, %eax
    pop %edi
    pop %esi
    pop %ebx
    pop %ebp
    ret

    .section .note.GNU-stack, "", @progbits
