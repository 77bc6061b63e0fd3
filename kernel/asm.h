/* Constants shared between C and assembly. The C side checks them with
 * static assertions (tcb.h, kernel.h), so a layout change cannot go unnoticed. */
#pragma once
#define SEL_UDATA 0x23
#define TCB_SIZE 4096 /* page-aligned TCBs on the 486 (4-way cache; SOSP 1995) */
#define FRAME_SIZE 60
#define TCB_OFF_MYSELF 0
#define TCB_OFF_STATE 4
#define TCB_OFF_KESP 8
#define TCB_OFF_PGDIR 12
#define TCB_OFF_PARTNER 16
#define TCB_OFF_RCV_DESC 20
#define TCB_OFF_FAULT 64
#define ASM_TS_READY 1
#define ASM_TS_WAIT_RECV 2
