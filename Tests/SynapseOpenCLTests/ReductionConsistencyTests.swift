import Foundation
import SynapseTestSupport
import Testing

/// Reductions, softmax and cross-entropy on every OpenCL device against the CPU.
@Suite struct ReductionConsistencyTests {
    /// `[outer, reduced, inner]` inputs covering both kernel variants (a work-group per output for
    /// long reductions, a work item per output otherwise), strided and permuted views, and batch 1.
    static func inputs(_ random: inout TestRandom, coarse: Bool) -> [(String, Operand)] {
        func data(_ n: Int) -> [Float] { coarse ? random.coarse(n, levels: 3) : random.floats(n, -2...2) }
        return [
            ("one long row", .floats(data(1000), [1, 1000, 1])),
            ("rows with inner", .floats(data(7 * 300 * 5), [7, 300, 5])),
            ("short columns", .floats(data(3 * 17 * 4), [3, 17, 4])),
            ("many outputs", .floats(data(50 * 70 * 41), [50, 70, 41])),
            ("permuted", .view(data(9 * 65 * 3), [3, 65, 9], strides: [1, 27, 3])),
            ("broadcast rows + offset", .view(data(2 + 130), [4, 130, 1], strides: [0, 1, 1], offset: 2)),
            ("reduced 1", .floats(data(6 * 1 * 5), [6, 1, 5])),
            ("reduce leading axis", .view(data(33 * 129), [1, 129, 33], strides: [0, 33, 1])),
        ]
    }

    @Test(arguments: TestDevices.openCLSpecs)
    func reduce(spec: String) throws {
        var random = TestRandom(10)
        for op in [ReduceOp.sum, .mean, .max, .argmax] {
            // Coarse values make ties: argmax must return the first maximal index.
            for (label, x) in Self.inputs(&random, coarse: op == .argmax || op == .max) {
                let output = Output(shape: [x.shape[0], x.shape[2]], dtype: op == .argmax ? .int32 : .float32, offset: 1)
                try Harness.compare(.reduce(op), on: spec, inputs: [x], outputs: [output],
                                    tolerance: op == .max ? .exact : .accumulation, label)
            }
        }
    }

    @Test(arguments: TestDevices.openCLSpecs)
    func reduceWithNaNAndEmptySum(spec: String) throws {
        var values = (0..<200).map { Float($0 % 7) }
        values[37] = .nan
        for op in [ReduceOp.max, .argmax, .sum] {
            let output = Output(shape: [1, 1], dtype: op == .argmax ? .int32 : .float32)
            try Harness.compare(.reduce(op), on: spec, inputs: [.floats(values, [1, 200, 1])], outputs: [output],
                                tolerance: .exact, "NaN inside")
        }
        try Harness.compare(.reduce(.sum), on: spec, inputs: [.floats([], [2, 0, 3])], outputs: [Output(shape: [2, 3])],
                            tolerance: .exact, "empty sum")
    }

    @Test(arguments: TestDevices.openCLSpecs)
    func softmax(spec: String) throws {
        var random = TestRandom(11)
        for log in [false, true] {
            for shape in [[5, 10], [3, 1000], [1, 1], [64, 7], [2, 257]] {
                let x = Operand.floats(random.floats(shape[0] * shape[1], -8...8), shape)
                try Harness.compare(.softmax(log: log), on: spec, inputs: [x], outputs: [Output(shape: shape, offset: 3)],
                                    tolerance: .transcendental, "\(shape)")
            }
            // Offset input rows, large logits (max subtraction matters).
            let x = Operand(storage: .float([0, 0] + random.floats(4 * 9, 80...90)), shape: [4, 9], offset: 2)
            try Harness.compare(.softmax(log: log), on: spec, inputs: [x], outputs: [Output(shape: [4, 9])],
                                tolerance: .transcendental, "offset, large logits")
        }
    }

    @Test(arguments: TestDevices.openCLSpecs)
    func crossEntropy(spec: String) throws {
        var random = TestRandom(12)
        for (n, c) in [(6, 10), (1, 1001), (33, 3)] {
            let logits = Operand.floats(random.floats(n * c, -5...5), [n, c])
            var labels = random.ints(n, below: c)
            if n > 2 { labels[1] = Int32(c); labels[2] = -1 }  // outside 0..<C: NaN
            try Harness.compare(.crossEntropy, on: spec, inputs: [logits, .ints(labels, [n])], outputs: [Output(shape: [n], offset: 1)],
                                tolerance: .transcendental, "\(n)x\(c)")
        }
        // Strided labels.
        let logits = Operand.floats(random.floats(5 * 4, -3...3), [5, 4])
        let labels = Operand(storage: .int(random.ints(10, below: 4)), shape: [5], strides: [2])
        try Harness.compare(.crossEntropy, on: spec, inputs: [logits, labels], outputs: [Output(shape: [5])],
                            tolerance: .transcendental, "strided labels")
    }

    @Test(arguments: TestDevices.openCLSpecs)
    func crossEntropyBackward(spec: String) throws {
        var random = TestRandom(13)
        for (n, c) in [(6, 10), (1, 1001), (33, 3)] {
            let logits = Operand.floats(random.floats(n * c, -5...5), [n, c])
            var labels = random.ints(n, below: c)
            if n > 2 { labels[2] = Int32(c + 4) }
            // The loss gradient of a mean arrives as one value broadcast with stride 0.
            let broadcast = Operand.view([1 / Float(n)], [n], strides: [0])
            let perRow = Operand.floats(random.floats(n), [n])
            for (label, gradLoss) in [("broadcast gradLoss", broadcast), ("per-row gradLoss", perRow)] {
                try Harness.compare(.crossEntropyBackward, on: spec, inputs: [logits, .ints(labels, [n]), gradLoss],
                                    outputs: [Output(shape: [n, c], offset: 2)], tolerance: .transcendental, "\(n)x\(c) \(label)")
            }
        }
    }
}
