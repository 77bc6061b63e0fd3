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
#define TCB_OFF_IN_READY 28
#define TCB_OFF_SENDQ_FIRST 40
#define TCB_AREA_ASM 0xE0000000
#define TID_NUMBER_MASK_ASM 0x3FFF
#define FRAME_OFF_EDI 0
#define FRAME_OFF_ESI 4
#define FRAME_OFF_EBP 8
#define FRAME_OFF_EBX 16
#define FRAME_OFF_EDX 20
#define FRAME_OFF_ECX 24
#define FRAME_OFF_EAX 28
#define ASM_TS_READY 1
#define ASM_TS_WAIT_RECV 2
