/// Seeded data for conformance and gradient cases (SplitMix64), so every run and every failure
/// reproduces with the same numbers.
public struct SeededRandom: Sendable {
    private var state: UInt64

    public init(_ seed: UInt64) { state = seed }

    /// 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in `range` (24 random bits).
    public mutating func float(_ range: ClosedRange<Float> = -1...1) -> Float {
        range.lowerBound + (range.upperBound - range.lowerBound) * Float(next() >> 40) / 16_777_216
    }

    /// `count` uniform values in `range`.
    public mutating func floats(_ count: Int, _ range: ClosedRange<Float> = -1...1) -> [Float] {
        (0..<count).map { _ in float(range) }
    }

    /// Small integers as floats, so ties and equal values are common.
    public mutating func coarse(_ count: Int, levels: Int = 4) -> [Float] {
        (0..<count).map { _ in Float(Int(next() % UInt64(levels))) - Float(levels / 2) }
    }

    /// `count` integers in `0..<below`.
    public mutating func ints(_ count: Int, below: Int) -> [Int32] {
        (0..<count).map { _ in Int32(Int(next() % UInt64(below))) }
    }

    /// `count` values at least `gap` apart in random order (no ties for max, argmax or pooling).
    public mutating func distinct(_ count: Int, gap: Float = 0.05) -> [Float] {
        var values = (0..<count).map { Float($0) * gap - Float(count) * gap / 2 }
        for i in stride(from: count - 1, to: 0, by: -1) {
            values.swapAt(i, Int(next() % UInt64(i + 1)))
        }
        return values
    }
}
