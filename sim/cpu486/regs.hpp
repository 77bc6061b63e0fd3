// Register numbering and EFLAGS/CR bit names. Named accessors instead of masks
// scattered through the instruction code.
#pragma once

#include "common/types.hpp"

namespace l4sim {

enum Reg : u8 { EAX = 0, ECX = 1, EDX = 2, EBX = 3, ESP = 4, EBP = 5, ESI = 6, EDI = 7, kNoReg = 8 };
enum SegReg : u8 { ES = 0, CS = 1, SS = 2, DS = 3, FS = 4, GS = 5, kNoSeg = 6 };

// EFLAGS bits (Intel SDM vol. 1 §3.4.3).
namespace fl {
constexpr u32 CF = 1u << 0;
constexpr u32 R1 = 1u << 1;  // reserved, always 1
constexpr u32 PF = 1u << 2;
constexpr u32 AF = 1u << 4;
constexpr u32 ZF = 1u << 6;
constexpr u32 SF = 1u << 7;
constexpr u32 TF = 1u << 8;
constexpr u32 IF = 1u << 9;
constexpr u32 DF = 1u << 10;
constexpr u32 OF = 1u << 11;
constexpr u32 IOPL = 3u << 12;
constexpr u32 NT = 1u << 14;
constexpr u32 RF = 1u << 16;
constexpr u32 VM = 1u << 17;
constexpr u32 AC = 1u << 18;   // i486 and later
constexpr u32 VIF = 1u << 19;  // Pentium (VME)
constexpr u32 VIP = 1u << 20;  // Pentium (VME)
constexpr u32 ID = 1u << 21;   // toggles only on CPUs with CPUID
constexpr u32 kArith = CF | PF | AF | ZF | SF | OF;
constexpr u32 iopl_of(u32 eflags) { return (eflags >> 12) & 3; }
}  // namespace fl

// Control register bits (Intel SDM vol. 3 §2.5).
namespace cr0 {
constexpr u32 PE = 1u << 0;
constexpr u32 MP = 1u << 1;
constexpr u32 EM = 1u << 2;
constexpr u32 TS = 1u << 3;
constexpr u32 ET = 1u << 4;  // hardwired 1 on the i486DX (FPU present)
constexpr u32 NE = 1u << 5;
constexpr u32 WP = 1u << 16;
constexpr u32 AM = 1u << 18;
constexpr u32 NW = 1u << 29;
constexpr u32 CD = 1u << 30;
constexpr u32 PG = 1u << 31;
}  // namespace cr0

namespace cr4 {
constexpr u32 VME = 1u << 0;
constexpr u32 PVI = 1u << 1;
constexpr u32 TSD = 1u << 2;
constexpr u32 DE = 1u << 3;
constexpr u32 PSE = 1u << 4;
constexpr u32 MCE = 1u << 6;
}  // namespace cr4

// Exception vectors (Intel SDM vol. 3 §6.3).
namespace vec {
constexpr u8 DE = 0, DB = 1, NMI = 2, BP = 3, OF = 4, BR = 5, UD = 6, NM = 7, DF = 8, TS = 10, NP = 11, SS = 12,
             GP = 13, PF = 14, MF = 16, AC = 17, MC = 18;
}  // namespace vec

}  // namespace l4sim
