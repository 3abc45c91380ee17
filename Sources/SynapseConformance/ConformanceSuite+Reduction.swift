import SynapseBackend

/// Reductions, softmax and cross-entropy.
extension ConformanceSuite {
    /// `[outer, reduced, inner]` inputs covering both OpenCL kernel variants (a work-group per
    /// output for long reductions, a work item per output otherwise), strided and permuted views,
    /// and batch 1.
    static func reductionInputs(_ random: inout SeededRandom, coarse: Bool) -> [(String, ConformanceOperand)] {
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

    /// `.reduce` of every op over every input (coarse values for max and argmax, so argmax must
    /// return the first maximal index), NaN inside a row, and an empty sum.
    public static let reduce: [ConformanceCase] = {
        var random = SeededRandom(10)
        var cases: [ConformanceCase] = []
        for op in [ReduceOp.sum, .mean, .max, .argmax] {
            for (label, x) in reductionInputs(&random, coarse: op == .argmax || op == .max) {
                let output = ConformanceOutput(shape: [x.shape[0], x.shape[2]], dtype: op == .argmax ? .int32 : .float32, offset: 1)
                cases.append(ConformanceCase(label, .reduce(op), inputs: [x], outputs: [output],
                                             tolerance: op == .max || op == .argmax ? .exact : .accumulation))
            }
        }
        var values = (0..<200).map { Float($0 % 7) }
        values[37] = .nan
        for op in [ReduceOp.max, .argmax, .sum] {
            let output = ConformanceOutput(shape: [1, 1], dtype: op == .argmax ? .int32 : .float32)
            cases.append(ConformanceCase("NaN inside", .reduce(op), inputs: [.floats(values, [1, 200, 1])], outputs: [output],
                                         tolerance: .exact))
        }
        cases.append(ConformanceCase("empty sum", .reduce(.sum), inputs: [.floats([], [2, 0, 3])],
                                     outputs: [ConformanceOutput(shape: [2, 3])], tolerance: .exact))
        return cases
    }()

    /// `.softmax` and log-softmax of several row lengths, offset rows and large logits.
    public static let softmax: [ConformanceCase] = {
        var random = SeededRandom(11)
        var cases: [ConformanceCase] = []
        for log in [false, true] {
            let kind = log ? "log" : "plain"
            for shape in [[5, 10], [3, 1000], [1, 1], [64, 7], [2, 257]] {
                let x = ConformanceOperand.floats(random.floats(shape[0] * shape[1], -8...8), shape)
                cases.append(ConformanceCase("\(kind) \(shape)", .softmax(log: log), inputs: [x],
                                             outputs: [ConformanceOutput(shape: shape, offset: 3)], tolerance: .transcendental))
            }
            // Offset input rows, large logits (max subtraction matters).
            let x = ConformanceOperand(storage: .float([0, 0] + random.floats(4 * 9, 80...90)), shape: [4, 9], offset: 2)
            cases.append(ConformanceCase("\(kind) offset, large logits", .softmax(log: log), inputs: [x],
                                         outputs: [ConformanceOutput(shape: [4, 9])], tolerance: .transcendental))
        }
        return cases
    }()

    /// `.countCorrect` added to a count, over rows with ties (the first maximum wins), NaN (maximal),
    /// labels outside `0..<C`, strided labels, and more rows than a work-group holds.
    public static let countCorrect: [ConformanceCase] = {
        var random = SeededRandom(13)
        var cases: [ConformanceCase] = []
        for (n, c) in [(7, 4), (1, 1), (300, 10)] {
            var values = random.floats(n * c, -2...2).map { ($0 * 2).rounded() / 2 }  // many ties
            if n > 2 { values[c + 1] = .nan; values[2 * c] = .nan }
            var labels = random.ints(n, below: c)
            for i in stride(from: 0, to: n, by: 3) { labels[i] = Int32(values[(i * c)..<(i * c + c)].firstIndex(of: values[(i * c)..<(i * c + c)].max()!)! - i * c) }
            if n > 4 { labels[3] = Int32(c); labels[4] = -1 }
            cases.append(ConformanceCase("\(n)x\(c)", .countCorrect, inputs: [.floats(values, [n, c]), .ints(labels, [n])],
                                         outputs: [ConformanceOutput(shape: [1], initial: [3])], tolerance: .exact))
        }
        let labels = ConformanceOperand(storage: .int(random.ints(10, below: 4)), shape: [5], strides: [2])
        cases.append(ConformanceCase("strided labels", .countCorrect,
                                     inputs: [.floats(random.floats(5 * 4, -3...3), [5, 4]), labels],
                                     outputs: [ConformanceOutput(shape: [1], initial: [0])], tolerance: .exact))
        return cases
    }()

    /// `.crossEntropy` with labels outside `0..<C` (NaN) and strided labels.
    public static let crossEntropy: [ConformanceCase] = {
        var random = SeededRandom(12)
        var cases: [ConformanceCase] = []
        for (n, c) in [(6, 10), (1, 1001), (33, 3)] {
            let logits = ConformanceOperand.floats(random.floats(n * c, -5...5), [n, c])
            var labels = random.ints(n, below: c)
            if n > 2 { labels[1] = Int32(c); labels[2] = -1 }
            cases.append(ConformanceCase("\(n)x\(c)", .crossEntropy, inputs: [logits, .ints(labels, [n])],
                                         outputs: [ConformanceOutput(shape: [n], offset: 1)], tolerance: .transcendental))
        }
        let logits = ConformanceOperand.floats(random.floats(5 * 4, -3...3), [5, 4])
        let labels = ConformanceOperand(storage: .int(random.ints(10, below: 4)), shape: [5], strides: [2])
        cases.append(ConformanceCase("strided labels", .crossEntropy, inputs: [logits, labels],
                                     outputs: [ConformanceOutput(shape: [5])], tolerance: .transcendental))
        return cases
    }()

    /// `.crossEntropyBackward` with the loss gradient of a mean (one value broadcast by stride 0)
    /// and a per-row loss gradient.
    public static let crossEntropyBackward: [ConformanceCase] = {
        var random = SeededRandom(13)
        var cases: [ConformanceCase] = []
        for (n, c) in [(6, 10), (1, 1001), (33, 3)] {
            let logits = ConformanceOperand.floats(random.floats(n * c, -5...5), [n, c])
            var labels = random.ints(n, below: c)
            if n > 2 { labels[2] = Int32(c + 4) }
            let broadcast = ConformanceOperand.view([1 / Float(n)], [n], strides: [0])
            let perRow = ConformanceOperand.floats(random.floats(n), [n])
            for (label, gradLoss) in [("broadcast gradLoss", broadcast), ("per-row gradLoss", perRow)] {
                cases.append(ConformanceCase("\(n)x\(c) \(label)", .crossEntropyBackward,
                                             inputs: [logits, .ints(labels, [n]), gradLoss],
                                             outputs: [ConformanceOutput(shape: [n, c], offset: 2)], tolerance: .transcendental))
            }
        }
        return cases
    }()
}
