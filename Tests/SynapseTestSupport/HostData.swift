/// Deterministic host-side test data, independent of any device.
public struct HostRandom: Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed &* 0x9E37_79B9_7F4A_7C15 | 1 }

    /// Uniform on `[low, high)`.
    public mutating func uniform(_ low: Float = -1, _ high: Float = 1) -> Float {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return low + (high - low) * Float(state >> 40) / Float(1 << 24)
    }

    /// `count` uniform values.
    public mutating func array(_ count: Int, _ low: Float = -1, _ high: Float = 1) -> [Float] {
        (0..<count).map { _ in uniform(low, high) }
    }

    /// `count` values at least `gap` apart in random order (no ties for max/argmax/pooling).
    public mutating func distinct(_ count: Int, gap: Float = 0.05) -> [Float] {
        var values = (0..<count).map { Float($0) * gap - Float(count) * gap / 2 }
        for i in stride(from: count - 1, to: 0, by: -1) {
            let j = Int(uniform(0, 1) * Float(i + 1)) % (i + 1)
            values.swapAt(i, j)
        }
        return values
    }
}

/// Largest `|a - b| / (atol + rtol * |b|)`: at most 1 means every element is within tolerance.
public func toleranceRatio(_ a: [Float], _ b: [Float], atol: Float, rtol: Float) -> Float {
    precondition(a.count == b.count, "toleranceRatio: \(a.count) vs \(b.count) elements")
    var worst: Float = 0
    for (x, y) in zip(a, b) {
        if x.isNaN != y.isNaN { return .infinity }
        if x.isNaN { continue }
        worst = max(worst, Swift.abs(x - y) / (atol + rtol * Swift.abs(y)))
    }
    return worst
}
