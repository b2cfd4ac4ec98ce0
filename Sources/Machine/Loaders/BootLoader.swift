import AArch64

extension BootLayout {
    /// Copies the images planned for into guest RAM, zeroing bss. The DTB must fit its slot and
    /// be a valid blob.
    public func load(dtb: [UInt8], into bus: PhysicalBus) throws(BootError) -> BootInfo {
        guard bus.ramBase == ram.lowerBound, bus.ramSize == UInt64(ram.count) else {
            throw .ramMismatch(planned: ram, bus: bus.ramBase..<bus.ramBase &+ bus.ramSize)
        }
        guard dtb.count <= Self.maxDTBSize else { throw .dtbTooLarge(size: dtb.count, maximum: Self.maxDTBSize) }
        guard UInt64(dtb.count) <= UInt64(dtbSlot.count) else { throw .dtbDoesNotFit(size: dtb.count) }
        do { _ = try FlattenedDeviceTree(parsing: dtb) } catch { throw .invalidDTB(error) }
        guard (initrd?.count ?? 0) == (initrdBytes?.count ?? 0) else {
            throw .initrdMissing
        }
        for segment in kernel.segments {
            try copy(kernel.bytes[segment.fileRange], to: segment.address, of: bus)
            let bss = segment.memorySize - UInt64(segment.fileRange.count)
            try zero(bss, at: segment.address + UInt64(segment.fileRange.count), of: bus)
        }
        if let initrdBytes, let range = initrd { try copy(initrdBytes[...], to: range.lowerBound, of: bus) }
        try copy(dtb[...], to: dtbAddress, of: bus)
        return BootInfo(entry: entry, dtbAddress: dtbAddress, dtbSize: dtb.count, initrd: self.initrd,
                        kernel: kernel.footprint, format: kernel.format)
    }

    /// One bulk copy (a Linux kernel is tens of MiB; `PhysicalBus.load` goes byte by byte).
    private func copy(_ bytes: ArraySlice<UInt8>, to address: UInt64, of bus: PhysicalBus) throws(BootError) {
        guard let p = bus.ramPointer(address, size: UInt64(bytes.count)) else {
            throw .segmentOutsideRAM(index: 0, range: address..<address &+ UInt64(bytes.count), ram: ram)
        }
        bytes.withUnsafeBytes { source in
            if let base = source.baseAddress { p.copyMemory(from: base, byteCount: source.count) }
        }
    }

    private func zero(_ count: UInt64, at address: UInt64, of bus: PhysicalBus) throws(BootError) {
        guard count > 0 else { return }
        guard let p = bus.ramPointer(address, size: count) else {
            throw .segmentOutsideRAM(index: 0, range: address..<address &+ count, ram: ram)
        }
        p.initializeMemory(as: UInt8.self, repeating: 0, count: Int(count))
    }
}

/// Boots `kernel` (ELF, arm64 Image or raw) with an optional initrd and a device tree: plans the
/// layout, writes the initrd range into the tree's `/chosen` (as QEMU and U-Boot do, so a
/// user's `--dtb` needs no editing), checks it all fits, and copies it into `bus`'s RAM.
public func loadBootImages(kernel: [UInt8], initrd: [UInt8]?, dtb: [UInt8], into bus: PhysicalBus,
                           options: BootLayout.Options = BootLayout.Options()) throws(BootError) -> BootInfo {
    let ram = bus.ramBase..<bus.ramBase &+ bus.ramSize
    let image = try KernelImage(kernel, ram: ram)
    let layout = try BootLayout(kernel: image, initrd: initrd, ram: ram, options: options)
    var tree: FlattenedDeviceTree
    do { tree = try FlattenedDeviceTree(parsing: dtb) } catch { throw .invalidDTB(error) }
    var finalDTB = dtb
    if let range = layout.initrd {
        tree.root.withNode(at: "/chosen") { VirtDeviceTree.setInitrd(range, in: &$0) }
        do { finalDTB = try tree.serialize() } catch { throw .invalidDTB(error) }
    }
    return try layout.load(dtb: finalDTB, into: bus)
}

/// Boots on the 'virt' board with its generated device tree (`config.initrd` is filled in
/// from the layout).
public func loadBootImages(kernel: [UInt8], initrd: [UInt8]?, config: BoardConfiguration,
                           into bus: PhysicalBus) throws -> BootInfo {
    let ram = bus.ramBase..<bus.ramBase &+ bus.ramSize
    guard ram == config.ram.base..<config.ram.end else {
        throw BootError.ramMismatch(planned: config.ram.base..<config.ram.end, bus: ram)
    }
    let image = try KernelImage(kernel, ram: ram)
    let layout = try BootLayout(kernel: image, initrd: initrd, ram: ram)
    var config = config
    config.initrd = layout.initrd
    let dtb = try VirtDeviceTree.generate(config)
    return try layout.load(dtb: dtb, into: bus)
}
