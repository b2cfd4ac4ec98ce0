import Dispatch
import Synchronization
import TestSupport
@testable import Machine

/// What a guest program did on the whole 'virt' board.
struct BoardGuestRun {
    let exit: VMExit
    let output: String
    let statistics: ExitStatistics
    /// The last line the guest printed: "PASS" or "FAIL: reason" by the guests' convention.
    var verdict: String { guestVerdict(output) }
}

/// Builds a guest program from `guests/` (with the runtime) and runs it on a full VM: CPU,
/// GIC, timers, PL011, PSCI. A watchdog stops a guest that hangs, so no test can hang.
func runOnBoard(_ sources: [String], defines: [String] = [], timeoutSeconds: Double = 60,
                configure: (inout VMConfiguration) -> Void = { _ in }) throws -> BoardGuestRun {
    let image = try GuestBuilder.build(sources, defines: defines)
    let console = ConsoleCapture()
    var configuration = VMConfiguration(kernel: image.bytes)
    configuration.console = console.sink
    configure(&configuration)
    let vm = try VirtualMachine(configuration: configuration)
    let exit = runWithWatchdog(vm, timeoutSeconds: timeoutSeconds)
    return BoardGuestRun(exit: exit, output: console.text, statistics: vm.statistics)
}

/// Runs `vm` to its end, stopping it with a guest error if it runs longer than
/// `timeoutSeconds`, so no test can hang.
func runWithWatchdog(_ vm: VirtualMachine, timeoutSeconds: Double) -> VMExit {
    let finished = Atomic<Bool>(false)
    DispatchQueue.global().asyncAfter(deadline: .now() + timeoutSeconds) { [weak vm] in
        if !finished.load(ordering: .acquiring) {
            vm?.requestStop(.guestError("watchdog: the guest ran longer than \(timeoutSeconds) s"))
        }
    }
    let exit = vm.run()
    finished.store(true, ordering: .releasing)
    return exit
}
