/// C entry points for the VMM calls the CPU makes on every timer access: a trapped CNTP_*
/// access (`TrapFastPath`) and a direct CNTV_*/CNTPCT access (`DirectSystemRegisterDevice`).
///
/// Why not the protocols themselves: calling through a stored class existential — strong or
/// `unowned(unsafe)` — retains and releases the object around the call, and the Machine's
/// objects have weak references, so their counts live in a side table: ~170 host instructions
/// per access, more than the emulation. A non-class box instead copies through value-witness
/// calls. Plain C function pointers and an unretained address are trivial values: loading them
/// is two moves and the call is one indirect call. The object's owner keeps it alive.
public struct DirectEntryPoints: Sendable {
    /// Reads `encoding` (a `SystemRegister.encoding`) into `value`; false to decline.
    public typealias Read = @convention(c) (UnsafeMutableRawPointer, UInt16, UnsafeMutablePointer<UInt64>) -> Bool
    /// Writes `value` to `encoding`; false to decline.
    public typealias Write = @convention(c) (UnsafeMutableRawPointer, UInt16, UInt64) -> Bool

    public let read: Read
    public let write: Write

    public init(read: Read, write: Write) {
        self.read = read
        self.write = write
    }
}

/// An entry-point pair bound to one object, as the CPU stores it.
struct DirectHandler {
    let context: UnsafeMutableRawPointer
    let entryPoints: DirectEntryPoints

    init(_ object: AnyObject, _ entryPoints: DirectEntryPoints) {
        context = Unmanaged.passUnretained(object).toOpaque()
        self.entryPoints = entryPoints
    }

    @inline(__always)
    func read(_ register: SystemRegister) -> UInt64? {
        var value: UInt64 = 0
        return entryPoints.read(context, register.encoding, &value) ? value : nil
    }

    @inline(__always)
    func write(_ register: SystemRegister, value: UInt64) -> Bool {
        entryPoints.write(context, register.encoding, value)
    }
}

/// A `SystemRegisterDevice` the CPU can call through C entry points (see `DirectEntryPoints`);
/// a read or write that declines is UNDEFINED, as `handles` false is.
public protocol DirectSystemRegisterDevice: SystemRegisterDevice {
    static var directEntryPoints: DirectEntryPoints { get }
}
