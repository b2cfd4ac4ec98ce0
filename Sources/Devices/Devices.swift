// The Devices module: board devices as plain register state machines (rust-vmm vm-superio
// style). A device owns no thread and does no host I/O; its interrupt line, its output and its
// clock are injected, so the Machine decides where bytes and levels go and tests can drive a
// device register by register. See docs/ARCHITECTURE.md.

/// An interrupt output wire. Devices call it with the new level only when the level changes,
/// with the device's lock held (so levels arrive in the order they were computed); the callee
/// must not call back into the same device.
public typealias InterruptLine = @Sendable (Bool) -> Void
