// swift-tools-version:6.0
import PackageDescription

/// Release builds of the CPU, the timer and the VMM skip dynamic exclusivity checks: their hot
/// state is owned by one thread (or guarded by a Mutex), and the checks cost more than the
/// instructions they guard.
let fastCode: [SwiftSetting] = [
    .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release)),
]

let package = Package(
    name: "ArmVM",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "armvm", targets: ["armvm"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // Layer 1: the software CPU. Knows no board and no device.
        .target(name: "AArch64", dependencies: ["CHostClock"], swiftSettings: fastCode),
        // The host's cycle counter (rdtsc, cntvct_el0) as static inline C: the timer's host clock.
        .target(name: "CHostClock"),
        // Layer 1: the generic timer. Knows no CPU internals.
        .target(name: "GenericTimer", dependencies: ["CHostClock"], swiftSettings: fastCode),
        // Layer 1: GICv2 and GICv3.
        .target(name: "GIC"),
        // Layer 1: PL011, PL031, PSCI, virtio-mmio placeholders.
        .target(name: "Devices"),
        // A small A64 assembler: the built-in demo guest and test programs, written in Swift.
        .target(name: "A64Assembler"),
        // Layer 2: the 'virt' board, loaders, device tree, vCPU threads, exit dispatch.
        .target(name: "Machine", dependencies: ["AArch64", "GenericTimer", "GIC", "Devices", "A64Assembler"],
                swiftSettings: fastCode),
        // Layer 3: the command-line tool.
        .executableTarget(name: "armvm", dependencies: [
            "Machine",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // Helpers shared by the test targets: guest builds with the toolchain's clang, a bare CPU rig.
        .target(name: "TestSupport", dependencies: ["AArch64"], path: "Tests/TestSupport"),

        .testTarget(name: "AArch64Tests", dependencies: ["AArch64", "TestSupport"]),
        .testTarget(name: "A64AssemblerTests", dependencies: ["A64Assembler"]),
        .testTarget(name: "GenericTimerTests", dependencies: ["GenericTimer"]),
        .testTarget(name: "GICTests", dependencies: ["GIC"]),
        .testTarget(name: "DevicesTests", dependencies: ["Devices"]),
        .testTarget(name: "MachineTests", dependencies: ["Machine", "AArch64", "TestSupport"]),
    ]
)
