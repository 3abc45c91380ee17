import SynapseBackend

extension Tensor {
    /// Applies a unary primitive; records `op` (with `saved` from the result when `saveOutput`).
    func unary(_ primitive: UnaryOp, _ op: Op, name: String, saveOutput: Bool = false) -> Tensor {
        requireFloat(name)
        let result = Tensor(empty: shape, on: device)
        Engine.run(.unary(primitive), on: device, inputs: [bufferView], outputs: [result.bufferView])
        return Tensor.record(result, op, [self], saved: saveOutput ? [result.detached()] : [])
    }

    /// Applies a binary primitive with broadcasting; records `op` when given.
    static func binary(_ primitive: BinaryOp, _ a: Tensor, _ b: Tensor, _ op: Op?, name: String) -> Tensor {
        a.requireFloat(name); b.requireFloat(name)
        let device = commonDevice(name, [a, b])
        let shape = Broadcast.shape(a.shape, b.shape, op: name)
        let result = Tensor(empty: shape, on: device)
        let (x, y) = withoutGradient { (a.expand(to: shape), b.expand(to: shape)) }
        Engine.run(.binary(primitive), on: device, inputs: [x.bufferView, y.bufferView], outputs: [result.bufferView],
                   retaining: [x, y])
        guard let op else { return result }
        return record(result, op, [a, b])
    }

    // MARK: Arithmetic

    public static func + (a: Tensor, b: Tensor) -> Tensor { binary(.add, a, b, .add, name: "add") }
    public static func - (a: Tensor, b: Tensor) -> Tensor { binary(.sub, a, b, .sub, name: "sub") }
    public static func * (a: Tensor, b: Tensor) -> Tensor { binary(.mul, a, b, .mul, name: "mul") }
    public static func / (a: Tensor, b: Tensor) -> Tensor { binary(.div, a, b, .div, name: "div") }
    public static prefix func - (a: Tensor) -> Tensor { a.unary(.negate, .negate, name: "negate") }

    public static func + (a: Tensor, b: Float) -> Tensor { a.unary(.addScalar(b), .addScalar(b), name: "add") }
    public static func + (a: Float, b: Tensor) -> Tensor { b + a }
    public static func - (a: Tensor, b: Float) -> Tensor { a + (-b) }
    public static func - (a: Float, b: Tensor) -> Tensor { b.unary(.reverseSubScalar(a), .reverseSubScalar(a), name: "sub") }
    public static func * (a: Tensor, b: Float) -> Tensor { a.unary(.mulScalar(b), .mulScalar(b), name: "mul") }
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
    public func exp() -> Tensor { unary(.exp, .exp, name: "exp", saveOutput: true) }
    /// Natural logarithm.
    public func log() -> Tensor { unary(.log, .log, name: "log") }
    /// Square root.
    public func sqrt() -> Tensor { unary(.sqrt, .sqrt, name: "sqrt", saveOutput: true) }
    /// Absolute value.
    public func abs() -> Tensor { unary(.abs, .abs, name: "abs") }
    /// `x²`
    public func square() -> Tensor { unary(.square, .square, name: "square") }
    /// `1 / x`
    public func reciprocal() -> Tensor { unary(.reciprocal, .reciprocal, name: "reciprocal", saveOutput: true) }
    /// `x ^ exponent`
    public func pow(_ exponent: Float) -> Tensor { unary(.powScalar(exponent), .powScalar(exponent), name: "pow") }
    /// `max(x, 0)`
    public func relu() -> Tensor { unary(.relu, .relu, name: "relu") }
    /// Hyperbolic tangent.
    public func tanh() -> Tensor { unary(.tanh, .tanh, name: "tanh", saveOutput: true) }
    /// Logistic sigmoid `1 / (1 + e^-x)`.
    public func sigmoid() -> Tensor { unary(.sigmoid, .sigmoid, name: "sigmoid", saveOutput: true) }
}
