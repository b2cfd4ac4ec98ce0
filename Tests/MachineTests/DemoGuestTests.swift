import AArch64
import Synchronization
import Testing
@testable import Machine

/// Collects a guest's console output.
final class ConsoleCapture: Sendable {
    private let bytes = Mutex<[UInt8]>([])
    var sink: @Sendable (UInt8) -> Void { { byte in self.bytes.withLock { $0.append(byte) } } }
    var text: String { String(decoding: bytes.withLock { $0 }, as: UTF8.self) }
}

/// The number printed after `prefix` on one line of `text`.
func number(after prefix: String, in text: String) -> Int? {
    guard let range = text.range(of: prefix) else { return nil }
    return Int(text[range.upperBound...].prefix { $0.isNumber })
}

struct DemoGuestTests {
    @Test(arguments: [VMConfiguration.GICVersion.v2, .v3], [VMConfiguration.ClockMode.host, .deterministic])
    func bothTimersInterruptThroughTheGIC(gic: VMConfiguration.GICVersion, clock: VMConfiguration.ClockMode) throws {
        let console = ConsoleCapture()
        var configuration = VMConfiguration(kernel: DemoGuest.image(gic: gic))
        configuration.gicVersion = gic
        configuration.clock = clock
        configuration.console = console.sink
        let vm = try VirtualMachine(configuration: configuration)
        #expect(vm.run() == .systemOff)

        let text = console.text
        let physical = try #require(number(after: "(PPI 30) taken after ", in: text))
        let virtual = try #require(number(after: "(PPI 27) taken after ", in: text))
        // Armed at 5 ms and 10 ms: neither may come early. How late they come depends on the
        // host's load with the host clock; with the deterministic clock it is exact.
        #expect(physical >= 5_000)
        #expect(virtual >= 10_000)
        if clock == .deterministic {
            #expect(physical == 5_000)
            #expect(virtual == 10_000)
        }
        #expect(text.contains("Both timers delivered their interrupts"))

        // The physical timer was trapped and emulated; the virtual timer never left the CPU.
        let stats = vm.statistics
        #expect(stats.trappedRegisters[.CNTP_TVAL_EL0] == 1)
        #expect(stats.trappedRegisters[.CNTP_CTL_EL0] == 2)
        #expect(stats.trappedRegisters[.CNTV_CTL_EL0] == nil)
        #expect(stats.trappedRegisters[.CNTV_TVAL_EL0] == nil)
        #expect(stats.trappedRegisters[.CNTVCT_EL0] == nil)
    }

    @Test func deterministicClockGivesIdenticalOutputTwice() throws {
        func runOnce() throws -> String {
            let console = ConsoleCapture()
            var configuration = VMConfiguration(kernel: DemoGuest.image(gic: .v3))
            configuration.clock = .deterministic
            configuration.console = console.sink
            let vm = try VirtualMachine(configuration: configuration)
            #expect(vm.run() == .systemOff)
            return console.text
        }
        let first = try runOnce()
        #expect(first.contains("(PPI 30) taken after"))
        #expect(try runOnce() == first)
    }
}
