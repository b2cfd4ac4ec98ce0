// Owner: load/store work. The software TLB and the instruction-fetch cache, stored in the CPU.

/// Cached stage 1 translations, owned by one vCPU.
public struct TranslationCache {
    public init() {}
}
