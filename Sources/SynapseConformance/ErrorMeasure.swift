/// How far a result is from its reference: the largest absolute and relative element errors and
/// the elements outside the tolerance.
public struct ErrorMeasure: Sendable, Hashable {
    /// Largest `|actual - expected|`; infinite where one side is NaN or infinite and the other not.
    public var maxAbsError: Double = 0
    /// Largest `|actual - expected| / |expected|` over elements whose reference is finite and non-zero.
    public var maxRelError: Double = 0
    /// Elements compared.
    public var elements = 0
    /// Elements outside the tolerance.
    public var mismatches = 0
    /// The first few mismatches, as `[index] actual vs expected`.
    public var examples: [String] = []

    public init() {}

    /// `actual` against `expected` element by element.
    public init(_ actual: [Float], _ expected: [Float], _ tolerance: Tolerance) {
        precondition(actual.count == expected.count, "ErrorMeasure: \(actual.count) vs \(expected.count) elements")
        for (i, (a, e)) in zip(actual, expected).enumerated() {
            let error: Double = (a.isNaN && e.isNaN) || a == e ? 0 : (a.isNaN || e.isNaN ? .infinity : Swift.abs(Double(a) - Double(e)))
            record(index: i, absolute: error, expected: Double(e), accepted: tolerance.accepts(a, e), "\(a) vs \(e)")
        }
    }

    /// int32 `actual` against `expected`: equal or not.
    public init(_ actual: [Int32], _ expected: [Int32]) {
        precondition(actual.count == expected.count, "ErrorMeasure: \(actual.count) vs \(expected.count) elements")
        for (i, (a, e)) in zip(actual, expected).enumerated() {
            record(index: i, absolute: Swift.abs(Double(a) - Double(e)), expected: Double(e), accepted: a == e, "\(a) vs \(e)")
        }
    }

    /// Storage of either dtype; a dtype mismatch counts every element as wrong.
    public init(_ actual: ConformanceOperand.Storage, _ expected: ConformanceOperand.Storage, _ tolerance: Tolerance) {
        switch (actual, expected) {
        case let (.float(a), .float(e)): self.init(a, e, tolerance)
        case let (.int(a), .int(e)): self.init(a, e)
        default:
            self.init()
            elements = expected.count; mismatches = expected.count; maxAbsError = .infinity
            examples = ["\(actual.dtype) result where \(expected.dtype) was expected"]
        }
    }

    private mutating func record(index: Int, absolute: Double, expected: Double, accepted: Bool, _ text: @autoclosure () -> String) {
        elements += 1
        maxAbsError = Swift.max(maxAbsError, absolute)
        if expected != 0 && expected.isFinite && absolute > 0 { maxRelError = Swift.max(maxRelError, absolute / Swift.abs(expected)) }
        if !accepted {
            mismatches += 1
            if examples.count < 3 { examples.append("[\(index)] \(text())") }
        }
    }

    /// The worse of two measures, mismatches added.
    public func merged(with other: ErrorMeasure) -> ErrorMeasure {
        var m = self
        m.maxAbsError = Swift.max(maxAbsError, other.maxAbsError)
        m.maxRelError = Swift.max(maxRelError, other.maxRelError)
        m.elements += other.elements
        m.mismatches += other.mismatches
        m.examples += other.examples.prefix(Swift.max(0, 3 - m.examples.count))
        return m
    }
}
