import SynapseBackend

extension Tensor {
    /// Applies a unary primitive and records it (saving the result when its gradient needs it).
    func unary(_ op: UnaryOp, name: String) -> Tensor {
        requireFloat(name)
        let result = Tensor(empty: shape, on: device)
        ExecutionLatch.run(.unary(op), on: device, inputs: [bufferView], outputs: [result.bufferView])
        return Tensor.record(result, .unary(op), [self], saved: op.gradientUsesOutput ? [result.detached()] : [])
    }

    /// Applies a binary primitive with broadcasting; records `op` when given.
    static func binary(_ primitive: BinaryOp, _ a: Tensor, _ b: Tensor, _ op: Op?, name: String) -> Tensor {
        a.requireFloat(name); b.requireFloat(name)
        let device = commonDevice(name, [a, b])
        let shape = Broadcast.shape(a.shape, b.shape, op: name)
        let result = Tensor(empty: shape, on: device)
        let (x, y) = withoutGradient { (a.expand(to: shape), b.expand(to: shape)) }
        ExecutionLatch.run(.binary(primitive), on: device, inputs: [x.bufferView, y.bufferView], outputs: [result.bufferView],
                   retaining: [x, y])
        guard let op else { return result }
        return record(result, op, [a, b])
    }

    // MARK: Arithmetic

    public static func + (a: Tensor, b: Tensor) -> Tensor { binary(.add, a, b, .add, name: "add") }
    public static func - (a: Tensor, b: Tensor) -> Tensor { binary(.sub, a, b, .sub, name: "sub") }
    public static func * (a: Tensor, b: Tensor) -> Tensor { binary(.mul, a, b, .mul, name: "mul") }
    public static func / (a: Tensor, b: Tensor) -> Tensor { binary(.div, a, b, .div, name: "div") }
    public static prefix func - (a: Tensor) -> Tensor { a.unary(.negate, name: "negate") }

    public static func + (a: Tensor, b: Float) -> Tensor { a.unary(.addScalar(b), name: "add") }
    public static func + (a: Float, b: Tensor) -> Tensor { b + a }
    public static func - (a: Tensor, b: Float) -> Tensor { a + (-b) }
    public static func - (a: Float, b: Tensor) -> Tensor { b.unary(.reverseSubScalar(a), name: "sub") }
    public static func * (a: Tensor, b: Float) -> Tensor { a.unary(.mulScalar(b), name: "mul") }
    public static func * (a: Float, b: Tensor) -> Tensor { b * a }
    public static func / (a: Tensor, b: Float) -> Tensor { a * (1 / b) }

    /// Elementwise larger of `a` and `b` (broadcast).
    public static func maximum(_ a: Tensor, _ b: Tensor) -> Tensor { binary(.maximum, a, b, .maximum, name: "maximum") }
    /// Elementwise smaller of `a` and `b` (broadcast).
    public static func minimum(_ a: Tensor, _ b: Tensor) -> Tensor { binary(.minimum, a, b, .minimum, name: "minimum") }
    /// `1` where `a == b`, else `0` (not differentiable).
    public static func equal(_ a: Tensor, _ b: Tensor) -> Tensor { binary(.equal, a, b, nil, name: "equal") }

    // MARK: Functions

    /// `e^x`
    public func exp() -> Tensor { unary(.exp, name: "exp") }
    /// Natural logarithm.
    public func log() -> Tensor { unary(.log, name: "log") }
    /// Square root.
    public func sqrt() -> Tensor { unary(.sqrt, name: "sqrt") }
    /// Absolute value.
    public func abs() -> Tensor { unary(.abs, name: "abs") }
    /// `x²`
    public func square() -> Tensor { unary(.square, name: "square") }
    /// `1 / x`
    public func reciprocal() -> Tensor { unary(.reciprocal, name: "reciprocal") }
    /// `x ^ exponent`
    public func pow(_ exponent: Float) -> Tensor { unary(.powScalar(exponent), name: "pow") }
    /// `max(x, 0)`
    public func relu() -> Tensor { unary(.relu, name: "relu") }
    /// Hyperbolic tangent.
    public func tanh() -> Tensor { unary(.tanh, name: "tanh") }
    /// Logistic sigmoid `1 / (1 + e^-x)`.
    public func sigmoid() -> Tensor { unary(.sigmoid, name: "sigmoid") }

    // MARK: Regularisation

    /// Zeroes each element with probability `probability` and scales the rest by `1/(1-p)` while
    /// `training`; identity otherwise. The mask is drawn on the device.
    public func dropout(probability: Float, training: Bool) -> Tensor {
        ensure(probability >= 0 && probability <= 1, "dropout: probability \(probability) must be in [0, 1]")
        guard training, probability > 0 else { return self }
        if probability == 1 { return self * 0 }
        return self * Tensor.randomRows(shape, .dropoutMask(keep: 1 - probability), on: device)
    }
}
