#!/usr/bin/env python3
"""Runs a batch of AArch64 test cases on Unicorn and writes back the final states.

The ISA differential test (Tests/AArch64Tests/DifferentialTests.swift) writes the batch,
runs `python3 tools/unicorn_oracle.py BATCH OUT`, and compares OUT with ArmVM's own results.
All integers are little-endian.

Batch:
  magic "ARMVMDT1"; u32 case_count; u32 flags (bit 0: trace, record the state before every
  instruction as well as the final one); u64 ram_base; u64 ram_size; u64 scratch_base;
  u32 scratch_size; u32 reserved;
  set-up: u64 setup_address; u32 setup_words; u32 blob_count; 4 x u64 X0-X3 for the set-up
  code; setup_words x u32 code; blob_count x (u64 address; u32 length; u32 reserved; bytes)
  (the blobs are written, then the set-up code runs once, e.g. to turn the MMU on)
  then per case: u64 code_address; u32 word_count; u32 reserved; 31 x u64 X0-X30; u64 SP;
  u64 NZCV (bits 31:28); word_count x u32 code; scratch_size bytes of initial scratch memory
Result:
  magic "ARMVMDR1"; u32 case_count
  then per case: u32 status (0 ok, 1 Unicorn stopped with an error); u32 state_count;
  state_count x state (31 x u64 X, u64 SP, u64 NZCV, u64 PC, scratch_size bytes);
  u32 message_length; message (UTF-8; empty when status is 0)

Every case's code is written to its own address before any case runs, so no translated
block is ever stale. A case ends when the PC reaches code_address + 4 * word_count (the
generator emits forward branches only, so at most word_count instructions run).
"""
import struct
import sys

try:
    from unicorn import Uc, UcError, UC_ARCH_ARM64, UC_MODE_ARM, UC_HOOK_CODE
    from unicorn import arm64_const as A
except ImportError:
    sys.stderr.write("unicorn is not installed: run `python3 -m pip install unicorn`\n")
    sys.exit(3)

X_REGS = [getattr(A, "UC_ARM64_REG_X%d" % i) for i in range(29)] + [A.UC_ARM64_REG_X29, A.UC_ARM64_REG_X30]


def read_state(mu, scratch_base, scratch_size):
    regs = [mu.reg_read(r) for r in X_REGS]
    regs.append(mu.reg_read(A.UC_ARM64_REG_SP))
    regs.append(mu.reg_read(A.UC_ARM64_REG_NZCV) & 0xF0000000)
    regs.append(mu.reg_read(A.UC_ARM64_REG_PC))
    return struct.pack("<34Q", *regs) + bytes(mu.mem_read(scratch_base, scratch_size))


def main():
    if len(sys.argv) != 3:
        sys.stderr.write("usage: unicorn_oracle.py BATCH OUT\n")
        return 2
    data = open(sys.argv[1], "rb").read()
    if data[:8] != b"ARMVMDT1":
        sys.stderr.write("not a batch file\n")
        return 2
    count, flags, ram_base, ram_size, scratch_base, scratch_size, _ = struct.unpack_from("<IIQQQII", data, 8)
    trace = flags & 1
    off = 8 + struct.calcsize("<IIQQQII")
    setup_address, setup_words, blob_count = struct.unpack_from("<QII", data, off)
    off += 16
    setup_regs = struct.unpack_from("<4Q", data, off)
    off += 32
    setup_code = data[off:off + 4 * setup_words]
    off += 4 * setup_words
    blobs = []
    for _ in range(blob_count):
        address, length, _ = struct.unpack_from("<QII", data, off)
        off += 16
        blobs.append((address, data[off:off + length]))
        off += length

    cases = []
    for _ in range(count):
        code_address, words, _ = struct.unpack_from("<QII", data, off)
        off += 16
        regs = struct.unpack_from("<33Q", data, off)
        off += 33 * 8
        code = data[off:off + 4 * words]
        off += 4 * words
        scratch = data[off:off + scratch_size]
        off += scratch_size
        cases.append((code_address, words, regs, code, scratch))

    mu = Uc(UC_ARCH_ARM64, UC_MODE_ARM)
    mu.mem_map(ram_base, ram_size)
    for code_address, _, _, code, _ in cases:
        mu.mem_write(code_address, code)

    if setup_words:
        for address, blob in blobs:
            mu.mem_write(address, blob)
        mu.mem_write(setup_address, setup_code)
        for i, r in enumerate(setup_regs):
            mu.reg_write(X_REGS[i], r)
        end = setup_address + 4 * setup_words
        mu.emu_start(setup_address, end, count=setup_words)
        if mu.reg_read(A.UC_ARM64_REG_PC) != end:
            sys.stderr.write("the set-up code stopped at 0x%x\n" % mu.reg_read(A.UC_ARM64_REG_PC))
            return 1

    states = []
    if trace:
        def hook(uc, address, size, user):
            states.append(read_state(uc, scratch_base, scratch_size))
        mu.hook_add(UC_HOOK_CODE, hook)

    out = [b"ARMVMDR1", struct.pack("<I", count)]
    for code_address, words, regs, code, scratch in cases:
        states.clear()
        for i, r in enumerate(X_REGS):
            mu.reg_write(r, regs[i])
        mu.reg_write(A.UC_ARM64_REG_SP, regs[31])
        mu.reg_write(A.UC_ARM64_REG_NZCV, regs[32] & 0xF0000000)
        mu.mem_write(scratch_base, scratch)
        end = code_address + 4 * words
        status, message = 0, ""
        try:
            mu.emu_start(code_address, end, count=words + 1)
            pc = mu.reg_read(A.UC_ARM64_REG_PC)
            if pc != end:
                status, message = 1, "stopped at pc 0x%x before the end 0x%x" % (pc, end)
        except UcError as e:
            pc = mu.reg_read(A.UC_ARM64_REG_PC)
            word = struct.unpack_from("<I", code, pc - code_address)[0] if code_address <= pc < end else 0
            status, message = 1, "%s at pc 0x%x (instruction 0x%08x)" % (e, pc, word)
        states.append(read_state(mu, scratch_base, scratch_size))
        msg = message.encode()
        out.append(struct.pack("<II", status, len(states)))
        out.extend(states)
        out.append(struct.pack("<I", len(msg)))
        out.append(msg)
    with open(sys.argv[2], "wb") as f:
        f.write(b"".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
