import AArch64
import Devices

/// The board's answer to `PSCIPlatform`: MPIDR lookup by the virt CPU topology, and entry
/// points that must lie in RAM.
struct VirtPSCIPlatform: PSCIPlatform {
    let vcpuCount: Int
    let ramBase: UInt64
    let ramSize: UInt64

    func vcpuIndex(mpidr: UInt64) -> Int? { VirtCPUTopology.vcpuIndex(forAffinity: mpidr, vcpuCount: vcpuCount) }

    func isValidEntryPoint(_ address: UInt64) -> Bool {
        address >= ramBase && address - ramBase < ramSize && address % 4 == 0
    }
}

/// PSCI 1.0 firmware behind the configured conduit: the `Devices` PSCI logic decides, this
/// carries out what it decided on the vCPUs.
final class Firmware: @unchecked Sendable {
    let powerStates: PowerStateTable
    private let psci: PSCI
    /// Not reference-counted, as `VCPU.vm`: the VM owns this object and every PSCI call comes
    /// from one of its vCPU threads, which it joins before it goes.
    private unowned(unsafe) let vm: VirtualMachine

    init(vm: VirtualMachine) {
        self.vm = vm
        powerStates = PowerStateTable(count: vm.configuration.vcpuCount)
        psci = PSCI(powerStates: powerStates,
                    platform: VirtPSCIPlatform(vcpuCount: vm.configuration.vcpuCount,
                                               ramBase: vm.bus.ramBase, ramSize: vm.bus.ramSize),
                    // Like KVM: racing CPU_ONs see ALREADY_ON, not a brief ON_PENDING while the
                    // target's thread wakes.
                    targetsOnAtOnce: true)
    }

    /// Handles the PSCI call in the caller's x0–x3.
    func call(from vcpu: VCPU) -> VCPU.Next {
        let cpu = vcpu.cpu
        let result = psci.handle(functionID: cpu.regs[0], arguments: (cpu.regs[1], cpu.regs[2], cpu.regs[3]),
                                 caller: vcpu.index)
        switch result.action {
        case .none:
            cpu.regs[0] = result.x0
            return .run
        case let .powerOn(target, entry, context):
            cpu.regs[0] = result.x0
            vm.vcpus[target].requestStart(entry: entry, context: context)
            return .run
        case .powerOff:
            if powerStates.snapshot().allSatisfy({ $0 == .off }) {
                vm.requestStop(.stalled("every vCPU called PSCI CPU_OFF"))
                return .stop
            }
            return .powerOff
        case .systemOff:
            vm.requestStop(.systemOff)
            return .stop
        case .systemReset:
            vm.requestStop(.systemReset)
            return .stop
        case .suspend:
            cpu.regs[0] = result.x0
            return .wait
        }
    }
}
