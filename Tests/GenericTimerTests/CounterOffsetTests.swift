import Synchronization
import Testing
@testable import GenericTimer

/// The VM-wide offsets: one source of truth seen by every vCPU, and armed timers that follow it.
@Suite struct CounterOffsetTests {
    static let enable = TimerControl.enable

    /// Four vCPUs of one VM.
    struct VM {
        let source = ManualCounterSource(ticks: 1_000_000)
        let counter: SystemCounter
        let lines: [LineRecorder]
        let vcpus: [VCPUTimers]

        init(count: Int = 4) {
            let counter = SystemCounter(source: source)
            let lines = (0..<count).map { _ in LineRecorder() }
            self.counter = counter
            self.lines = lines
            vcpus = lines.map { VCPUTimers(counter: counter, output: $0.output) }
        }
    }

    @Test func everyVCPUSeesAnOffsetChangeAtOnce() {
        let vm = VM()
        vm.counter.setVirtualCount(42)
        #expect(vm.vcpus.map { $0.read(.virtualCount) } == [42, 42, 42, 42])
        #expect(vm.vcpus.map { $0.read(.physicalCount) } == [1_000_000, 1_000_000, 1_000_000, 1_000_000])
        vm.counter.setPhysicalCount(500)
        // CNTVOFF is kept: the virtual count moves with the physical one.
        #expect(vm.vcpus.map { $0.read(.physicalCount) } == [500, 500, 500, 500])
        let virtualCount: UInt64 = 500 &- (1_000_000 - 42)
        #expect(vm.vcpus.map { $0.read(.virtualCount) } == Array(repeating: virtualCount, count: 4))
        #expect(vm.counter.virtualOffset == 1_000_000 - 42)
        #expect(vm.counter.vmOffset == 999_500)
        vm.source.advance(by: 10)
        #expect(vm.vcpus.map { $0.read(.virtualCount) } == Array(repeating: virtualCount &+ 10, count: 4))
    }

    @Test func offsetsComposeAsTheArchitectureSays() {
        let source = ManualCounterSource(ticks: 10)
        let counter = SystemCounter(source: source)
        counter.setVMOffset(20)       // physical = 10 − 20, wrapping
        counter.setVirtualOffset(5)   // virtual = physical − 5
        #expect(counter.physicalCount == UInt64.max - 9)
        #expect(counter.virtualCount == UInt64.max - 14)
        #expect(counter.offset(for: .physical) == 20)
        #expect(counter.offset(for: .virtual) == 25)
        let sample = counter.sample()
        #expect(sample.sourceTicks == 10 && sample.count(for: .virtual) == UInt64.max - 14)
    }

    @Test func changingAnOffsetMovesAnArmedDeadline() {
        let vm = VM(count: 2)
        vm.counter.setVirtualCount(0)
        for vcpu in vm.vcpus {
            vcpu.write(.virtualCompare, value: 1_000)
            vcpu.write(.virtualControl, value: Self.enable)
        }
        #expect(vm.vcpus.map { $0.earliestDeadline() } == [1_001_000, 1_001_000])
        vm.counter.setVirtualCount(500)  // the virtual count jumps forward by 500
        #expect(vm.vcpus.map { $0.earliestDeadline() } == [1_000_500, 1_000_500])
        // The physical timer's deadline does not depend on CNTVOFF.
        vm.vcpus[0].write(.physicalCompare, value: 1_000_300)
        vm.vcpus[0].write(.physicalControl, value: Self.enable)
        #expect(vm.vcpus[0].earliestDeadline() == 1_000_300)
        vm.counter.setVirtualCount(0)  // back again: the virtual deadline moves later
        #expect(vm.vcpus[0].earliestDeadline() == 1_000_300)
        #expect(vm.vcpus[1].earliestDeadline() == 1_001_000)
    }

    @Test func changingAnOffsetAssertsAndDeassertsLinesOnEveryVCPU() {
        let vm = VM(count: 3)
        vm.counter.setVirtualCount(0)
        for vcpu in vm.vcpus {
            vcpu.write(.virtualCompare, value: 1_000)
            vcpu.write(.virtualControl, value: Self.enable)
        }
        #expect(vm.lines.allSatisfy { !$0.level(27) })
        // No update() call: the counter notifies every vCPU's timers itself.
        vm.counter.setVirtualCount(1_000)
        #expect(vm.lines.allSatisfy { $0.level(27) })
        #expect(vm.vcpus.allSatisfy { $0.read(.virtualControl) & TimerControl.istatus != 0 })
        vm.counter.setVirtualCount(999)
        #expect(vm.lines.allSatisfy { !$0.level(27) })
        // Moving the VM offset moves the virtual count too.
        vm.counter.setVMOffset(vm.counter.vmOffset &- 1)
        #expect(vm.lines.allSatisfy { $0.level(27) })
        #expect(vm.lines.allSatisfy { $0.risingEdges(27) == 2 })
    }

    @Test func listenersCanBeRemoved() {
        let counter = SystemCounter(source: ManualCounterSource())
        let calls = Mutex(0)
        let token = counter.addOffsetListener { calls.withLock { $0 += 1 } }
        counter.setVMOffset(1)
        counter.setVirtualOffset(2)
        counter.removeOffsetListener(token)
        counter.setVMOffset(3)
        #expect(calls.withLock { $0 } == 2)
    }

    @Test func aReleasedVCPUStopsListening() {
        let source = ManualCounterSource()
        let counter = SystemCounter(source: source)
        var timers: VCPUTimers? = VCPUTimers(counter: counter)
        weak let weakTimers = timers
        timers = nil
        #expect(weakTimers == nil)
        counter.setVMOffset(7)  // must not reach the released object
        #expect(counter.physicalCount == 0 &- 7)
    }

    @Test func frequencyIsClampedToThe32BitRegister() {
        #expect(SystemCounter(frequency: 1 << 40, source: ManualCounterSource()).frequency == 0xFFFF_FFFF)
        #expect(SystemCounter(frequency: 0, source: ManualCounterSource()).frequency == 1)
        #expect(SystemCounter(frequency: 62_500_000).frequency == 62_500_000)
    }

    @Test func concurrentOffsetChangesLeaveOneConsistentValue() async {
        let vm = VM(count: 2)
        await withTaskGroup(of: Void.self) { group in
            for value in 0..<8 {
                group.addTask { vm.counter.setVirtualCount(UInt64(value) * 1_000) }
            }
        }
        let counts = vm.vcpus.map { $0.read(.virtualCount) }
        #expect(counts[0] == counts[1])
        #expect(counts[0] % 1_000 == 0 && counts[0] < 8_000)
    }
}
