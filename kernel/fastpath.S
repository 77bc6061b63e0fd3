/* ipc (int 0x30) entry. The short-IPC fast path will live here; until then
 * every IPC takes the slow path in C (ipc.c). */
#include "asm.h"
    .text
    .globl ipc_entry
ipc_entry:
    jmp ipc_slow

    .section .note.GNU-stack, "", @progbits
