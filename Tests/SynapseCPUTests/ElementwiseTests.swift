import Foundation
import SynapseTestSupport
import Testing

extension CPU {
    @Suite struct Elementwise {
        @Test func unaryOpsFollowTheirDefinitions() throws {
            let values: [Float] = [-2, -0.5, 0.25, 1, 3]
            let x = try Host.upload(values, [5])
            let cases: [(UnaryOp, (Double) -> Double)] = [
                (.negate, { -$0 }), (.exp, { Foundation.exp($0) }), (.abs, { Swift.abs($0) }),
                (.relu, { max($0, 0) }), (.tanh, { Foundation.tanh($0) }), (.sigmoid, { 1 / (1 + Foundation.exp(-$0)) }),
                (.square, { $0 * $0 }), (.reciprocal, { 1 / $0 }), (.addScalar(1.5), { $0 + 1.5 }),
                (.mulScalar(-3), { $0 * -3 }), (.powScalar(3), { $0 * $0 * $0 }), (.reverseSubScalar(1), { 1 - $0 }),
            ]
            for (op, reference) in cases {
                expectClose(try Host.run1(.unary(op), [x], [5]), values.map { reference(Double($0)) },
                            absolute: 1e-6, relative: 1e-6, "\(op)")
            }
            let positive = try Host.upload([0.25, 1, 4], [3])
            expectClose(try Host.run1(.unary(.log), [positive], [3]), [-1.3862944, 0, 1.3862944], absolute: 1e-6, "log")
            expectClose(try Host.run1(.unary(.sqrt), [positive], [3]), [0.5, 1, 2], "sqrt")
            expectClose(try Host.run1(.unary(.powScalar(0.5)), [positive], [3]), [0.5, 1, 2], "pow 0.5")
        }

        @Test func binaryOpsFollowTheirDefinitions() throws {
            let a = try Host.upload([-1, 2, 3, 0.5], [4]), b = try Host.upload([2, 2, -1, 0.5], [4])
            let cases: [(BinaryOp, [Float])] = [
                (.add, [1, 4, 2, 1]), (.sub, [-3, 0, 4, 0]), (.mul, [-2, 4, -3, 0.25]), (.div, [-0.5, 1, -3, 1]),
                (.maximum, [2, 2, 3, 0.5]), (.minimum, [-1, 2, -1, 0.5]), (.equal, [0, 1, 0, 1]),
                (.reluBackward, [-1, 2, 0, 0.5]), (.tanhBackward, [3, -6, 0, 0.375]),
                (.sigmoidBackward, [2, -4, -6, 0.125]), (.powBackward(exponent: 3), [-12, 24, 9, 0.375]),
            ]
            for (op, expected) in cases {
                expectClose(try Host.run1(.binary(op), [a, b], [4]), expected, "\(op)")
            }
            let nan = try Host.upload([.nan, 1], [2]), one = try Host.upload([1, .nan], [2])
            let maxima = try Host.run1(.binary(.maximum), [nan, one], [2])
            #expect(maxima[0].isNaN && maxima[1].isNaN, "maximum propagates NaN like torch.maximum")
        }

        @Test func broadcastStridesOfZero() throws {
            let a = try Host.upload([1, 2, 3, 4, 5, 6], [2, 3])
            let row = try Host.view([10, 20, 30], shape: [2, 3], strides: [0, 1])
            #expect(try Host.run1(.binary(.add), [a, row], [2, 3]) == [11, 22, 33, 14, 25, 36])
            let column = try Host.view([100, 200], shape: [2, 3], strides: [1, 0])
            #expect(try Host.run1(.binary(.add), [a, column], [2, 3]) == [101, 102, 103, 204, 205, 206])
            #expect(try Host.run1(.binary(.sub), [column, a], [2, 3]) == [99, 98, 97, 196, 195, 194])
            let scalar = try Host.view([7], shape: [2, 3], strides: [0, 0])
            #expect(try Host.run1(.binary(.mul), [scalar, a], [2, 3]) == [7, 14, 21, 28, 35, 42])
            // A bias over NCHW channels: strides [0, 1, 0, 0].
            let x = try Host.upload([Float](repeating: 1, count: 2 * 3 * 2 * 2), [2, 3, 2, 2])
            let bias = try Host.view([0, 10, 20], shape: [2, 3, 2, 2], strides: [0, 1, 0, 0])
            let y = try Host.run1(.binary(.add), [x, bias], [2, 3, 2, 2])
            let expected: [Float] = (0..<24).map { (index: Int) -> Float in Float(1 + 10 * ((index / 4) % 3)) }
            #expect(y == expected)
        }

        @Test func largeStridedOperandsAcrossThreads() throws {
            // Big enough for ParallelFor to split, with a transposed and a broadcast operand.
            let (rows, cols) = (300, 257)
            let storage = Host.randoms(rows * cols, seed: 3)
            let transposed = try Host.view(storage, shape: [cols, rows], strides: [1, cols])
            let bias = Host.randoms(rows, seed: 4)
            let broadcast = try Host.view(bias, shape: [cols, rows], strides: [0, 1])
            let y = try Host.run1(.binary(.sub), [transposed, broadcast], [cols, rows])
            var expected = [Float](repeating: 0, count: rows * cols)
            for c in 0..<cols { for r in 0..<rows { expected[c * rows + r] = storage[r * cols + c] - bias[r] } }
            #expect(y == expected)
            let e = try Host.run1(.unary(.exp), [transposed], [cols, rows])
            expectClose(e, expected.indices.map { Foundation.exp(Double(storage[($0 % rows) * cols + $0 / rows])) }, "exp")
        }

        @Test func permutedAndOffsetCopy() throws {
            let storage = (0..<24).map(Float.init)
            // x[i, j, k] = 12i + 4j + k, viewed as [k, i, j].
            let permuted = try Host.view(storage, shape: [4, 2, 3], strides: [1, 12, 4])
            let y = try Host.run1(.copy, [permuted], [4, 2, 3])
            var expected: [Float] = []
            for k in 0..<4 { for i in 0..<2 { for j in 0..<3 { expected.append(Float(12 * i + 4 * j + k)) } } }
            #expect(y == expected)
            // Columns 1..<3 of rows 1..<3 of a 4x6 matrix.
            let slice = try Host.view(storage, shape: [2, 2], strides: [6, 1], offset: 7)
            #expect(try Host.run1(.copy, [slice], [2, 2]) == [7, 8, 13, 14])
            // int32 bits move unchanged.
            let ints = try Host.upload(ints: [1, -2, 3, -4], [2, 2])
            let transposedInts = BufferView(buffer: ints.buffer, shape: [2, 2], strides: [1, 2], dtype: .int32)
            let out = try Host.empty([2, 2], dtype: .int32)
            try Host.device.execute(.copy, inputs: [transposedInts], outputs: [out])
            #expect(try Host.download(ints: out) == [1, 3, -2, -4])
        }

        @Test func fillFloatAndInt32() throws {
            #expect(try Host.run1(.fill(value: 2.5), [], [3]) == [2.5, 2.5, 2.5])
            let ints = try Host.empty([4], dtype: .int32)
            try Host.device.execute(.fill(value: 7), inputs: [], outputs: [ints])
            #expect(try Host.download(ints: ints) == [7, 7, 7, 7])
            try Host.device.execute(.fill(value: -3), inputs: [], outputs: [ints])
            #expect(try Host.download(ints: ints) == [-3, -3, -3, -3])
            let big = try Host.run1(.fill(value: -1), [], [100_000])
            #expect(big.allSatisfy { $0 == -1 })
        }
    }

    @Suite struct EmptyTensors {
        @Test func zeroElementsAreANoOp() throws {
            let empty = try Host.upload([], [3, 0])
            #expect(try Host.run1(.unary(.exp), [empty], [3, 0]).isEmpty)
            #expect(try Host.run1(.binary(.add), [empty, empty], [3, 0]).isEmpty)
            #expect(try Host.run1(.copy, [empty], [3, 0]).isEmpty)
            #expect(try Host.run1(.fill(value: 1), [], [0]).isEmpty)
            // Sum over an empty axis is 0, the mean NaN (as in PyTorch).
            let none = try Host.upload([], [2, 0, 3])
            #expect(try Host.run1(.reduce(.sum), [none], [2, 3]) == [0, 0, 0, 0, 0, 0])
            #expect(try Host.run1(.reduce(.mean), [none], [2, 3]).allSatisfy(\.isNaN))
            #expect(throws: DeviceError.self) { try Host.run1(.reduce(.max), [none], [2, 3]) }
            // A product over an empty inner dimension is all zeros.
            let c = try Host.run1(.matmul(transposeA: false, transposeB: false),
                                  [try Host.upload([], [1, 2, 0]), try Host.upload([], [1, 0, 3])], [1, 2, 3])
            #expect(c == [0, 0, 0, 0, 0, 0])
        }
    }

    @Suite struct Random {
        @Test func reproducibleAndEqualToCounterRandom() throws {
            let cases: [RandomDistribution] = [.uniform(low: -1, high: 3), .normal(mean: 2, std: 0.5), .dropoutMask(keep: 0.8)]
            for distribution in cases {
                let first = try Host.run1(.random(distribution, seed: 42, offset: 1000), [], [257])
                let again = try Host.run1(.random(distribution, seed: 42, offset: 1000), [], [257])
                #expect(first == again)
                #expect(first == (0..<257).map { CounterRandom.sample(distribution, seed: 42, index: 1000 + UInt64($0)) })
                let shifted = try Host.run1(.random(distribution, seed: 42, offset: 1005), [], [10])
                #expect(Array(first[5..<15]) == shifted)
                let otherSeed = try Host.run1(.random(distribution, seed: 43, offset: 1000), [], [257])
                #expect(otherSeed != first)
            }
        }

        @Test func momentsOfEachDistribution() throws {
            let n = 200_000
            func moments(_ d: RandomDistribution) throws -> (mean: Double, std: Double, values: [Float]) {
                let v = try Host.run1(.random(d, seed: 7, offset: 0), [], [n])
                let mean = v.reduce(0.0) { $0 + Double($1) } / Double(n)
                let variance = v.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(n)
                return (mean, variance.squareRoot(), v)
            }
            let uniform = try moments(.uniform(low: -1, high: 3))
            #expect(Swift.abs(uniform.mean - 1) < 0.01)
            #expect(Swift.abs(uniform.std - 4 / 12.0.squareRoot()) < 0.01)
            #expect(uniform.values.allSatisfy { $0 >= -1 && $0 < 3 })
            let normal = try moments(.normal(mean: 2, std: 0.5))
            #expect(Swift.abs(normal.mean - 2) < 0.01)
            #expect(Swift.abs(normal.std - 0.5) < 0.01)
            let mask = try moments(.dropoutMask(keep: 0.8))
            #expect(mask.values.allSatisfy { $0 == 0 || $0 == 1.25 })
            #expect(Swift.abs(mask.mean - 1) < 0.01)
            let kept = Double(mask.values.filter { $0 != 0 }.count) / Double(n)
            #expect(Swift.abs(kept - 0.8) < 0.005)
        }
    }
}
