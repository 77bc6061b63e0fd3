// Intel-syntax text for decoded instructions, for annotated traces (the IPC
// listing of the CLI) and test diagnostics. Driven by the OpTable's operand
// strings, so every registered form has a rendering.
//
// Conventions follow Capstone 4 / objdump -M intel so traces can be compared with
// either tool:
//  * lower case, operands separated by ", ", memory as "dword ptr fs:[ebx + ecx*4 - 8]"
//    (the segment is shown only when an override prefix is present);
//  * numbers 0-9 in decimal, larger ones as 0x-prefixed hex; displacements and the
//    sign-extended imm8 of 83 /r (except AND/OR/XOR), 6A and 6B as signed values
//    ("add esp, -0x10", "and eax, 0xfffffff0"), as Capstone does;
//  * relative branches as their target, eip + length + rel (masked to 16 bits
//    with a 16-bit operand size, as the CPU does);
//  * far transfers as "ljmp 0x8:0x1000", "lcall fword ptr [eax]", "retf";
//  * canonical condition names (je, jne, jae, ja, jge, jg) and size-suffixed
//    forms (movsd, stosb, cwde, pushad, iretd, jecxz, xlatb);
//  * string instructions in their short form ("rep movsd") unless a segment
//    override makes the operands interesting ("movsb byte ptr es:[edi], byte ptr fs:[esi]");
//  * x87 escapes named for the control subset the CPU models (fninit, fnclex, fnstsw,
//    fnstcw, fldcw, fnstenv, fldenv, fnsave, frstor, fnop), otherwise
//    "esc 0xd8, 0xc1" (opcode byte, ModRM byte, then the memory operand if any);
//  * "(bad)" for undefined opcodes.
#pragma once

#include <string>

#include "cpu486/decoded.hpp"

namespace l4sim {

// The instruction as text. `eip` is the offset of the instruction's first byte
// (prefixes included) in its code segment; relative branch targets are computed from it.
std::string disassemble(const DecodedInsn& d, u32 eip);

}  // namespace l4sim
