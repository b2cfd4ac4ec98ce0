/// How vCPU indices map to MPIDR affinity values. The device tree's `/cpus/cpu@N/reg`, the
/// CPU's MPIDR_EL1, PSCI CPU_ON target ids and GICv3 affinity routing must all agree, so every
/// one of them calls these functions.
///
/// QEMU's virt (`virt_cpu_mp_affinity`) groups vCPUs into clusters of 16 for GICv3 (8 for
/// GICv2, whose 8-CPU limit makes the two rules give the same values): Aff0 = index % 16,
/// Aff1 = index / 16. We follow it so guests see the same topology as on QEMU.
public enum VirtCPUTopology {
    /// vCPUs per Aff1 cluster.
    public static let clusterSize = 16

    /// The affinity fields (Aff1, Aff0) of vCPU `index`: the value of `/cpus/cpu@…/reg` and of
    /// PSCI CPU_ON's target_cpu argument.
    public static func affinity(forVCPU index: Int) -> UInt64 {
        let i = UInt64(max(0, index))
        return (i / UInt64(clusterSize)) << 8 | (i % UInt64(clusterSize))
    }

    /// The full MPIDR_EL1 value of vCPU `index`: the affinity with bit 31 (RES1) set; U = 0
    /// (part of a multiprocessor system), MT = 0.
    public static func mpidr(forVCPU index: Int) -> UInt64 {
        0x8000_0000 | affinity(forVCPU: index)
    }

    /// The vCPU index owning an affinity value (PSCI CPU_ON target, GIC routing), or nil when no
    /// vCPU of a `vcpuCount`-vCPU machine has it. Bits outside Aff3..Aff0 are ignored, as the
    /// PSCI specification asks.
    public static func vcpuIndex(forAffinity value: UInt64, vcpuCount: Int) -> Int? {
        let aff0 = value & 0xFF
        let aff1 = (value >> 8) & 0xFF
        let aff2 = (value >> 16) & 0xFF
        let aff3 = (value >> 32) & 0xFF
        guard aff2 == 0, aff3 == 0, aff0 < UInt64(clusterSize) else { return nil }
        let index = Int(aff1) * clusterSize + Int(aff0)
        return index < vcpuCount ? index : nil
    }
}
