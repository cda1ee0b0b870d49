/*
 * The compiler's opcode table: for every WebAssembly opcode byte (and 0xFC
 * sub-opcode) its text-format name, its kind, operand and result types, natural
 * alignment (memory ops) and the internal op it compiles to (ir.h). Generated
 * once from the spec's opcode list; the order of the IR op names follows ir.h.
 */
#include "wasm/compile_int.h"

const wg__opinfo wg__opinfo_table[256] = {
    [0x00] = {"unreachable", K_SPECIAL, 0, 0, 0, 0, 0},
    [0x01] = {"nop", K_SPECIAL, 0, 0, 0, 0, 0},
    [0x02] = {"block", K_SPECIAL, 0, 0, 0, 0, 0},
    [0x03] = {"loop", K_SPECIAL, 0, 0, 0, 0, 0},
    [0x04] = {"if", K_SPECIAL, 0, 0, 0, 0, 0},
    [0x05] = {"else", K_SPECIAL, 0, 0, 0, 0, 0},
    [0x0B] = {"end", K_SPECIAL, 0, 0, 0, 0, 0},
    [0x0C] = {"br", K_SPECIAL, 0, 0, 0, 0, 0},
    [0x0D] = {"br_if", K_SPECIAL, 0, 0, 0, 0, 0},
    [0x0E] = {"br_table", K_SPECIAL, 0, 0, 0, 0, 0},
    [0x0F] = {"return", K_SPECIAL, 0, 0, 0, 0, 0},
    [0x10] = {"call", K_SPECIAL, 0, 0, 0, 0, 0},
    [0x11] = {"call_indirect", K_SPECIAL, 0, 0, 0, 0, 0},
    [0x1A] = {"drop", K_SPECIAL, 0, 0, 0, 0, 0},
    [0x1B] = {"select", K_SPECIAL, 0, 0, 0, 0, 0},
    [0x1C] = {"select", K_SPECIAL, 0, 0, 0, 0, 0},
    [0x20] = {"local.get", K_SPECIAL, 0, 0, 0, 0, 0},
    [0x21] = {"local.set", K_SPECIAL, 0, 0, 0, 0, 0},
    [0x22] = {"local.tee", K_SPECIAL, 0, 0, 0, 0, 0},
    [0x23] = {"global.get", K_SPECIAL, 0, 0, 0, 0, 0},
    [0x24] = {"global.set", K_SPECIAL, 0, 0, 0, 0, 0},
    [0x25] = {"table.get", K_SPECIAL, 0, 0, 0, 0, 0},
    [0x26] = {"table.set", K_SPECIAL, 0, 0, 0, 0, 0},
    [0x28] = {"i32.load", K_LOAD, WG_I32, 0, WG_I32, 2, WG_OP_i32_load},
    [0x29] = {"i64.load", K_LOAD, WG_I32, 0, WG_I64, 3, WG_OP_i64_load},
    [0x2A] = {"f32.load", K_LOAD, WG_I32, 0, WG_F32, 2, WG_OP_f32_load},
    [0x2B] = {"f64.load", K_LOAD, WG_I32, 0, WG_F64, 3, WG_OP_f64_load},
    [0x2C] = {"i32.load8_s", K_LOAD, WG_I32, 0, WG_I32, 0, WG_OP_i32_load8_s},
    [0x2D] = {"i32.load8_u", K_LOAD, WG_I32, 0, WG_I32, 0, WG_OP_i32_load8_u},
    [0x2E] = {"i32.load16_s", K_LOAD, WG_I32, 0, WG_I32, 1, WG_OP_i32_load16_s},
    [0x2F] = {"i32.load16_u", K_LOAD, WG_I32, 0, WG_I32, 1, WG_OP_i32_load16_u},
    [0x30] = {"i64.load8_s", K_LOAD, WG_I32, 0, WG_I64, 0, WG_OP_i64_load8_s},
    [0x31] = {"i64.load8_u", K_LOAD, WG_I32, 0, WG_I64, 0, WG_OP_i64_load8_u},
    [0x32] = {"i64.load16_s", K_LOAD, WG_I32, 0, WG_I64, 1, WG_OP_i64_load16_s},
    [0x33] = {"i64.load16_u", K_LOAD, WG_I32, 0, WG_I64, 1, WG_OP_i64_load16_u},
    [0x34] = {"i64.load32_s", K_LOAD, WG_I32, 0, WG_I64, 2, WG_OP_i64_load32_s},
    [0x35] = {"i64.load32_u", K_LOAD, WG_I32, 0, WG_I64, 2, WG_OP_i64_load32_u},
    [0x36] = {"i32.store", K_STORE, WG_I32, WG_I32, 0, 2, WG_OP_i32_store},
    [0x37] = {"i64.store", K_STORE, WG_I32, WG_I64, 0, 3, WG_OP_i64_store},
    [0x38] = {"f32.store", K_STORE, WG_I32, WG_F32, 0, 2, WG_OP_f32_store},
    [0x39] = {"f64.store", K_STORE, WG_I32, WG_F64, 0, 3, WG_OP_f64_store},
    [0x3A] = {"i32.store8", K_STORE, WG_I32, WG_I32, 0, 0, WG_OP_i32_store8},
    [0x3B] = {"i32.store16", K_STORE, WG_I32, WG_I32, 0, 1, WG_OP_i32_store16},
    [0x3C] = {"i64.store8", K_STORE, WG_I32, WG_I64, 0, 0, WG_OP_i64_store8},
    [0x3D] = {"i64.store16", K_STORE, WG_I32, WG_I64, 0, 1, WG_OP_i64_store16},
    [0x3E] = {"i64.store32", K_STORE, WG_I32, WG_I64, 0, 2, WG_OP_i64_store32},
    [0x3F] = {"memory.size", K_SPECIAL, 0, 0, 0, 0, 0},
    [0x40] = {"memory.grow", K_SPECIAL, 0, 0, 0, 0, 0},
    [0x41] = {"i32.const", K_SPECIAL, 0, 0, 0, 0, 0},
    [0x42] = {"i64.const", K_SPECIAL, 0, 0, 0, 0, 0},
    [0x43] = {"f32.const", K_SPECIAL, 0, 0, 0, 0, 0},
    [0x44] = {"f64.const", K_SPECIAL, 0, 0, 0, 0, 0},
    [0x45] = {"i32.eqz", K_UN, WG_I32, 0, WG_I32, 0, WG_OP_i32_eqz},
    [0x46] = {"i32.eq", K_BIN, WG_I32, WG_I32, WG_I32, 0, WG_OP_i32_eq},
    [0x47] = {"i32.ne", K_BIN, WG_I32, WG_I32, WG_I32, 0, WG_OP_i32_ne},
    [0x48] = {"i32.lt_s", K_BIN, WG_I32, WG_I32, WG_I32, 0, WG_OP_i32_lt_s},
    [0x49] = {"i32.lt_u", K_BIN, WG_I32, WG_I32, WG_I32, 0, WG_OP_i32_lt_u},
    [0x4A] = {"i32.gt_s", K_BIN, WG_I32, WG_I32, WG_I32, 0, WG_OP_i32_gt_s},
    [0x4B] = {"i32.gt_u", K_BIN, WG_I32, WG_I32, WG_I32, 0, WG_OP_i32_gt_u},
    [0x4C] = {"i32.le_s", K_BIN, WG_I32, WG_I32, WG_I32, 0, WG_OP_i32_le_s},
    [0x4D] = {"i32.le_u", K_BIN, WG_I32, WG_I32, WG_I32, 0, WG_OP_i32_le_u},
    [0x4E] = {"i32.ge_s", K_BIN, WG_I32, WG_I32, WG_I32, 0, WG_OP_i32_ge_s},
    [0x4F] = {"i32.ge_u", K_BIN, WG_I32, WG_I32, WG_I32, 0, WG_OP_i32_ge_u},
    [0x50] = {"i64.eqz", K_UN, WG_I64, 0, WG_I32, 0, WG_OP_i64_eqz},
    [0x51] = {"i64.eq", K_BIN, WG_I64, WG_I64, WG_I32, 0, WG_OP_i64_eq},
    [0x52] = {"i64.ne", K_BIN, WG_I64, WG_I64, WG_I32, 0, WG_OP_i64_ne},
    [0x53] = {"i64.lt_s", K_BIN, WG_I64, WG_I64, WG_I32, 0, WG_OP_i64_lt_s},
    [0x54] = {"i64.lt_u", K_BIN, WG_I64, WG_I64, WG_I32, 0, WG_OP_i64_lt_u},
    [0x55] = {"i64.gt_s", K_BIN, WG_I64, WG_I64, WG_I32, 0, WG_OP_i64_gt_s},
    [0x56] = {"i64.gt_u", K_BIN, WG_I64, WG_I64, WG_I32, 0, WG_OP_i64_gt_u},
    [0x57] = {"i64.le_s", K_BIN, WG_I64, WG_I64, WG_I32, 0, WG_OP_i64_le_s},
    [0x58] = {"i64.le_u", K_BIN, WG_I64, WG_I64, WG_I32, 0, WG_OP_i64_le_u},
    [0x59] = {"i64.ge_s", K_BIN, WG_I64, WG_I64, WG_I32, 0, WG_OP_i64_ge_s},
    [0x5A] = {"i64.ge_u", K_BIN, WG_I64, WG_I64, WG_I32, 0, WG_OP_i64_ge_u},
    [0x5B] = {"f32.eq", K_BIN, WG_F32, WG_F32, WG_I32, 0, WG_OP_f32_eq},
    [0x5C] = {"f32.ne", K_BIN, WG_F32, WG_F32, WG_I32, 0, WG_OP_f32_ne},
    [0x5D] = {"f32.lt", K_BIN, WG_F32, WG_F32, WG_I32, 0, WG_OP_f32_lt},
    [0x5E] = {"f32.gt", K_BIN, WG_F32, WG_F32, WG_I32, 0, WG_OP_f32_gt},
    [0x5F] = {"f32.le", K_BIN, WG_F32, WG_F32, WG_I32, 0, WG_OP_f32_le},
    [0x60] = {"f32.ge", K_BIN, WG_F32, WG_F32, WG_I32, 0, WG_OP_f32_ge},
    [0x61] = {"f64.eq", K_BIN, WG_F64, WG_F64, WG_I32, 0, WG_OP_f64_eq},
    [0x62] = {"f64.ne", K_BIN, WG_F64, WG_F64, WG_I32, 0, WG_OP_f64_ne},
    [0x63] = {"f64.lt", K_BIN, WG_F64, WG_F64, WG_I32, 0, WG_OP_f64_lt},
    [0x64] = {"f64.gt", K_BIN, WG_F64, WG_F64, WG_I32, 0, WG_OP_f64_gt},
    [0x65] = {"f64.le", K_BIN, WG_F64, WG_F64, WG_I32, 0, WG_OP_f64_le},
    [0x66] = {"f64.ge", K_BIN, WG_F64, WG_F64, WG_I32, 0, WG_OP_f64_ge},
    [0x67] = {"i32.clz", K_UN, WG_I32, 0, WG_I32, 0, WG_OP_i32_clz},
    [0x68] = {"i32.ctz", K_UN, WG_I32, 0, WG_I32, 0, WG_OP_i32_ctz},
    [0x69] = {"i32.popcnt", K_UN, WG_I32, 0, WG_I32, 0, WG_OP_i32_popcnt},
    [0x6A] = {"i32.add", K_BIN, WG_I32, WG_I32, WG_I32, 0, WG_OP_i32_add},
    [0x6B] = {"i32.sub", K_BIN, WG_I32, WG_I32, WG_I32, 0, WG_OP_i32_sub},
    [0x6C] = {"i32.mul", K_BIN, WG_I32, WG_I32, WG_I32, 0, WG_OP_i32_mul},
    [0x6D] = {"i32.div_s", K_BIN, WG_I32, WG_I32, WG_I32, 0, WG_OP_i32_div_s},
    [0x6E] = {"i32.div_u", K_BIN, WG_I32, WG_I32, WG_I32, 0, WG_OP_i32_div_u},
    [0x6F] = {"i32.rem_s", K_BIN, WG_I32, WG_I32, WG_I32, 0, WG_OP_i32_rem_s},
    [0x70] = {"i32.rem_u", K_BIN, WG_I32, WG_I32, WG_I32, 0, WG_OP_i32_rem_u},
    [0x71] = {"i32.and", K_BIN, WG_I32, WG_I32, WG_I32, 0, WG_OP_i32_and},
    [0x72] = {"i32.or", K_BIN, WG_I32, WG_I32, WG_I32, 0, WG_OP_i32_or},
    [0x73] = {"i32.xor", K_BIN, WG_I32, WG_I32, WG_I32, 0, WG_OP_i32_xor},
    [0x74] = {"i32.shl", K_BIN, WG_I32, WG_I32, WG_I32, 0, WG_OP_i32_shl},
    [0x75] = {"i32.shr_s", K_BIN, WG_I32, WG_I32, WG_I32, 0, WG_OP_i32_shr_s},
    [0x76] = {"i32.shr_u", K_BIN, WG_I32, WG_I32, WG_I32, 0, WG_OP_i32_shr_u},
    [0x77] = {"i32.rotl", K_BIN, WG_I32, WG_I32, WG_I32, 0, WG_OP_i32_rotl},
    [0x78] = {"i32.rotr", K_BIN, WG_I32, WG_I32, WG_I32, 0, WG_OP_i32_rotr},
    [0x79] = {"i64.clz", K_UN, WG_I64, 0, WG_I64, 0, WG_OP_i64_clz},
    [0x7A] = {"i64.ctz", K_UN, WG_I64, 0, WG_I64, 0, WG_OP_i64_ctz},
    [0x7B] = {"i64.popcnt", K_UN, WG_I64, 0, WG_I64, 0, WG_OP_i64_popcnt},
    [0x7C] = {"i64.add", K_BIN, WG_I64, WG_I64, WG_I64, 0, WG_OP_i64_add},
    [0x7D] = {"i64.sub", K_BIN, WG_I64, WG_I64, WG_I64, 0, WG_OP_i64_sub},
    [0x7E] = {"i64.mul", K_BIN, WG_I64, WG_I64, WG_I64, 0, WG_OP_i64_mul},
    [0x7F] = {"i64.div_s", K_BIN, WG_I64, WG_I64, WG_I64, 0, WG_OP_i64_div_s},
    [0x80] = {"i64.div_u", K_BIN, WG_I64, WG_I64, WG_I64, 0, WG_OP_i64_div_u},
    [0x81] = {"i64.rem_s", K_BIN, WG_I64, WG_I64, WG_I64, 0, WG_OP_i64_rem_s},
    [0x82] = {"i64.rem_u", K_BIN, WG_I64, WG_I64, WG_I64, 0, WG_OP_i64_rem_u},
    [0x83] = {"i64.and", K_BIN, WG_I64, WG_I64, WG_I64, 0, WG_OP_i64_and},
    [0x84] = {"i64.or", K_BIN, WG_I64, WG_I64, WG_I64, 0, WG_OP_i64_or},
    [0x85] = {"i64.xor", K_BIN, WG_I64, WG_I64, WG_I64, 0, WG_OP_i64_xor},
    [0x86] = {"i64.shl", K_BIN, WG_I64, WG_I64, WG_I64, 0, WG_OP_i64_shl},
    [0x87] = {"i64.shr_s", K_BIN, WG_I64, WG_I64, WG_I64, 0, WG_OP_i64_shr_s},
    [0x88] = {"i64.shr_u", K_BIN, WG_I64, WG_I64, WG_I64, 0, WG_OP_i64_shr_u},
    [0x89] = {"i64.rotl", K_BIN, WG_I64, WG_I64, WG_I64, 0, WG_OP_i64_rotl},
    [0x8A] = {"i64.rotr", K_BIN, WG_I64, WG_I64, WG_I64, 0, WG_OP_i64_rotr},
    [0x8B] = {"f32.abs", K_UN, WG_F32, 0, WG_F32, 0, WG_OP_f32_abs},
    [0x8C] = {"f32.neg", K_UN, WG_F32, 0, WG_F32, 0, WG_OP_f32_neg},
    [0x8D] = {"f32.ceil", K_UN, WG_F32, 0, WG_F32, 0, WG_OP_f32_ceil},
    [0x8E] = {"f32.floor", K_UN, WG_F32, 0, WG_F32, 0, WG_OP_f32_floor},
    [0x8F] = {"f32.trunc", K_UN, WG_F32, 0, WG_F32, 0, WG_OP_f32_trunc},
    [0x90] = {"f32.nearest", K_UN, WG_F32, 0, WG_F32, 0, WG_OP_f32_nearest},
    [0x91] = {"f32.sqrt", K_UN, WG_F32, 0, WG_F32, 0, WG_OP_f32_sqrt},
    [0x92] = {"f32.add", K_BIN, WG_F32, WG_F32, WG_F32, 0, WG_OP_f32_add},
    [0x93] = {"f32.sub", K_BIN, WG_F32, WG_F32, WG_F32, 0, WG_OP_f32_sub},
    [0x94] = {"f32.mul", K_BIN, WG_F32, WG_F32, WG_F32, 0, WG_OP_f32_mul},
    [0x95] = {"f32.div", K_BIN, WG_F32, WG_F32, WG_F32, 0, WG_OP_f32_div},
    [0x96] = {"f32.min", K_BIN, WG_F32, WG_F32, WG_F32, 0, WG_OP_f32_min},
    [0x97] = {"f32.max", K_BIN, WG_F32, WG_F32, WG_F32, 0, WG_OP_f32_max},
    [0x98] = {"f32.copysign", K_BIN, WG_F32, WG_F32, WG_F32, 0, WG_OP_f32_copysign},
    [0x99] = {"f64.abs", K_UN, WG_F64, 0, WG_F64, 0, WG_OP_f64_abs},
    [0x9A] = {"f64.neg", K_UN, WG_F64, 0, WG_F64, 0, WG_OP_f64_neg},
    [0x9B] = {"f64.ceil", K_UN, WG_F64, 0, WG_F64, 0, WG_OP_f64_ceil},
    [0x9C] = {"f64.floor", K_UN, WG_F64, 0, WG_F64, 0, WG_OP_f64_floor},
    [0x9D] = {"f64.trunc", K_UN, WG_F64, 0, WG_F64, 0, WG_OP_f64_trunc},
    [0x9E] = {"f64.nearest", K_UN, WG_F64, 0, WG_F64, 0, WG_OP_f64_nearest},
    [0x9F] = {"f64.sqrt", K_UN, WG_F64, 0, WG_F64, 0, WG_OP_f64_sqrt},
    [0xA0] = {"f64.add", K_BIN, WG_F64, WG_F64, WG_F64, 0, WG_OP_f64_add},
    [0xA1] = {"f64.sub", K_BIN, WG_F64, WG_F64, WG_F64, 0, WG_OP_f64_sub},
    [0xA2] = {"f64.mul", K_BIN, WG_F64, WG_F64, WG_F64, 0, WG_OP_f64_mul},
    [0xA3] = {"f64.div", K_BIN, WG_F64, WG_F64, WG_F64, 0, WG_OP_f64_div},
    [0xA4] = {"f64.min", K_BIN, WG_F64, WG_F64, WG_F64, 0, WG_OP_f64_min},
    [0xA5] = {"f64.max", K_BIN, WG_F64, WG_F64, WG_F64, 0, WG_OP_f64_max},
    [0xA6] = {"f64.copysign", K_BIN, WG_F64, WG_F64, WG_F64, 0, WG_OP_f64_copysign},
    [0xA7] = {"i32.wrap_i64", K_UN, WG_I64, 0, WG_I32, 0, WG_OP_i32_wrap_i64},
    [0xA8] = {"i32.trunc_f32_s", K_UN, WG_F32, 0, WG_I32, 0, WG_OP_i32_trunc_f32_s},
    [0xA9] = {"i32.trunc_f32_u", K_UN, WG_F32, 0, WG_I32, 0, WG_OP_i32_trunc_f32_u},
    [0xAA] = {"i32.trunc_f64_s", K_UN, WG_F64, 0, WG_I32, 0, WG_OP_i32_trunc_f64_s},
    [0xAB] = {"i32.trunc_f64_u", K_UN, WG_F64, 0, WG_I32, 0, WG_OP_i32_trunc_f64_u},
    [0xAC] = {"i64.extend_i32_s", K_UN, WG_I32, 0, WG_I64, 0, WG_OP_i64_extend_i32_s},
    [0xAD] = {"i64.extend_i32_u", K_UN, WG_I32, 0, WG_I64, 0, WG_OP_i64_extend_i32_u},
    [0xAE] = {"i64.trunc_f32_s", K_UN, WG_F32, 0, WG_I64, 0, WG_OP_i64_trunc_f32_s},
    [0xAF] = {"i64.trunc_f32_u", K_UN, WG_F32, 0, WG_I64, 0, WG_OP_i64_trunc_f32_u},
    [0xB0] = {"i64.trunc_f64_s", K_UN, WG_F64, 0, WG_I64, 0, WG_OP_i64_trunc_f64_s},
    [0xB1] = {"i64.trunc_f64_u", K_UN, WG_F64, 0, WG_I64, 0, WG_OP_i64_trunc_f64_u},
    [0xB2] = {"f32.convert_i32_s", K_UN, WG_I32, 0, WG_F32, 0, WG_OP_f32_convert_i32_s},
    [0xB3] = {"f32.convert_i32_u", K_UN, WG_I32, 0, WG_F32, 0, WG_OP_f32_convert_i32_u},
    [0xB4] = {"f32.convert_i64_s", K_UN, WG_I64, 0, WG_F32, 0, WG_OP_f32_convert_i64_s},
    [0xB5] = {"f32.convert_i64_u", K_UN, WG_I64, 0, WG_F32, 0, WG_OP_f32_convert_i64_u},
    [0xB6] = {"f32.demote_f64", K_UN, WG_F64, 0, WG_F32, 0, WG_OP_f32_demote_f64},
    [0xB7] = {"f64.convert_i32_s", K_UN, WG_I32, 0, WG_F64, 0, WG_OP_f64_convert_i32_s},
    [0xB8] = {"f64.convert_i32_u", K_UN, WG_I32, 0, WG_F64, 0, WG_OP_f64_convert_i32_u},
    [0xB9] = {"f64.convert_i64_s", K_UN, WG_I64, 0, WG_F64, 0, WG_OP_f64_convert_i64_s},
    [0xBA] = {"f64.convert_i64_u", K_UN, WG_I64, 0, WG_F64, 0, WG_OP_f64_convert_i64_u},
    [0xBB] = {"f64.promote_f32", K_UN, WG_F32, 0, WG_F64, 0, WG_OP_f64_promote_f32},
    [0xBC] = {"i32.reinterpret_f32", K_REINTERP, WG_F32, 0, WG_I32, 0, 0},
    [0xBD] = {"i64.reinterpret_f64", K_REINTERP, WG_F64, 0, WG_I64, 0, 0},
    [0xBE] = {"f32.reinterpret_i32", K_REINTERP, WG_I32, 0, WG_F32, 0, 0},
    [0xBF] = {"f64.reinterpret_i64", K_REINTERP, WG_I64, 0, WG_F64, 0, 0},
    [0xC0] = {"i32.extend8_s", K_UN, WG_I32, 0, WG_I32, 0, WG_OP_i32_extend8_s},
    [0xC1] = {"i32.extend16_s", K_UN, WG_I32, 0, WG_I32, 0, WG_OP_i32_extend16_s},
    [0xC2] = {"i64.extend8_s", K_UN, WG_I64, 0, WG_I64, 0, WG_OP_i64_extend8_s},
    [0xC3] = {"i64.extend16_s", K_UN, WG_I64, 0, WG_I64, 0, WG_OP_i64_extend16_s},
    [0xC4] = {"i64.extend32_s", K_UN, WG_I64, 0, WG_I64, 0, WG_OP_i64_extend32_s},
    [0xD0] = {"ref.null", K_SPECIAL, 0, 0, 0, 0, 0},
    [0xD1] = {"ref.is_null", K_SPECIAL, 0, 0, 0, 0, 0},
    [0xD2] = {"ref.func", K_SPECIAL, 0, 0, 0, 0, 0},
    [0xFC] = {"0xfc", K_SPECIAL, 0, 0, 0, 0, 0},
    [0xFD] = {"0xfd", K_SPECIAL, 0, 0, 0, 0, 0},
};

const wg__opinfo wg__opinfo_fc[18] = {
    [0] = {"i32.trunc_sat_f32_s", K_UN, WG_F32, 0, WG_I32, 0, WG_OP_i32_trunc_sat_f32_s},
    [1] = {"i32.trunc_sat_f32_u", K_UN, WG_F32, 0, WG_I32, 0, WG_OP_i32_trunc_sat_f32_u},
    [2] = {"i32.trunc_sat_f64_s", K_UN, WG_F64, 0, WG_I32, 0, WG_OP_i32_trunc_sat_f64_s},
    [3] = {"i32.trunc_sat_f64_u", K_UN, WG_F64, 0, WG_I32, 0, WG_OP_i32_trunc_sat_f64_u},
    [4] = {"i64.trunc_sat_f32_s", K_UN, WG_F32, 0, WG_I64, 0, WG_OP_i64_trunc_sat_f32_s},
    [5] = {"i64.trunc_sat_f32_u", K_UN, WG_F32, 0, WG_I64, 0, WG_OP_i64_trunc_sat_f32_u},
    [6] = {"i64.trunc_sat_f64_s", K_UN, WG_F64, 0, WG_I64, 0, WG_OP_i64_trunc_sat_f64_s},
    [7] = {"i64.trunc_sat_f64_u", K_UN, WG_F64, 0, WG_I64, 0, WG_OP_i64_trunc_sat_f64_u},
    [8] = {"memory.init", K_SPECIAL, 0, 0, 0, 0, 0},
    [9] = {"data.drop", K_SPECIAL, 0, 0, 0, 0, 0},
    [10] = {"memory.copy", K_SPECIAL, 0, 0, 0, 0, 0},
    [11] = {"memory.fill", K_SPECIAL, 0, 0, 0, 0, 0},
    [12] = {"table.init", K_SPECIAL, 0, 0, 0, 0, 0},
    [13] = {"elem.drop", K_SPECIAL, 0, 0, 0, 0, 0},
    [14] = {"table.copy", K_SPECIAL, 0, 0, 0, 0, 0},
    [15] = {"table.grow", K_SPECIAL, 0, 0, 0, 0, 0},
    [16] = {"table.size", K_SPECIAL, 0, 0, 0, 0, 0},
    [17] = {"table.fill", K_SPECIAL, 0, 0, 0, 0, 0},
};

/* The *_ri form of a binary op, or NONE. */
uint32_t wg__cc_ri_form(uint32_t op) {
    switch (op) {
#define X(n) case WG_OP_##n: return WG_OP_##n##_ri;
        WG_IR_RI_I32(X) WG_IR_RI_I64(X)
#undef X
    default: return NONE;
    }
}

/* The *_ri (base + immediate address) form of a load, or NONE. */
uint32_t wg__cc_load_ri_form(uint32_t op) {
    switch (op) {
#define X(n) case WG_OP_##n: return WG_OP_##n##_ri;
        WG_IR_LOADS(X)
#undef X
    default: return NONE;
    }
}

/* The br_<cmp> form of a comparison, or NONE. */
uint32_t wg__cc_br_form(uint32_t op) {
    switch (op) {
#define X(n) case WG_OP_##n: return WG_OP_br_##n;
        WG_IR_CMP_I32(X) WG_IR_CMP_I64(X)
#undef X
    default: return NONE;
    }
}

/* The br_<cmp>_ri form of a *_ri comparison, or NONE. */
uint32_t wg__cc_br_ri_form(uint32_t op_ri) {
    switch (op_ri) {
#define X(n) case WG_OP_##n##_ri: return WG_OP_br_##n##_ri;
        WG_IR_CMP_I32(X) WG_IR_CMP_I64(X)
#undef X
    default: return NONE;
    }
}

/* Pairs (a, b) of comparisons where a(x, y) == !b(x, y). */
#define NEG_PAIRS(P, T, S) \
    P(T##_eq##S, T##_ne##S) P(T##_lt_s##S, T##_ge_s##S) P(T##_lt_u##S, T##_ge_u##S) \
    P(T##_gt_s##S, T##_le_s##S) P(T##_gt_u##S, T##_le_u##S)

/* The negated comparison (plain or _ri), or NONE. */
uint32_t wg__cc_cmp_negate(uint32_t op) {
    switch (op) {
#define P(a, b) case WG_OP_##a: return WG_OP_##b; case WG_OP_##b: return WG_OP_##a;
        NEG_PAIRS(P, i32, ) NEG_PAIRS(P, i64, ) NEG_PAIRS(P, i32, _ri) NEG_PAIRS(P, i64, _ri)
#undef P
    default: return NONE;
    }
}

/* Pairs (a, b) with a(x, y) == b(y, x); commutative ops map to themselves. */
#define SWAP_PAIRS(P, T) \
    P(T##_lt_s, T##_gt_s) P(T##_lt_u, T##_gt_u) P(T##_le_s, T##_ge_s) P(T##_le_u, T##_ge_u)
#define SWAP_SELF(S, T) S(T##_eq) S(T##_ne) S(T##_add) S(T##_mul) S(T##_and) S(T##_or) S(T##_xor)

/* The op with swapped operands (commutative: itself), or NONE. */
uint32_t wg__cc_swap_operands(uint32_t op) {
    switch (op) {
#define P(a, b) case WG_OP_##a: return WG_OP_##b; case WG_OP_##b: return WG_OP_##a;
#define S(a) case WG_OP_##a: return WG_OP_##a;
        SWAP_PAIRS(P, i32) SWAP_PAIRS(P, i64) SWAP_SELF(S, i32) SWAP_SELF(S, i64)
#undef P
#undef S
    default: return NONE;
    }
}
