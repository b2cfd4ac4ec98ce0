import Dispatch
import Foundation
import Synchronization
import Testing
import TestSupport
@testable import Machine

/// Guest programs from `guests/board/` on the whole 'virt' board: PSCI CPU power management and
/// its error paths over both conduits, SYSTEM_RESET, the PL011 with interrupt-driven input, and
/// the device tree handed over in x0. Each guest checks itself (its last line is PASS or FAIL);
/// the host also checks the lines it printed against values worked out here.
@Suite struct BoardGuestTests {
    static let smpSources = ["board/psci_smp.c", "board/smp.c", "board/secondary.S"]

    /// Requires PASS, recording the whole output otherwise.
    private func expectPass(_ output: String, _ exit: VMExit, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(guestVerdict(output) == "PASS", "guest output:\n\(output)", sourceLocation: sourceLocation)
        #expect(exit == .systemOff, sourceLocation: sourceLocation)
    }

    private func cpuLines(_ output: String) -> [String] {
        output.split(separator: "\n").map(String.init).filter { $0.hasPrefix("cpu ") && $0.contains("mpidr") }
    }

    // MARK: PSCI

    @Test(arguments: [2, 4], [VMConfiguration.ClockMode.host, .deterministic])
    func cpuOnStartsEverySecondaryWithItsMPIDRAndContext(vcpus: Int, clock: VMConfiguration.ClockMode) throws {
        let run = try runOnBoard(Self.smpSources, defines: ["NCPUS=\(vcpus)"]) {
            $0.vcpuCount = vcpus
            $0.clock = clock
        }
        expectPass(run.output, run.exit)
        // vCPU i: MPIDR_EL1 = RES1 bit 31 | Aff0 = i; context ids as psci_smp.c passes them.
        var expected = (1..<vcpus).map { i in
            "cpu \(i) mpidr 0x\(String(0x8000_0000 | i, radix: 16)) context 0x\(String(0xC0DE_0000_0000_005A | UInt64(i) << 8, radix: 16))"
        }
        // Secondary 1 again after CPU_OFF, started with the SMC32 CPU_ON: context narrowed to W3.
        expected.append("cpu 1 mpidr 0x80000001 context 0x12345678")
        #expect(cpuLines(run.output) == expected)
        for line in ["version and features ok", "all cpus on", "error paths ok", "cpu 1 off"] {
            #expect(run.output.contains(line + "\n"), "missing '\(line)'")
        }
        // Every PSCI call went through HVC; no SMC reached the VMM.
        #expect(run.statistics.exits(.hypervisorCall) >= 20)
        #expect(run.statistics.exits(.secureMonitorCall) == 0)
    }

    @Test(arguments: [VMConfiguration.PSCIConduit.hvc, .smc])
    func onlyTheConfiguredConduitReachesTheFirmware(conduit: VMConfiguration.PSCIConduit) throws {
        let smc = conduit == .smc
        let run = try runOnBoard(["board/psci_conduit.c", "board/smp.c", "board/secondary.S"],
                                 defines: ["CONDUIT_SMC=\(smc ? 1 : 0)"]) {
            $0.vcpuCount = 2
            $0.psciConduit = conduit
        }
        expectPass(run.output, run.exit)
        #expect(run.output == """
            psci over \(conduit.rawValue): version 0x10000
            \(smc ? "hvc" : "smc") is undefined
            cpu 1 mpidr 0x80000001 context 0xfeedface0001
            cpu 1 off
            PASS

            """)
        // The wrong-conduit instruction still exits to the VMM, which makes it UNDEFINED.
        #expect(run.statistics.exits(smc ? .hypervisorCall : .secureMonitorCall) == 1)
    }

    @Test func systemResetEndsTheRunWithAResetRequest() throws {
        let run = try runOnBoard(["board/system_reset.c"])
        #expect(run.exit == .systemReset)
        #expect(run.exit.status == 3)
        #expect(run.output == "resetting\n")
    }

    @Test(arguments: [VMConfiguration.ClockMode.host, .deterministic])
    func cpuOffOfTheLastRunningCPUStallsTheMachine(clock: VMConfiguration.ClockMode) throws {
        let run = try runOnBoard(["board/cpu_off_all.c"]) { $0.clock = clock }
        guard case .stalled = run.exit else {
            Issue.record("expected a stall, got \(run.exit); output:\n\(run.output)")
            return
        }
        #expect(run.exit.status == 4)
        #expect(run.output == "turning the last cpu off\n")
    }

    // MARK: PL011

    @Test(arguments: [VMConfiguration.GICVersion.v2, .v3], [false, true])
    func uartReceiveInterruptEchoesHostInput(gic: VMConfiguration.GICVersion, fifo: Bool) throws {
        let image = try GuestBuilder.build(["board/uart_echo.c"],
                                           defines: ["GIC_V3=\(gic == .v3 ? 1 : 0)", "FIFO=\(fifo ? 1 : 0)"])
        var configuration = VMConfiguration(kernel: image.bytes)
        configuration.gicVersion = gic
        // More than the 1-character holding register and than the 32-entry FIFO: the rest waits
        // in the PL011's input queue and follows as the guest reads.
        let line = "hello from the host, in a line longer than the receive FIFO"
        let run = try runGuest(configuration, input: Array((line + "\r").utf8), after: "ready\n")
        expectPass(run.output, run.exit)
        #expect(run.output == """
            pl011 fr 0x90 part 0x011 designer 0x41
            ready
            echo: \(line)
            PASS

            """)
    }

    // MARK: Device tree in x0

    @Test(arguments: [(128 as UInt64) << 20, 1 << 30])
    func deviceTreeInX0DescribesTheMachineAndLiesInRAM(memory: UInt64) throws {
        let image = try GuestBuilder.build(["board/fdt_boot.c", "board/boot_entry.S"])
        // The runtime's _start reuses x0, so boot at boot_entry (which records x0-x3) instead:
        // the ELF file with e_entry pointed there.
        var elf = [UInt8](try Data(contentsOf: URL(fileURLWithPath: image.elfPath)))
        let entry = try #require(ELFSymbols.address(of: "boot_entry", in: elf), "boot_entry not in the ELF")
        for i in 0..<8 { elf[24 + i] = UInt8(truncatingIfNeeded: entry >> (8 * UInt64(i))) }

        var configuration = VMConfiguration(kernel: elf)
        configuration.memorySize = memory
        configuration.vcpuCount = 3
        configuration.bootargs = "console=ttyAMA0 earlycon"
        let run = try runGuest(configuration)
        expectPass(run.output, run.exit)
        #expect(run.bootInfo.entry == entry)
        #expect(run.output == """
            dtb at 0x\(String(run.bootInfo.dtbAddress, radix: 16)) size \(run.bootInfo.dtbSize)
            memory 0x40000000 size 0x\(String(memory, radix: 16))
            cpus 3
            psci method hvc
            bootargs console=ttyAMA0 earlycon
            PASS

            """)
        // booting.rst: the DTB within the first 512 MiB, on an 8-byte boundary.
        #expect(run.bootInfo.dtbAddress % 8 == 0)
        #expect(run.bootInfo.dtbAddress + UInt64(run.bootInfo.dtbSize) <= 0x4000_0000 + min(memory, 512 << 20))
    }
}

// MARK: - A board run with host input and the VM's boot information

/// What `runGuest` saw.
struct BoardGuestInputRun {
    let exit: VMExit
    let output: String
    let bootInfo: BootInfo
}

/// Runs `configuration` on the board like `runOnBoard`, and once the guest has printed `marker`
/// types `input` into its PL011 from another thread, as a user at the console would (the PL011
/// calls the console sink with its lock held, so the input must not be fed from inside it).
func runGuest(_ configuration: VMConfiguration, input: [UInt8] = [], after marker: String = "",
              timeoutSeconds: Double = 60) throws -> BoardGuestInputRun {
    final class Feeder: Sendable {
        let text = Mutex<[UInt8]>([])
        let sent = Atomic<Bool>(false)
        let vm = Mutex<VirtualMachine?>(nil)
    }
    let feeder = Feeder()
    let markerBytes = Array(marker.utf8)
    var configuration = configuration
    configuration.console = { byte in
        let seen = feeder.text.withLock { text -> Bool in
            text.append(byte)
            return !markerBytes.isEmpty && text.count >= markerBytes.count
                && Array(text.suffix(markerBytes.count)) == markerBytes
        }
        if seen, !input.isEmpty, !feeder.sent.exchange(true, ordering: .acquiringAndReleasing) {
            DispatchQueue.global().async { feeder.vm.withLock { $0 }?.receiveConsoleInput(input) }
        }
    }
    let vm = try VirtualMachine(configuration: configuration)
    feeder.vm.withLock { $0 = vm }
    let exit = runWithWatchdog(vm, timeoutSeconds: timeoutSeconds)
    feeder.vm.withLock { $0 = nil }
    let output = String(decoding: feeder.text.withLock { $0 }, as: UTF8.self)
    return BoardGuestInputRun(exit: exit, output: output, bootInfo: vm.bootInfo)
}

/// Symbol lookup in an ELF64 little-endian file (System V gABI: section headers, SHT_SYMTAB and
/// its string table), enough to find a guest function's address.
enum ELFSymbols {
    static func address(of name: String, in elf: [UInt8]) -> UInt64? {
        func le(_ offset: Int, _ size: Int) -> UInt64? {
            guard offset >= 0, size <= 8, offset <= elf.count - size else { return nil }
            var v: UInt64 = 0
            for i in (0..<size).reversed() { v = v << 8 | UInt64(elf[offset + i]) }
            return v
        }
        guard elf.count >= 64, let shoff = le(0x28, 8), let shentsize = le(0x3A, 2), let shnum = le(0x3C, 2),
              shentsize >= 64 else { return nil }
        func section(_ index: UInt64) -> (type: UInt64, offset: Int, size: Int, link: UInt64, entsize: Int)? {
            let h = Int(shoff) + Int(index) * Int(shentsize)
            guard let type = le(h + 4, 4), let offset = le(h + 0x18, 8), let size = le(h + 0x20, 8),
                  let link = le(h + 0x28, 4), let entsize = le(h + 0x38, 8) else { return nil }
            return (type, Int(offset), Int(size), link, Int(entsize))
        }
        for index in 0..<shnum {
            guard let symtab = section(index), symtab.type == 2, symtab.entsize >= 24,
                  let strtab = section(symtab.link) else { continue }
            for s in stride(from: symtab.offset, to: symtab.offset + symtab.size, by: symtab.entsize) {
                guard let nameOffset = le(s, 4), let value = le(s + 8, 8) else { return nil }
                var end = strtab.offset + Int(nameOffset)
                let start = end
                while end < elf.count, elf[end] != 0 { end += 1 }
                if start < elf.count, String(decoding: elf[start..<end], as: UTF8.self) == name { return value }
            }
        }
        return nil
    }
}
