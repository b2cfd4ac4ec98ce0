// FMOV (general, register, immediate) and the CPACR_EL1.FPEN trap.
import Testing
@testable import AArch64

struct FMOVCase: Sendable, CustomTestStringConvertible {
    let instruction: UInt32, name: String
    /// X2 and V2 before; X1 and V1 (low, high) expected after.
    let x2: UInt64, v2: (UInt64, UInt64), x1: UInt64, v1: (UInt64, UInt64)
    var testDescription: String { name }
}

let v1Before: (UInt64, UInt64) = (0xAAAA_AAAA_AAAA_AAAA, 0xBBBB_BBBB_BBBB_BBBB)

@Test(arguments: [
    FMOVCase(instruction: 0x1E26_0041, name: "fmov w1, s2", x2: 0, v2: (0x1234_5678_9ABC_DEF0, 1),
             x1: 0x9ABC_DEF0, v1: v1Before),
    FMOVCase(instruction: 0x1E27_0041, name: "fmov s1, w2", x2: 0xFFFF_FFFF_3F80_0000, v2: (0, 0),
             x1: 0x77, v1: (0x3F80_0000, 0)),
    FMOVCase(instruction: 0x9E66_0041, name: "fmov x1, d2", x2: 0, v2: (0x4000_0000_0000_0000, 5),
             x1: 0x4000_0000_0000_0000, v1: v1Before),
    FMOVCase(instruction: 0x9E67_0041, name: "fmov d1, x2", x2: 0x3FF0_0000_0000_0000, v2: (0, 0),
             x1: 0x77, v1: (0x3FF0_0000_0000_0000, 0)),
    FMOVCase(instruction: 0x9EAE_0041, name: "fmov x1, v2.d[1]", x2: 0, v2: (1, 0xFEED_FACE),
             x1: 0xFEED_FACE, v1: v1Before),
    FMOVCase(instruction: 0x9EAF_0041, name: "fmov v1.d[1], x2", x2: 0xC0FFEE, v2: (0, 0),
             x1: 0x77, v1: (0xAAAA_AAAA_AAAA_AAAA, 0xC0FFEE)),
    FMOVCase(instruction: 0x1E20_4041, name: "fmov s1, s2", x2: 0, v2: (0x1111_2222_3333_4444, 9),
             x1: 0x77, v1: (0x3333_4444, 0)),
    FMOVCase(instruction: 0x1E60_4041, name: "fmov d1, d2", x2: 0, v2: (0x1111_2222_3333_4444, 9),
             x1: 0x77, v1: (0x1111_2222_3333_4444, 0)),
    FMOVCase(instruction: 0x1E6E_1001, name: "fmov d1, #1.0", x2: 0, v2: (0, 0),
             x1: 0x77, v1: (0x3FF0_0000_0000_0000, 0)),
    FMOVCase(instruction: 0x1E3C_1001, name: "fmov s1, #-0.5", x2: 0, v2: (0, 0),
             x1: 0x77, v1: (0xBF00_0000, 0)),
    FMOVCase(instruction: 0x1E67_F001, name: "fmov d1, #31.0", x2: 0, v2: (0, 0),
             x1: 0x77, v1: (0x403F_0000_0000_0000, 0)),
])
func fmovForms(_ c: FMOVCase) {
    let rig = MemoryTestRig()
    rig.cpu.regs[1] = 0x77
    rig.cpu.regs[2] = c.x2
    rig.cpu.vregs[2] = v1Before.0
    rig.cpu.vregs[3] = v1Before.1
    rig.cpu.vregs[4] = c.v2.0
    rig.cpu.vregs[5] = c.v2.1
    rig.execute([c.instruction])
    #expect(rig.lastSyndrome == nil)
    #expect(rig.cpu.regs[1] == c.x1)
    #expect(rig.cpu.vregs[2] == c.v1.0)
    #expect(rig.cpu.vregs[3] == c.v1.1)
}

@Test func otherFloatingPointInstructionsAreUndefined() {
    let rig = MemoryTestRig()
    rig.execute([0x1E62_2820]) // fadd d0, d1, d2
    #expect(rig.lastSyndrome == 0x0200_0000)
    rig.clearFault()
    rig.execute([0x1EE7_0041]) // fmov h1, w2 (FEAT_FP16)
    #expect(rig.lastSyndrome == 0x0200_0000)
}

@Test(arguments: [
    (fpen: UInt64(0b00), el: 1, trapped: true),
    (fpen: 0b10, el: 1, trapped: true),
    (fpen: 0b01, el: 1, trapped: false),
    (fpen: 0b01, el: 0, trapped: true),
    (fpen: 0b11, el: 0, trapped: false),
])
func fpenTrap(fpen: UInt64, el: Int, trapped: Bool) {
    let rig = MemoryTestRig()
    rig.cpu.sys.cpacr = fpen << 20
    if el == 0 { rig.cpu.setPSTATE(0) }
    rig.cpu.regs[2] = 0x3FF0_0000_0000_0000
    rig.execute([0x1E62_2820]) // fadd: trapped before being found unimplemented
    #expect(rig.lastSyndrome == (trapped ? 0x1E00_0000 : 0x0200_0000))
    rig.clearFault()
    if el == 0 { rig.cpu.setPSTATE(0) } // back from the exception, if one was taken
    rig.execute([0x9E67_0041]) // fmov d1, x2
    #expect(rig.lastSyndrome == (trapped ? 0x1E00_0000 : nil))
    #expect(rig.cpu.vregs[2] == (trapped ? 0 : 0x3FF0_0000_0000_0000))
}
