import A64Assembler
import AArch64

/// Pieces shared by the built-in guests (demo and benchmarks), emitted with the A64 assembler:
/// GIC set-up for the boot CPU, UART output, decimal printing, power-off.
extension A64Assembler {
    /// ICC_* encodings (op0=3, op1=0, CRn=12/4): the GICv3 CPU interface.
    static let iccIAR1: UInt16 = 0xC660, iccEOIR1: UInt16 = 0xC661
    static let iccSRE: UInt16 = 0xC665, iccIGRPEN1: UInt16 = 0xC667, iccPMR: UInt16 = 0xC230
    static let vbarEL1 = SystemRegister(op0: 3, op1: 0, crn: 12, crm: 0, op2: 0).encoding

    /// Enables the distributor and the boot CPU's interface with every priority unmasked, and
    /// enables the PPIs in `ppis`. For GICv2 leaves the CPU interface base in `gicCPURegister`.
    mutating func emitGICInit(_ gic: VMConfiguration.GICVersion, enabling ppis: [Int], gicCPURegister: Int) {
        let mask = ppis.reduce(UInt64(0)) { $0 | 1 << UInt64($1) }
        switch gic {
        case .v3:
            mov(0, VirtMemoryMap.gicDistributor.base)
            mov(1, 0x12) // GICD_CTLR: ARE, EnableGrp1
            strw(1, 0)
            mov(0, VirtMemoryMap.gicRedistributors.base)
            strw(A64Assembler.xzr, 0, offset: 0x14) // GICR_WAKER: awake
            mov(0, VirtMemoryMap.gicRedistributors.base + 0x1_0000) // SGI_base
            mov(1, 0xFFFF_FFFF)
            strw(1, 0, offset: 0x80) // GICR_IGROUPR0: group 1
            mov(1, mask)
            strw(1, 0, offset: 0x100) // GICR_ISENABLER0
            mov(1, 1)
            msr(Self.iccSRE, 1)
            isb()
            mov(1, 0xFF)
            msr(Self.iccPMR, 1)
            mov(1, 1)
            msr(Self.iccIGRPEN1, 1)
            isb()
        case .v2:
            mov(0, VirtMemoryMap.gicDistributor.base)
            mov(1, 1)
            strw(1, 0) // GICD_CTLR: enable
            mov(1, mask)
            strw(1, 0, offset: 0x100) // GICD_ISENABLER0
            mov(gicCPURegister, VirtMemoryMap.gicCPUInterface.base)
            mov(1, 0xFF)
            strw(1, gicCPURegister, offset: 0x04) // GICC_PMR
            mov(1, 1)
            strw(1, gicCPURegister) // GICC_CTLR: enable
        }
    }

    /// puts(x0): writes a NUL-terminated string to the PL011 whose base is in `uart`. Uses x1.
    mutating func emitPuts(_ entry: Label, uart: Int) {
        let loop = label(), done = label()
        bind(entry)
        bind(loop)
        ldrb(1, 0)
        cbz(1, done)
        strw(1, uart)
        add(0, 0, imm: 1)
        b(loop)
        bind(done)
        ret()
    }

    /// printDecimal(x0): writes x0 in decimal to the PL011 in `uart`. Uses x0–x5 and 32 bytes of stack.
    mutating func emitPrintDecimal(_ entry: Label, uart: Int) {
        let digit = label(), emit = label()
        bind(entry)
        add(2, A64Assembler.sp, imm: 0) // x2: end of the digit buffer
        sub(A64Assembler.sp, A64Assembler.sp, imm: 32)
        movr(3, 2)
        mov(4, 10)
        bind(digit)
        udiv(1, 0, 4)
        msub(5, 1, 4, 0) // x5 = x0 - (x0 / 10) * 10
        add(5, 5, imm: 0x30)
        sub(3, 3, imm: 1)
        strb(5, 3)
        movr(0, 1)
        cbnz(0, digit)
        bind(emit)
        ldrb(5, 3)
        strw(5, uart)
        add(3, 3, imm: 1)
        cmp(3, 2)
        b(.ne, emit)
        add(A64Assembler.sp, A64Assembler.sp, imm: 32)
        ret()
    }

    /// PSCI SYSTEM_OFF through HVC, forever.
    mutating func emitPowerOff(_ entry: Label) {
        bind(entry)
        mov(0, 0x8400_0008)
        hvc(0)
        b(entry)
    }

    /// A vector table at the next 2 KiB boundary whose every entry branches to `handler`,
    /// except "current EL with SP_ELx, IRQ" which branches to `irq`. Returns its label.
    mutating func emitVectorTable(sync handler: Label, irq: Label) -> Label {
        align(0x800)
        let base = offset
        let table = label()
        bind(table)
        for entry in 0..<16 {
            b(entry == 5 ? irq : handler)
            align(base + 0x80 * (entry + 1))
        }
        return table
    }
}

extension A64Assembler {
    /// The 64-byte Linux arm64 Image header (Documentation/arm64/booting.rst) with `entry` as
    /// code0's branch target, so the built-in guests load the same way on ArmVM and QEMU.
    /// text_offset 0, image_size 1 MiB, flags: little-endian, placement anywhere.
    mutating func emitImageHeader(entry: Label) {
        b(entry)                 // code0
        emit(0)                  // code1
        emit(0); emit(0)         // text_offset
        emit(0x10_0000); emit(0) // image_size
        emit(0x8); emit(0)       // flags
        for _ in 0..<6 { emit(0) } // res2, res3, res4
        emit(0x644D_5241)        // magic "ARM\x64"
        emit(0)                  // res5
    }

    /// Sets SP to a fixed place 64 MiB into RAM, clear of any image or DTB placement.
    mutating func emitStackSetUp() {
        mov(0, VirtMemoryMap.ramBase + 0x400_0000)
        add(A64Assembler.sp, 0, imm: 0)
    }
}
