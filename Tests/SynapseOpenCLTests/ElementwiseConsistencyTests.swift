import Foundation
import SynapseTestSupport
import Testing

/// Unary, binary, copy, fill and random on every OpenCL device against the CPU, over contiguous,
/// offset, permuted and broadcast views with odd sizes.
@Suite struct ElementwiseConsistencyTests {
    static let unaryOps: [UnaryOp] = [.negate, .exp, .log, .sqrt, .abs, .relu, .tanh, .sigmoid, .square, .reciprocal,
                                      .addScalar(0.75), .mulScalar(-1.5), .powScalar(3), .powScalar(0.5), .powScalar(2),
                                      .powScalar(1), .powScalar(-1.25), .reverseSubScalar(1)]
    static let binaryOps: [BinaryOp] = [.add, .sub, .mul, .div, .maximum, .minimum, .equal, .reluBackward,
                                        .tanhBackward, .sigmoidBackward, .powBackward(exponent: 3),
                                        .powBackward(exponent: 2), .powBackward(exponent: 0), .powBackward(exponent: 0.5)]

    /// Views of `[rows, cols]` shape over fresh storage: contiguous with an offset, a transposed
    /// (permuted) view, a row broadcast (stride 0), and a 4-d permuted view; values from `make`.
    static func views(_ random: inout TestRandom, _ make: (inout TestRandom, Int) -> [Float]) -> [(String, Operand)] {
        [
            ("contiguous+offset", .view(make(&random, 3 + 7 * 13), [7, 13], strides: [13, 1], offset: 3)),
            ("transposed", .view(make(&random, 9 * 5), [5, 9], strides: [1, 5])),
            ("row broadcast", .view(make(&random, 6), [4, 6], strides: [0, 1])),
            ("permuted 4-d", .view(make(&random, 2 * 3 * 5 * 7), [5, 2, 7, 3], strides: [7, 105, 1, 35])),
            ("long contiguous", .floats(make(&random, 1027), [1027])),
            ("scalar broadcast", .view(make(&random, 1), [3, 1, 5], strides: [0, 0, 0])),
        ]
    }

    static func tolerance(_ op: UnaryOp) -> Tolerance {
        switch op {
        case .exp, .log, .tanh, .sigmoid, .powScalar: return .transcendental
        default: return .arithmetic
        }
    }

    static func needsPositive(_ op: UnaryOp) -> Bool {
        switch op {
        case .log, .sqrt, .powScalar(0.5), .powScalar(-1.25): return true
        default: return false
        }
    }

    @Test(arguments: TestDevices.openCLSpecs)
    func unary(spec: String) throws {
        var random = TestRandom(1)
        for op in Self.unaryOps {
            let make: (inout TestRandom, Int) -> [Float] = Self.needsPositive(op)
                ? { r, n in r.floats(n, 0.05...3) } : { r, n in r.floats(n, -3...3) }
            for (label, x) in Self.views(&random, make) {
                try Harness.compare(.unary(op), on: spec, inputs: [x], outputs: [Output(shape: x.shape, offset: 2)],
                                    tolerance: Self.tolerance(op), label)
            }
        }
    }

    @Test(arguments: TestDevices.openCLSpecs)
    func binary(spec: String) throws {
        var random = TestRandom(2)
        for op in Self.binaryOps {
            let tolerance: Tolerance = if case .powBackward = op { .transcendental } else { .arithmetic }
            // pow's base must be positive for fractional exponents; coarse values make ties for equal/max.
            let make: (inout TestRandom, Int) -> [Float] = if case .powBackward = op { { r, n in r.floats(n, 0.1...2) } }
                else if op == .equal || op == .maximum || op == .minimum { { r, n in r.coarse(n) } }
                else { { r, n in r.floats(n, -2...2).map { $0 == 0 ? 0.5 : $0 } } }
            let lefts = Self.views(&random, make), rights = Self.views(&random, make)
            for ((leftLabel, a), (rightLabel, b)) in zip(lefts, rights) {
                try Harness.compare(.binary(op), on: spec, inputs: [a, b], outputs: [Output(shape: a.shape, offset: 1)],
                                    tolerance: tolerance, "\(leftLabel) with \(rightLabel)")
            }
            // Mixed layouts: a bias row broadcast over a transposed matrix, and a column broadcast.
            let matrix = Operand.view(make(&random, 11 * 6), [6, 11], strides: [1, 6])
            let row = Operand.view(make(&random, 11), [6, 11], strides: [0, 1])
            let column = Operand.view(make(&random, 6 * 2), [6, 11], strides: [2, 0], offset: 1)
            try Harness.compare(.binary(op), on: spec, inputs: [matrix, row], outputs: [Output(shape: [6, 11])],
                                tolerance: tolerance, "transposed with row broadcast")
            try Harness.compare(.binary(op), on: spec, inputs: [column, matrix], outputs: [Output(shape: [6, 11])],
                                tolerance: tolerance, "column broadcast with transposed")
        }
    }

    @Test(arguments: TestDevices.openCLSpecs)
    func copy(spec: String) throws {
        var random = TestRandom(3)
        for (label, x) in Self.views(&random, { r, n in r.floats(n) }) {
            try Harness.compare(.copy, on: spec, inputs: [x], outputs: [Output(shape: x.shape, offset: 5)], tolerance: .exact, label)
        }
        // int32 moves its bits unchanged, permuted and offset.
        let ints = Operand(storage: .int(random.ints(4 + 3 * 4 * 5, below: 1000).map { $0 - 500 }),
                           shape: [5, 3, 4], strides: [1, 20, 5], offset: 4)
        try Harness.compare(.copy, on: spec, inputs: [ints], outputs: [Output(shape: [5, 3, 4], dtype: .int32, offset: 3)],
                            tolerance: .exact, "int32 permuted")
        // NaN payloads and negative zero survive a copy.
        let denormal = Float(bitPattern: 0x0001_1111)
        let special = Operand.floats([.nan, -0.0, .infinity, -.infinity, denormal], [5])
        let results = try Harness.run(.copy, on: TestDevices.device(spec), inputs: [special], outputs: [Output(shape: [5])])
        guard case let .float(values) = results[0] else { return }
        #expect(values[0].bitPattern == Float.nan.bitPattern && values[1].bitPattern == (-0.0 as Float).bitPattern)
        #expect(values[4] == denormal)
    }

    @Test(arguments: TestDevices.openCLSpecs)
    func fill(spec: String) throws {
        for count in [1, 3, 4, 1001] {
            try Harness.compare(.fill(value: -2.5), on: spec, inputs: [], outputs: [Output(shape: [count], offset: 1)],
                                tolerance: .exact, "float")
            try Harness.compare(.fill(value: -3.7), on: spec, inputs: [], outputs: [Output(shape: [count], dtype: .int32, offset: 2)],
                                tolerance: .exact, "int32")
        }
    }

    @Test(arguments: TestDevices.openCLSpecs)
    func randomMatchesCounterRandom(spec: String) throws {
        let count = 1001
        let offset: UInt64 = 123_456_789_012
        let cases: [(RandomDistribution, Tolerance)] = [
            (.uniform(low: -2, high: 3), .exact),
            (.dropoutMask(keep: 0.7), .exact),
            (.normal(mean: 0.5, std: 2), Tolerance(abs: 1e-5, rel: 1e-5)),
        ]
        for (distribution, tolerance) in cases {
            let primitive = Primitive.random(distribution, seed: 0xDEAD_BEEF_1234, offset: offset)
            let cpu = try Harness.compare(primitive, on: spec, inputs: [], outputs: [Output(shape: [count], offset: 3)],
                                          tolerance: tolerance)
            // And directly against the generator every device must reproduce.
            let device = try Harness.run(primitive, on: TestDevices.device(spec), inputs: [], outputs: [Output(shape: [count])])
            var reference = (0..<count).map {
                CounterRandom.sample(distribution, seed: 0xDEAD_BEEF_1234, index: offset + UInt64($0))
            }
            reference += [Output.sentinel, Output.sentinel]
            Harness.expectClose(device[0], .float(reference), tolerance, "\(distribution) vs CounterRandom on \(spec)")
            _ = cpu
        }
    }
}
