import Testing

/// Host values of a float tensor; on a device error, records a test failure and returns [].
public func hostValues(_ tensor: Tensor, sourceLocation: SourceLocation = #_sourceLocation) -> [Float] {
    do { return try tensor.toArray() } catch {
        Issue.record("device error: \(error)", sourceLocation: sourceLocation)
        return []
    }
}

/// Expects `actual` to match `expected` elementwise within `absolute + relative * |expected|`.
public func expectClose<A: BinaryFloatingPoint, B: BinaryFloatingPoint>(
    _ actual: [A], _ expected: [B], absolute: Double = 1e-5, relative: Double = 1e-5,
    _ what: String, sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(actual.count == expected.count, "\(what): \(actual.count) values, expected \(expected.count)", sourceLocation: sourceLocation)
    var worst = 0.0, worstIndex = -1
    for (i, (a, e)) in zip(actual, expected).enumerated() {
        let (a, e) = (Double(a), Double(e))
        if a.isNaN && e.isNaN { continue }
        let excess = Swift.abs(a - e) - (absolute + relative * Swift.abs(e))
        if excess > worst || (a.isNaN != e.isNaN) { worst = max(excess, .ulpOfOne); worstIndex = i }
    }
    #expect(worstIndex < 0, "\(what): element \(worstIndex) is \(worstIndex >= 0 ? Double(actual[worstIndex]) : 0), expected \(worstIndex >= 0 ? Double(expected[worstIndex]) : 0)", sourceLocation: sourceLocation)
}

/// `expectClose` with one bound for both terms: `|a - e| <= tolerance * (1 + |e|)`.
public func expectClose(_ actual: [Float], _ expected: [Float], tolerance: Float = 1e-5,
                        sourceLocation: SourceLocation = #_sourceLocation) {
    expectClose(actual, expected, absolute: Double(tolerance), relative: Double(tolerance), "", sourceLocation: sourceLocation)
}
