import Synchronization
import Testing
@testable import GenericTimer

/// Register writes, expiries and offset changes from several threads at once: nothing deadlocks,
/// and afterwards the line the GIC last saw still follows the registers.
@Suite struct ConcurrencyTests {
    @Test func levelsAgreeWithRegistersAfterAStorm() async {
        let background = BackgroundTimer()
        defer { background.stop() }
        let counter = SystemCounter()  // host clock: expiries really happen
        let lines = [LineRecorder(), LineRecorder()]
        let vcpus = lines.map { VCPUTimers(counter: counter, output: $0.output) }
        for vcpu in vcpus { vcpu.attach(to: background) }

        await withTaskGroup(of: Void.self) { group in
            for (index, vcpu) in vcpus.enumerated() {
                group.addTask {
                    var seed = UInt64(index + 1) &* 0x9E37_79B9_7F4A_7C15
                    for _ in 0..<2_000 {
                        seed = seed &* 6364136223846793005 &+ 1442695040888963407
                        let kind: TimerKind = seed >> 63 == 0 ? .virtual : .physical
                        switch (seed >> 40) % 3 {
                        case 0:
                            vcpu.write(kind == .virtual ? .virtualTimerValue : .physicalTimerValue,
                                       value: (seed >> 8) % 200_000)  // up to 0.2 ms ahead
                        case 1:
                            vcpu.write(kind == .virtual ? .virtualControl : .physicalControl,
                                       value: (seed >> 20) & 3)
                        default:
                            _ = vcpu.read(kind == .virtual ? .virtualControl : .physicalControl)
                        }
                    }
                }
            }
            group.addTask {
                for step in 0..<200 {
                    counter.setVirtualCount(counter.physicalCount &- UInt64(step % 7) * 50_000)
                }
            }
        }

        // Quiet: no more expiries. Then drive each line to a known level: what the GIC saw last
        // must follow, whatever order the storm left things in.
        background.stop()
        for (vcpu, recorder) in zip(vcpus, lines) {
            for kind in TimerKind.allCases {
                let ppi = vcpu.context(kind).ppi
                vcpu.write(kind == .virtual ? .virtualControl : .physicalControl, value: TimerControl.imask)
                #expect(!recorder.level(ppi))
                vcpu.write(kind == .virtual ? .virtualCompare : .physicalCompare, value: 0)
                vcpu.write(kind == .virtual ? .virtualControl : .physicalControl, value: TimerControl.enable)
                #expect(recorder.level(ppi))
                #expect(vcpu.context(kind).outputLevel)
            }
        }
    }
}
