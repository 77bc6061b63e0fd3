/* The ping-pong loops, in assembly so that nothing but the IPC itself runs
 * between two system calls (as in Pistachio's pingpong benchmark). The
 * client's loop lies between the symbols pingpong_loop_begin and
 * pingpong_loop_end: the region the simulator times. */
    .text

/* void pp_client(l4_threadid_t partner, uint32_t rounds): `rounds` calls
 * with a short (three-word) message. */
    .globl pp_client
pp_client:
    push %ebp
    push %ebx
    push %esi
    push %edi
    mov 20(%esp), %esi
    push 24(%esp)                        /* the round counter lives on the stack */
    xor %edx, %edx
    xor %ebx, %ebx
    xor %edi, %edi
    .globl pingpong_loop_begin
pingpong_loop_begin:
1:  xor %eax, %eax                       /* send, no map item */
    xor %ecx, %ecx                       /* timeouts: never */
    xor %ebp, %ebp                       /* closed receive from ESI, no mappings */
    int $0x30
    decl (%esp)
    jnz 1b
    .globl pingpong_loop_end
pingpong_loop_end:
    add $4, %esp
    pop %edi
    pop %esi
    pop %ebx
    pop %ebp
    ret

/* void pp_server(void): wait, then reply-and-wait forever. */
    .globl pp_server
pp_server:
    mov $-1, %eax                        /* no send */
    mov $1, %ebp                         /* open receive */
    xor %ecx, %ecx
    int $0x30
1:  xor %eax, %eax                       /* reply to ESI (the caller)... */
    mov $1, %ebp                         /* ...and wait for anyone */
    xor %ecx, %ecx
    int $0x30
    jmp 1b

    .section .note.GNU-stack, "", @progbits
