/// The outcome of one case on one device.
public struct ConformanceResult: Sendable, Codable {
    /// Which kind of check a result comes from.
    public enum Check: String, Sendable, Codable {
        /// A primitive against the reference device or host values.
        case primitive
        /// A tensor op's `backward()` against central finite differences on the same device.
        case gradient
        /// A tensor op's forward result and gradients against the reference device's.
        case tensorOp = "tensor-op"
    }

    /// The case's name.
    public var name: String
    /// The report row it counts towards (`unary.exp`, `gradient.convolution`).
    public var row: String
    public var check: Check
    public var maxAbsError: Double
    public var maxRelError: Double
    public var tolerance: Tolerance
    /// What went wrong, one line each; empty when the case passed.
    public var problems: [String]

    public var passed: Bool { problems.isEmpty }

    public init(name: String, row: String, check: Check, measure: ErrorMeasure, tolerance: Tolerance, problems: [String]) {
        self.name = name; self.row = row; self.check = check
        self.maxAbsError = measure.maxAbsError; self.maxRelError = measure.maxRelError
        self.tolerance = tolerance; self.problems = problems
    }
}

/// Where a run is, for progress lines.
public struct ConformanceProgress: Sendable {
    /// Cases finished so far.
    public var completed: Int
    public var total: Int
    /// The case about to run.
    public var current: String
    /// Its report row.
    public var row: String
}
