/// Conversion between counter ticks and nanoseconds at a fixed frequency.
///
/// Both directions go through a 128-bit intermediate (`multipliedFullWidth`) because
/// `ticks × 1_000_000_000` overflows 64 bits after 18 s at 1 GHz. Results that do not fit are
/// reported, never wrapped: a wrapped deadline would turn "in 500 years" into "now".
public struct TickScale: Sendable, Equatable, Hashable {
    public static let nanosecondsPerSecond: UInt64 = 1_000_000_000

    /// Ticks per second; never zero (a zero request is taken as 1 Hz rather than dividing by it).
    public let frequency: UInt64

    public init(frequency: UInt64) {
        self.frequency = max(frequency, 1)
    }

    /// The tick count reached after `nanoseconds`: floor(ns × f / 10⁹), saturating at the top.
    @inline(__always)
    public func ticks(fromNanoseconds nanoseconds: UInt64) -> UInt64 {
        if frequency == Self.nanosecondsPerSecond { return nanoseconds }
        return Self.multiplyDivide(nanoseconds, frequency, Self.nanosecondsPerSecond, roundUp: false)
            ?? .max
    }

    /// The first nanosecond at which the count has reached `ticks`: ceil(ticks × 10⁹ / f), so
    /// that `ticks(fromNanoseconds: nanoseconds(fromTicks: t)!) >= t`; a wake at that moment is
    /// never early. Nil when the moment is beyond 2⁶⁴ − 1 ns.
    @inline(__always)
    public func nanoseconds(fromTicks ticks: UInt64) -> UInt64? {
        if frequency == Self.nanosecondsPerSecond { return ticks }
        return Self.multiplyDivide(ticks, Self.nanosecondsPerSecond, frequency, roundUp: true)
    }

    /// a × b / c in 128-bit precision; nil when the quotient does not fit in 64 bits.
    static func multiplyDivide(_ a: UInt64, _ b: UInt64, _ c: UInt64, roundUp: Bool) -> UInt64? {
        let product = a.multipliedFullWidth(by: b)
        // dividingFullWidth traps when the quotient overflows; high < divisor rules that out.
        guard c != 0, product.high < c else { return nil }
        let (quotient, remainder) = c.dividingFullWidth(product)
        guard roundUp, remainder != 0 else { return quotient }
        let (rounded, overflow) = quotient.addingReportingOverflow(1)
        return overflow ? nil : rounded
    }
}
