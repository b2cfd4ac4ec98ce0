import Glibc
import Machine

/// Feeds standard input to the guest's PL011. When standard input is a terminal it is put in
/// raw mode so a guest shell works interactively, and Ctrl-A x quits, as in QEMU.
final class ConsoleInput: @unchecked Sendable {
    private let vm: VirtualMachine
    private var savedTerminal = termios()
    private var isRaw = false

    init(vm: VirtualMachine) { self.vm = vm }

    func start() {
        if isatty(0) != 0, tcgetattr(0, &savedTerminal) == 0 {
            var raw = savedTerminal
            cfmakeraw(&raw)
            raw.c_oflag |= tcflag_t(OPOST) // keep "\n" → "\r\n" on output
            if tcsetattr(0, TCSANOW, &raw) == 0 { isRaw = true }
        }
        let vm = self.vm
        let interactive = isRaw
        var thread = pthread_t()
        let box = Unmanaged.passRetained(InputLoop(vm: vm, interactive: interactive))
        if pthread_create(&thread, nil, { raw in
            let loop = Unmanaged<InputLoop>.fromOpaque(raw!).takeRetainedValue()
            loop.run()
            return nil
        }, box.toOpaque()) == 0 {
            pthread_detach(thread)
        } else {
            box.release()
        }
    }

    func stop() {
        if isRaw { tcsetattr(0, TCSANOW, &savedTerminal) }
    }
}

private final class InputLoop: @unchecked Sendable {
    let vm: VirtualMachine
    let interactive: Bool
    init(vm: VirtualMachine, interactive: Bool) { self.vm = vm; self.interactive = interactive }

    func run() {
        var buffer = [UInt8](repeating: 0, count: 256)
        var escape = false
        while true {
            let n = read(0, &buffer, buffer.count)
            if n <= 0 { return }
            var forward: [UInt8] = []
            for byte in buffer[0..<n] {
                if interactive && escape {
                    escape = false
                    if byte == UInt8(ascii: "x") { vm.stop(); return }
                    if byte != 0x01 { forward.append(0x01) }
                    forward.append(byte)
                } else if interactive && byte == 0x01 {
                    escape = true
                } else {
                    forward.append(byte)
                }
            }
            if !forward.isEmpty { vm.receiveConsoleInput(forward) }
        }
    }
}
