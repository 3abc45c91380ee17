import SynapseBackend

/// Seeded permutations: the same seed and epoch give the same order on every machine.
///
/// A Fisher–Yates shuffle whose random numbers come from `CounterRandom` (SplitMix64), keyed by
/// the seed and the epoch, so an epoch's order is computed without replaying earlier epochs.
public enum ShuffleOrder {
    /// A permutation of `0..<count` for `epoch` of a run seeded with `seed`.
    public static func permutation(count: Int, seed: UInt64, epoch: Int) -> [Int] {
        ensure(count >= 0 && count <= Int(UInt32.max), "ShuffleOrder: count \(count) out of range")
        var order = Array(0..<count)
        let stream = CounterRandom.bits(seed: seed ^ 0x5EED_0F_DA7A, counter: UInt64(truncatingIfNeeded: epoch))
        var i = count - 1
        while i > 0 {
            // Lemire's multiply-shift maps 32 random bits onto 0...i without a division.
            let bits = CounterRandom.bits(seed: stream, counter: UInt64(i)) >> 32
            let j = Int((bits &* UInt64(i + 1)) >> 32)
            order.swapAt(i, j)
            i -= 1
        }
        return order
    }
}
