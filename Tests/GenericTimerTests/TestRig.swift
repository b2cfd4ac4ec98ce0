import Synchronization
import Testing
@testable import GenericTimer

/// Records every level driven onto a line, as a level-sensitive GIC input would see it.
final class LineRecorder: Sendable {
    struct Event: Equatable, Sendable {
        let ppi: Int
        let level: Bool
    }

    private let events = Mutex<[Event]>([])

    var output: VCPUTimers.Output {
        { [self] ppi, level in events.withLock { $0.append(Event(ppi: ppi, level: level)) } }
    }

    var all: [Event] { events.withLock { $0 } }

    /// The level the line was last driven to (false if never driven).
    func level(_ ppi: Int) -> Bool {
        events.withLock { $0.last { $0.ppi == ppi }?.level ?? false }
    }

    /// How many times the line went from low to high.
    func risingEdges(_ ppi: Int) -> Int {
        var level = false, edges = 0
        for event in all where event.ppi == ppi {
            if event.level && !level { edges += 1 }
            level = event.level
        }
        return edges
    }

    func clear() { events.withLock { $0.removeAll() } }
}

/// One vCPU's timers on a manual clock; 1 GHz so ticks read as nanoseconds.
struct Rig {
    static let frequency: UInt64 = 1_000_000_000
    static let millisecond: UInt64 = 1_000_000

    let source: ManualCounterSource
    let counter: SystemCounter
    let lines = LineRecorder()
    let timers: VCPUTimers

    init(start: UInt64 = 0, hostFrequency: UInt64? = nil) {
        source = ManualCounterSource(ticks: start, hostFrequency: hostFrequency)
        counter = SystemCounter(frequency: Self.frequency, source: source)
        timers = VCPUTimers(counter: counter, output: lines.output)
    }

    func advance(_ ticks: UInt64) {
        source.advance(by: ticks)
        timers.update()
    }

    /// Makes `kind`'s count read `value`, the way KVM's selftest moves it (TIMER_CNT /
    /// PTIMER_CNT).
    func setCount(_ kind: TimerKind, _ value: UInt64) {
        switch kind {
        case .virtual: counter.setVirtualCount(value)
        case .physical: counter.setPhysicalCount(value)
        }
    }

    func count(_ kind: TimerKind) -> UInt64 { timers.read(kind.countRegister) }
    func control(_ kind: TimerKind) -> UInt64 { timers.read(kind.controlRegister) }
    func tval(_ kind: TimerKind) -> UInt64 { timers.read(kind.timerValueRegister) }
    func cval(_ kind: TimerKind) -> UInt64 { timers.read(kind.compareRegister) }
    func setControl(_ kind: TimerKind, _ value: UInt64) { timers.write(kind.controlRegister, value: value) }
    func setCVAL(_ kind: TimerKind, _ value: UInt64) { timers.write(kind.compareRegister, value: value) }
    func setTVAL(_ kind: TimerKind, _ value: Int32) {
        timers.write(kind.timerValueRegister, value: UInt64(UInt32(bitPattern: value)))
    }
    func line(_ kind: TimerKind) -> Bool { lines.level(kind.ppi) }
    func istatus(_ kind: TimerKind) -> Bool { control(kind) & TimerControl.istatus != 0 }
}

extension TimerKind {
    var controlRegister: TimerRegister { self == .virtual ? .virtualControl : .physicalControl }
    var compareRegister: TimerRegister { self == .virtual ? .virtualCompare : .physicalCompare }
    var timerValueRegister: TimerRegister {
        self == .virtual ? .virtualTimerValue : .physicalTimerValue
    }
    var countRegister: TimerRegister { self == .virtual ? .virtualCount : .physicalCount }
    var ppi: Int { self == .virtual ? 27 : 30 }
    var other: TimerKind { self == .virtual ? .physical : .virtual }
}

/// Polls `condition` every millisecond for up to `seconds`: for the background thread, whose
/// speed is not what these tests check.
func eventually(seconds: Double = 5, _ condition: () -> Bool) async -> Bool {
    let deadline = monotonicNanoseconds() + UInt64(seconds * 1e9)
    while monotonicNanoseconds() < deadline {
        if condition() { return true }
        try? await Task.sleep(nanoseconds: 1_000_000)
    }
    return condition()
}
