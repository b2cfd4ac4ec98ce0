// Owner: load/store work. VMSAv8-64 stage 1 translation, the software TLB, instruction fetch.

/// What a memory access is for; decides which permission is checked and which abort is taken.
public enum MemoryAccessKind: Sendable {
    case read, write, fetch
}

extension CPU {
    /// Reads `size` bytes (1, 2, 4, 8) at virtual address `va`, little-endian. On a fault the
    /// data abort has been taken (PC at the vector) and the result is nil: the caller abandons
    /// the instruction. `unprivileged` gives EL0 permissions (LDTR).
    @inline(__always)
    func readMemory(_ va: UInt64, size: Int, unprivileged: Bool = false) -> UInt64? {
        let e = translations.entry(va, privileged: unprivileged ? 0 : el)
        let offset = va & 0xFFF
        if e.pointee.readTag == va & ~0xFFF, offset &+ UInt64(size) <= 0x1000,
           sys.sctlr & SCTLRBits.a == 0 {
            return loadHost(e.pointee.host + Int(offset), size: size)
        }
        return readMemorySlow(va, size: size, unprivileged: unprivileged)
    }

    /// Writes `size` bytes at `va`. Returns false after taking the data abort.
    @inline(__always)
    func writeMemory(_ va: UInt64, size: Int, _ value: UInt64, unprivileged: Bool = false) -> Bool {
        let e = translations.entry(va, privileged: unprivileged ? 0 : el)
        let offset = va & 0xFFF
        if e.pointee.writeTag == va & ~0xFFF, offset &+ UInt64(size) <= 0x1000,
           sys.sctlr & SCTLRBits.a == 0 {
            storeHost(e.pointee.host + Int(offset), size: size, value)
            return true
        }
        return writeMemorySlow(va, size: size, value, unprivileged: unprivileged)
    }

    /// Fetches the instruction at `va`. On a fault the instruction abort has been taken and the
    /// result is nil.
    ///
    /// The current instruction page is cached with its EL: the key keeps VA bits 1:0, so a
    /// misaligned PC misses and the slow path raises the PC alignment fault.
    @inline(__always)
    func fetchInstruction(_ va: UInt64) -> UInt32? {
        if (va & ~0xFFC) | UInt64(truncatingIfNeeded: el) << 2 == translations.fetchPageTag {
            return translations.fetchPageHost.loadUnaligned(fromByteOffset: Int(va & 0xFFF),
                                                            as: UInt32.self)
        }
        return fetchInstructionSlow(va)
    }

    /// Drops every cached translation (TLBI *ALL*, writes to TTBRn/TCR/SCTLR).
    public func invalidateTLB() {
        translations.flushAll()
    }

    /// Drops cached translations of the page containing `va` (TLBI VA*, VAA*).
    public func invalidateTLB(virtualAddress va: UInt64) {
        translations.flush(virtualAddress: va)
    }

    /// AT S1E1R/S1E1W/S1E0R/S1E0W: translates without faulting and returns the PAR_EL1 value.
    func addressTranslate(_ va: UInt64, el0: Bool, write: Bool) -> UInt64 {
        let result = translate(va, el0: el0)
        var fault = result.faultStatus
        if fault == nil, !(write ? result.canWrite : result.canRead) {
            fault = FaultStatus.permission(level: result.level)
        }
        if let fault {
            // F = 1, FST, bit 11 RES1; S (stage 2) and PTW are 0 without EL2.
            return 1 << 11 | UInt64(fault) << 1 | 1
        }
        let attributes = result.attributes
        // Device and Normal Non-cacheable memory are reported Outer Shareable.
        let shareability: UInt64 = attributes & 0xF0 == 0 || attributes == 0x44 ? 0b10 : result.shareability
        return UInt64(attributes) << 56 | (result.physicalAddress & 0x0000_FFFF_FFFF_F000)
            | 1 << 11 | 1 << 9 | shareability << 7
    }

    // MARK: Slow paths

    @inline(never)
    func readMemorySlow(_ va: UInt64, size: Int, unprivileged: Bool) -> UInt64? {
        if sys.sctlr & SCTLRBits.a != 0, va & UInt64(size &- 1) != 0 {
            memoryAbort(va, status: FaultStatus.alignment, kind: .read)
            return nil
        }
        let offset = va & 0xFFF
        if offset &+ UInt64(size) > 0x1000 {
            // Crosses into the next page: byte by byte, each byte through the TLB.
            var value: UInt64 = 0
            for i in 0..<size {
                guard let byte = readMemory(va &+ UInt64(i), size: 1, unprivileged: unprivileged) else {
                    return nil
                }
                value |= byte << UInt64(8 * i)
            }
            return value
        }
        guard let e = pageEntry(va, kind: .read, unprivileged: unprivileged) else { return nil }
        if e.pointee.readTag == va & ~0xFFF {
            return loadHost(e.pointee.host + Int(offset), size: size)
        }
        guard let value = bus.read(e.pointee.physical | offset, size: size, vcpu: id) else {
            memoryAbort(va, status: FaultStatus.externalAbort, kind: .read)
            return nil
        }
        return value
    }

    @inline(never)
    func writeMemorySlow(_ va: UInt64, size: Int, _ value: UInt64, unprivileged: Bool) -> Bool {
        if sys.sctlr & SCTLRBits.a != 0, va & UInt64(size &- 1) != 0 {
            memoryAbort(va, status: FaultStatus.alignment, kind: .write)
            return false
        }
        let offset = va & 0xFFF
        if offset &+ UInt64(size) > 0x1000 {
            // Crosses into the next page: check both pages first so that a fault on the second
            // leaves memory untouched, then store byte by byte.
            let next = (va | 0xFFF) &+ 1
            guard pageEntry(va, kind: .write, unprivileged: unprivileged) != nil,
                  pageEntry(next, kind: .write, unprivileged: unprivileged) != nil else { return false }
            for i in 0..<size {
                let byte = (value >> UInt64(8 * i)) & 0xFF
                guard writeMemory(va &+ UInt64(i), size: 1, byte, unprivileged: unprivileged) else {
                    return false
                }
            }
            return true
        }
        guard let e = pageEntry(va, kind: .write, unprivileged: unprivileged) else { return false }
        if e.pointee.writeTag == va & ~0xFFF {
            storeHost(e.pointee.host + Int(offset), size: size, value)
            return true
        }
        guard bus.write(e.pointee.physical | offset, size: size, value: value, vcpu: id) else {
            memoryAbort(va, status: FaultStatus.externalAbort, kind: .write)
            return false
        }
        return true
    }

    @inline(never)
    func fetchInstructionSlow(_ va: UInt64) -> UInt32? {
        if va & 3 != 0 {
            // PC alignment fault: EC 0x22, FAR = PC.
            takeSynchronousException(syndrome: 0x22 << 26 | 1 << 25, faultAddress: va)
            return nil
        }
        guard let e = pageEntry(va, kind: .fetch, unprivileged: false) else { return nil }
        let offset = va & 0xFFF
        if e.pointee.fetchTag == va & ~0xFFF {
            translations.fetchPageTag = (va & ~0xFFF) | UInt64(truncatingIfNeeded: el) << 2
            translations.fetchPageHost = e.pointee.host
            return e.pointee.host.loadUnaligned(fromByteOffset: Int(offset), as: UInt32.self)
        }
        guard let word = bus.read(e.pointee.physical | offset, size: 4, vcpu: id) else {
            memoryAbort(va, status: FaultStatus.externalAbort, kind: .fetch)
            return nil
        }
        return UInt32(truncatingIfNeeded: word)
    }

    /// The TLB entry that permits `kind` on the page of `va`, walking the tables and filling it
    /// on a miss. Nil after taking the abort for a translation or permission fault.
    func pageEntry(_ va: UInt64, kind: MemoryAccessKind, unprivileged: Bool) -> UnsafeMutablePointer<TLBEntry>? {
        let privileged = unprivileged ? 0 : el
        let page = va & ~0xFFF
        let e = translations.entry(va, privileged: privileged)
        let tag: UInt64
        switch kind {
        case .read: tag = e.pointee.readTag
        case .write: tag = e.pointee.writeTag
        case .fetch: tag = e.pointee.fetchTag
        }
        if tag == page || tag == page | 1 { return e }

        let result = translate(va, el0: privileged == 0)
        if let status = result.faultStatus {
            memoryAbort(va, status: status, kind: kind)
            return nil
        }
        let permitted: Bool
        switch kind {
        case .read: permitted = result.canRead
        case .write: permitted = result.canWrite
        case .fetch: permitted = result.canExecute
        }
        guard permitted else {
            memoryAbort(va, status: FaultStatus.permission(level: result.level), kind: kind)
            return nil
        }
        let physicalPage = result.physicalAddress & ~0xFFF
        let host = bus.ramPointer(physicalPage, size: 0x1000)
        let key = host == nil ? page | 1 : page
        let invalid = TranslationCache.invalidTag
        e.pointee = TLBEntry(readTag: result.canRead ? key : invalid,
                             writeTag: result.canWrite ? key : invalid,
                             fetchTag: result.canExecute ? key : invalid,
                             host: host ?? UnsafeMutableRawPointer(translations.entries),
                             physical: physicalPage)
        if result.mappingShift > 16 {
            translations.noteLargeMapping(va, size: 1 << UInt64(result.mappingShift))
        }
        return e
    }

    /// Takes the data abort (EC 0x24/0x25) or instruction abort (EC 0x20/0x21) for `va`.
    func memoryAbort(_ va: UInt64, status: UInt32, kind: MemoryAccessKind) {
        let lowerEL = el == 0
        let ec: UInt32
        var iss = status
        switch kind {
        case .fetch: ec = lowerEL ? 0x20 : 0x21
        case .read: ec = lowerEL ? 0x24 : 0x25
        case .write:
            ec = lowerEL ? 0x24 : 0x25
            iss |= 1 << 6 // WnR
        }
        takeSynchronousException(syndrome: ec << 26 | 1 << 25 | iss, faultAddress: va)
    }

    /// Takes an alignment fault unless `va` is aligned to `size` (exclusives, acquire/release).
    @inline(__always)
    func checkAlignment(_ va: UInt64, size: Int, write: Bool) -> Bool {
        if va & UInt64(size &- 1) == 0 { return true }
        memoryAbort(va, status: FaultStatus.alignment, kind: write ? .write : .read)
        return false
    }
}
