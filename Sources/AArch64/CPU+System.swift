// Owner: system work. MRS/MSR (register and PSTATE forms), hints, barriers, CLREX, SYS/SYSL
// maintenance (DC, IC, TLBI, AT), and the system-register table.
extension CPU {
    func executeSystem(_ instruction: UInt32) {
        undefined()
    }
}
