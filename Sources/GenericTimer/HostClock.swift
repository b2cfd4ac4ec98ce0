import CHostClock
import Glibc

/// The VMM's one host time domain: nanoseconds that follow `CLOCK_MONOTONIC`, read from the
/// CPU's cycle counter when the host lets us trust it.
///
/// Why: the guest's counter is read on every CNTPCT/CNTVCT/TVAL access, and `clock_gettime`
/// costs ~30 ns on the reference host where an LFENCE+RDTSC costs ~12 ns. The counter is
/// converted with a multiply and a shift calibrated once per process against `CLOCK_MONOTONIC`,
/// so the clock is continuous and monotonic; its rate may differ from the kernel's by the
/// calibration error (a few ppm) and by NTP slewing, which only matters for *durations* slept
/// on kernel clocks — `WakeupEvent` converts its deadlines to a remaining duration for that.
///
/// It falls back to `clock_gettime(CLOCK_MONOTONIC)` when the counter cannot be trusted: not
/// x86-64/AArch64, no `constant_tsc`/`nonstop_tsc`, a kernel clocksource other than the counter
/// (the kernel found it unstable or unsynchronised across CPUs), a calibration that makes no
/// sense, or `ARMVM_HOST_CLOCK=monotonic` in the environment.
public struct HostClock: Sendable {
    /// Whether `nanoseconds()` reads the cycle counter (false: `clock_gettime`).
    public let usesCycleCounter: Bool
    /// Cycle counter value and `CLOCK_MONOTONIC` time at calibration.
    let baseCycles: UInt64
    let baseNanoseconds: UInt64
    /// Nanoseconds per cycle as a 32.32 fixed-point number.
    let multiplier: UInt64

    public static let fractionBits: UInt64 = 32

    /// The clock every host deadline of this process is expressed in (see `monotonicNanoseconds`).
    public static let process: HostClock = {
        let environment = getenv("ARMVM_HOST_CLOCK").map { String(cString: $0) }
        guard environment != "monotonic",
              isCycleCounterUsable(cpuFlags: cpuFlags(), clocksource: currentClocksource()) else {
            return .systemMonotonic
        }
        return calibrated() ?? .systemMonotonic
    }()

    /// The fallback: `clock_gettime(CLOCK_MONOTONIC)` on every read.
    public static let systemMonotonic = HostClock(usesCycleCounter: false, baseCycles: 0,
                                                  baseNanoseconds: 0, multiplier: 0)

    /// Now, in this clock's nanoseconds.
    @inline(__always)
    public func nanoseconds() -> UInt64 {
        usesCycleCounter ? nanoseconds(atCycles: chc_cycle_counter()) : Self.kernelMonotonic()
    }

    /// Now, read without ordering against earlier instructions (see
    /// `chc_cycle_counter_unordered`): what a guest counter read uses. The Arm ARM lets a
    /// CNTPCT_EL0/CNTVCT_EL0 read happen speculatively and out of order unless an ISB orders it,
    /// so the guest sees nothing hardware would not show it; host deadlines compared across
    /// threads use the ordered `nanoseconds()`.
    @inline(__always)
    public func unorderedNanoseconds() -> UInt64 {
        usesCycleCounter ? nanoseconds(atCycles: chc_cycle_counter_unordered()) : Self.kernelMonotonic()
    }

    /// The time at a cycle-counter value: base + (cycles − base) × multiplier >> 32, through a
    /// 128-bit product (no overflow for centuries). A value below the base (a CPU whose counter
    /// lags the calibrating one) reads as the base rather than wrapping to the far future.
    @inline(__always)
    func nanoseconds(atCycles cycles: UInt64) -> UInt64 {
        let elapsed = cycles >= baseCycles ? cycles &- baseCycles : 0
        let product = elapsed.multipliedFullWidth(by: multiplier)
        return baseNanoseconds &+ (product.high << (64 - Self.fractionBits)
            | product.low >> Self.fractionBits)
    }

    /// `clock_gettime(CLOCK_MONOTONIC)` in nanoseconds.
    @inline(__always)
    public static func kernelMonotonic() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(truncatingIfNeeded: time.tv_sec) &* TickScale.nanosecondsPerSecond
            &+ UInt64(truncatingIfNeeded: time.tv_nsec)
    }

    // MARK: Choosing and calibrating

    /// Whether the kernel vouches for the cycle counter: on x86-64 the TSC must be invariant
    /// (`constant_tsc` and `nonstop_tsc` in the CPU flags) and the kernel's clocksource must be
    /// `tsc` (the kernel drops it when it finds the TSC unsynchronised or unstable); on AArch64
    /// the clocksource must be the architected counter.
    public static func isCycleCounterUsable(cpuFlags: Set<Substring>, clocksource: String) -> Bool {
        guard chc_has_cycle_counter() != 0 else { return false }
        #if arch(x86_64)
        return cpuFlags.contains("constant_tsc") && cpuFlags.contains("nonstop_tsc") && clocksource == "tsc"
        #else
        return clocksource == "arch_sys_counter"
        #endif
    }

    /// Measures the cycle counter against `CLOCK_MONOTONIC` over `interval` nanoseconds; nil when
    /// the result is not a plausible counter (not advancing, or slower than 1 MHz / faster than
    /// 100 GHz). Each end is the tightest of several (counter, clock, counter) brackets, so the
    /// rate is off by about (bracket width / interval): a few ppm over 10 ms.
    public static func calibrated(interval: UInt64 = 10_000_000) -> HostClock? {
        guard chc_has_cycle_counter() != 0 else { return nil }
        let start = bracketedSample()
        while kernelMonotonic() &- start.nanoseconds < interval {}
        let end = bracketedSample()
        guard end.cycles > start.cycles, end.nanoseconds > start.nanoseconds else { return nil }
        let cycles = end.cycles &- start.cycles
        let nanoseconds = end.nanoseconds &- start.nanoseconds
        // Both plausible-rate bounds also keep the 32.32 multiplier in range.
        guard cycles >= nanoseconds / 1_000, cycles <= nanoseconds &* 100 else { return nil }
        let (quotient, _) = cycles.dividingFullWidth((high: nanoseconds >> 32, low: nanoseconds << 32))
        return HostClock(usesCycleCounter: true, baseCycles: end.cycles,
                         baseNanoseconds: end.nanoseconds, multiplier: quotient)
    }

    /// A (cycles, CLOCK_MONOTONIC) pair taken as close together as this host allows.
    private static func bracketedSample() -> (cycles: UInt64, nanoseconds: UInt64) {
        var best: (width: UInt64, cycles: UInt64, nanoseconds: UInt64) = (.max, 0, 0)
        for _ in 0..<16 {
            let before = chc_cycle_counter()
            let nanoseconds = kernelMonotonic()
            let after = chc_cycle_counter()
            let width = after &- before
            if width < best.width { best = (width, before &+ width / 2, nanoseconds) }
        }
        return (best.cycles, best.nanoseconds)
    }

    private static func cpuFlags() -> Set<Substring> {
        guard let text = readSmallFile("/proc/cpuinfo"),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") }),
              let colon = line.firstIndex(of: ":") else { return [] }
        return Set(line[line.index(after: colon)...].split(separator: " "))
    }

    private static func currentClocksource() -> String {
        let path = "/sys/devices/system/clocksource/clocksource0/current_clocksource"
        return String((readSmallFile(path) ?? "").filter { !$0.isWhitespace })
    }

    private static func readSmallFile(_ path: String) -> String? {
        guard let file = fopen(path, "r") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while bytes.count < 1 << 20 {
            let count = fread(&buffer, 1, buffer.count, file)
            if count <= 0 { break }
            bytes += buffer[0..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// Now, in the VMM's one host time domain (`HostClock.process`): every host deadline — a
/// counter source's `hostNanoseconds(whenTicksReach:)`, `VCPUTimers.nextRiseHostNanoseconds`,
/// background-timer entries, the vCPU's WFI spins, `WakeupEvent` deadlines — is in it, so they
/// all compare with each other. It follows `CLOCK_MONOTONIC` (same origin at calibration, same
/// rate within a few ppm) but is not it: convert to a duration before handing a deadline to a
/// kernel clock.
@inline(__always)
public func monotonicNanoseconds() -> UInt64 {
    HostClock.process.nanoseconds()
}
