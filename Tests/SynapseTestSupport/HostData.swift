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
