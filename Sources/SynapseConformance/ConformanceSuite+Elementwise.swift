import SynapseBackend

/// Unary, binary, copy, fill and random over contiguous, offset, permuted and broadcast views with
/// odd sizes.
extension ConformanceSuite {
    /// Every unary op (scalar ops with several scalars, pow with the exponents it special-cases).
    public static let unaryOps: [UnaryOp] = [
        .negate, .exp, .log, .sqrt, .abs, .relu, .tanh, .sigmoid, .square, .reciprocal, .addScalar(0.75),
        .mulScalar(-1.5), .powScalar(3), .powScalar(0.5), .powScalar(2), .powScalar(1), .powScalar(-1.25),
        .reverseSubScalar(1),
    ]
    /// Every binary op (pow's gradient with the exponents it special-cases).
    public static let binaryOps: [BinaryOp] = [
        .add, .sub, .mul, .div, .maximum, .minimum, .equal, .reluBackward, .tanhBackward, .sigmoidBackward,
        .powBackward(exponent: 3), .powBackward(exponent: 2), .powBackward(exponent: 0), .powBackward(exponent: 0.5),
    ]

    /// Views of `[rows, cols]`-like shapes over fresh storage: contiguous with an offset, a
    /// transposed (permuted) view, a row broadcast (stride 0), a 4-d permuted view, a long vector
    /// and a scalar broadcast; values from `make`.
    static func elementwiseViews(_ random: inout SeededRandom,
                                 _ make: (inout SeededRandom, Int) -> [Float]) -> [(String, ConformanceOperand)] {
        [
            ("contiguous+offset", .view(make(&random, 3 + 7 * 13), [7, 13], strides: [13, 1], offset: 3)),
            ("transposed", .view(make(&random, 9 * 5), [5, 9], strides: [1, 5])),
            ("row broadcast", .view(make(&random, 6), [4, 6], strides: [0, 1])),
            ("permuted 4-d", .view(make(&random, 2 * 3 * 5 * 7), [5, 2, 7, 3], strides: [7, 105, 1, 35])),
            ("long contiguous", .floats(make(&random, 1027), [1027])),
            ("scalar broadcast", .view(make(&random, 1), [3, 1, 5], strides: [0, 0, 0])),
        ]
    }

    /// The scalar of a parameterised op as written in a case name: `(3.0)`, `(exponent: 0.5)`.
    static func parameters(_ op: some Any, kind: String) -> String {
        String(String(describing: op).dropFirst(kind.count))
    }

    /// `.unary(op)` for every op in `unaryOps` over every view.
    public static let unary: [ConformanceCase] = {
        var random = SeededRandom(1)
        var cases: [ConformanceCase] = []
        for op in unaryOps {
            let positive: Bool = switch op {
            case .log, .sqrt, .powScalar(0.5), .powScalar(-1.25): true
            default: false
            }
            let tolerance: Tolerance = switch op {
            case .exp, .log, .tanh, .sigmoid, .powScalar: .transcendental
            default: .arithmetic
            }
            let make: (inout SeededRandom, Int) -> [Float] = positive ? { r, n in r.floats(n, 0.05...3) } : { r, n in r.floats(n, -3...3) }
            for (label, x) in elementwiseViews(&random, make) {
                cases.append(ConformanceCase("\(parameters(op, kind: op.kind.rawValue)) \(label)", .unary(op), inputs: [x],
                                             outputs: [ConformanceOutput(shape: x.shape, offset: 2)], tolerance: tolerance))
            }
        }
        return cases
    }()

    /// `.binary(op)` for every op in `binaryOps`: views paired with views, and mixed layouts.
    public static let binary: [ConformanceCase] = {
        var random = SeededRandom(2)
        var cases: [ConformanceCase] = []
        for op in binaryOps {
            let isPow = op.kind == .powBackward
            let tolerance: Tolerance = isPow ? .transcendental : .arithmetic
            // pow's base must be positive for fractional exponents; coarse values make ties for equal/max.
            let make: (inout SeededRandom, Int) -> [Float] =
                if isPow { { r, n in r.floats(n, 0.1...2) } }
                else if op == .equal || op == .maximum || op == .minimum { { r, n in r.coarse(n) } }
                else { { r, n in r.floats(n, -2...2).map { $0 == 0 ? 0.5 : $0 } } }
            let name = parameters(op, kind: op.kind.rawValue)
            let lefts = elementwiseViews(&random, make), rights = elementwiseViews(&random, make)
            for ((leftLabel, a), (rightLabel, b)) in zip(lefts, rights) {
                cases.append(ConformanceCase("\(name) \(leftLabel) with \(rightLabel)", .binary(op), inputs: [a, b],
                                             outputs: [ConformanceOutput(shape: a.shape, offset: 1)], tolerance: tolerance))
            }
            // Mixed layouts: a bias row broadcast over a transposed matrix, and a column broadcast.
            let matrix = ConformanceOperand.view(make(&random, 11 * 6), [6, 11], strides: [1, 6])
            let row = ConformanceOperand.view(make(&random, 11), [6, 11], strides: [0, 1])
            let column = ConformanceOperand.view(make(&random, 6 * 2), [6, 11], strides: [2, 0], offset: 1)
            cases.append(ConformanceCase("\(name) transposed with row broadcast", .binary(op), inputs: [matrix, row],
                                         outputs: [ConformanceOutput(shape: [6, 11])], tolerance: tolerance))
            cases.append(ConformanceCase("\(name) column broadcast with transposed", .binary(op), inputs: [column, matrix],
                                         outputs: [ConformanceOutput(shape: [6, 11])], tolerance: tolerance))
        }
        return cases
    }()

    /// `.copy` of every view, of permuted int32, and of special values bit for bit.
    public static let copy: [ConformanceCase] = {
        var random = SeededRandom(3)
        var cases = elementwiseViews(&random, { r, n in r.floats(n) }).map { label, x in
            ConformanceCase(label, .copy, inputs: [x], outputs: [ConformanceOutput(shape: x.shape, offset: 5)], tolerance: .exact)
        }
        // int32 moves its bits unchanged, permuted and offset.
        let ints = ConformanceOperand(storage: .int(random.ints(4 + 3 * 4 * 5, below: 1000).map { $0 - 500 }),
                                      shape: [5, 3, 4], strides: [1, 20, 5], offset: 4)
        cases.append(ConformanceCase("int32 permuted", .copy, inputs: [ints],
                                     outputs: [ConformanceOutput(shape: [5, 3, 4], dtype: .int32, offset: 3)], tolerance: .exact))
        // NaN payloads, negative zero, infinities and denormals survive a copy.
        let special: [Float] = [.nan, -0.0, .infinity, -.infinity, Float(bitPattern: 0x0001_1111)]
        cases.append(ConformanceCase("special values", .copy, inputs: [.floats(special, [5])],
                                     outputs: [ConformanceOutput(shape: [5], offset: 1)], tolerance: .identical,
                                     reference: .values([.float(special)])))
        return cases
    }()

    /// `.fill` of float and int32 outputs of several lengths.
    public static let fill: [ConformanceCase] = [1, 3, 4, 1001].flatMap { count in
        [ConformanceCase("float \(count)", .fill(value: -2.5), inputs: [],
                         outputs: [ConformanceOutput(shape: [count], offset: 1)], tolerance: .exact),
         ConformanceCase("int32 \(count)", .fill(value: -3.7), inputs: [],
                         outputs: [ConformanceOutput(shape: [count], dtype: .int32, offset: 2)], tolerance: .exact)]
    }

    /// `.random` of every distribution, against the reference device and against `CounterRandom`
    /// (the generator every device must reproduce).
    public static let random: [ConformanceCase] = {
        let count = 1001, seed: UInt64 = 0xDEAD_BEEF_1234, offset: UInt64 = 123_456_789_012
        let distributions: [(RandomDistribution, Tolerance)] = [
            (.uniform(low: -2, high: 3), .exact),
            (.dropoutMask(keep: 0.7), .exact),
            (.normal(mean: 0.5, std: 2), Tolerance(abs: 1e-5, rel: 1e-5)),
        ]
        return distributions.flatMap { distribution, tolerance -> [ConformanceCase] in
            let primitive = Primitive.random(distribution, seed: seed, offset: offset)
            let expected = (0..<count).map { CounterRandom.sample(distribution, seed: seed, index: offset + UInt64($0)) }
            return [
                ConformanceCase("vs reference device", primitive, inputs: [],
                                outputs: [ConformanceOutput(shape: [count], offset: 3)], tolerance: tolerance),
                ConformanceCase("vs CounterRandom", primitive, inputs: [], outputs: [ConformanceOutput(shape: [count])],
                                tolerance: tolerance, reference: .values([.float(expected)])),
            ]
        }
    }()
}
