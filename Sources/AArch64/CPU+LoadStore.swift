// Owner: load/store work. Arm ARM C4.1.89.
extension CPU {
    /// Every load/store encoding: literal, pairs, unscaled, immediate pre/post/unsigned offset,
    /// register offset, unprivileged, exclusives, acquire/release, PRFM, and the FP/SIMD
    /// register loads and stores.
    func executeLoadStore(_ instruction: UInt32) {
        undefined()
    }
}
