import SynapseBackend

/// One check of one primitive: the inputs a device gets, the outputs it must write, the result
/// it is held to and how closely.
public struct ConformanceCase: Sendable {
    /// What the result is compared with.
    public enum Reference: Sendable {
        /// The same primitive on the same inputs on the reference device (the CPU).
        case referenceDevice
        /// The same primitive on the reference device, given these inputs instead (the same
        /// values in a layout the reference accepts).
        case referenceDeviceWith(inputs: [ConformanceOperand])
        /// These contents of each output view, worked out on the host.
        case values([ConformanceOperand.Storage])
    }

    /// Unique within the suite: the primitive's family and what the case exercises.
    public var name: String
    public var primitive: Primitive
    public var inputs: [ConformanceOperand]
    public var outputs: [ConformanceOutput]
    public var tolerance: Tolerance
    public var reference: Reference

    public init(_ name: String, _ primitive: Primitive, inputs: [ConformanceOperand], outputs: [ConformanceOutput],
                tolerance: Tolerance, reference: Reference = .referenceDevice) {
        self.primitive = primitive
        self.name = "\(primitive.familyName) \(name.trimmingSpaces)".trimmingSpaces
        self.inputs = inputs; self.outputs = outputs; self.tolerance = tolerance; self.reference = reference
    }

    /// The report row this case counts towards.
    public var family: String { primitive.familyName }
}

extension Primitive {
    /// The row a primitive is reported under: its case, and for `unary`, `binary`, `reduce` and
    /// `random` also the operation (`unary.exp`, `reduce.argmax`), since each is its own kernel.
    public var familyName: String {
        switch self {
        case let .unary(op): "unary.\(op.kind.rawValue)"
        case let .binary(op): "binary.\(op.kind.rawValue)"
        case let .reduce(op): "reduce.\(op.kind.rawValue)"
        case let .random(distribution, _, _): "random.\(distribution.kind.rawValue)"
        case let .biasActivation(activation): "biasActivation.\(activation.rawValue)"
        case let .biasActivationBackward(activation): "biasActivationBackward.\(activation.rawValue)"
        default: kind.rawValue
        }
    }

    /// Every family name, in the order of the kinds: what a complete suite covers.
    public static var allFamilyNames: [String] {
        Kind.allCases.flatMap { kind -> [String] in
            switch kind {
            case .unary: UnaryOp.Kind.allCases.map { "unary.\($0.rawValue)" }
            case .binary: BinaryOp.Kind.allCases.map { "binary.\($0.rawValue)" }
            case .reduce: ReduceOp.Kind.allCases.map { "reduce.\($0.rawValue)" }
            case .random: RandomDistribution.Kind.allCases.map { "random.\($0.rawValue)" }
            case .biasActivation, .biasActivationBackward: Activation.allCases.map { "\(kind.rawValue).\($0.rawValue)" }
            default: [kind.rawValue]
            }
        }
    }
}

extension String {
    /// Without leading and trailing spaces.
    var trimmingSpaces: String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
