/// The one `execute` of every backend: checks a primitive's operands against the contract in
/// `Primitive` (through `OperandCheck`) and calls the backend's typed requirement. Both backends
/// therefore accept and refuse exactly the same calls.
extension PrimitiveKernels {
    /// Checks `inputs` and `outputs` against `primitive`'s contract, then runs it. A call whose
    /// outputs are all empty does nothing once checked.
    package func dispatch(_ primitive: Primitive, inputs: [BufferView], outputs: [BufferView]) throws {
        let context = "\(info.spec) \(primitive.contractName)"
        CommandCounter.current?.add { $0.primitives[primitive.contractName, default: 0] += 1 }
        func operands(_ inputCount: ClosedRange<Int>, _ outputCount: ClosedRange<Int>) throws -> OperandCheck {
            try OperandCheck(context, inputs, outputs, inputCount: inputCount, outputCount: outputCount)
        }
        func nothingToDo(_ views: BufferView...) -> Bool { views.allSatisfy { $0.count == 0 } }

        switch primitive {
        case let .unary(op):
            let o = try operands(1...1, 1...1)
            let y = try o.output(0, "output")
            let x = try o.input(0, "input", shape: y.shape)
            if nothingToDo(y) { return }
            try unary(op, x: x, y: y)

        case let .binary(op):
            let o = try operands(2...2, 1...1)
            let y = try o.output(0, "output")
            let a = try o.input(0, "first input", shape: y.shape), b = try o.input(1, "second input", shape: y.shape)
            if nothingToDo(y) { return }
            try binary(op, a: a, b: b, y: y)

        case .copy:
            let o = try operands(1...1, 1...1)
            let y = try o.output(0, "output", nil)
            let x = try o.input(0, "input", y.dtype, shape: y.shape)
            if nothingToDo(y) { return }
            try copy(x: x, y: y)

        case let .fill(value):
            let o = try operands(0...0, 1...1)
            let y = try o.output(0, "output", nil)
            if y.dtype == .int32 && Int32(exactly: value.rounded(.towardZero)) == nil {
                throw o.failure("\(value) does not fit an int32")
            }
            if nothingToDo(y) { return }
            try fill(value, y: y)

        case let .random(distribution, seed, offset):
            let o = try operands(0...0, 1...1)
            let y = try o.output(0, "output")
            if nothingToDo(y) { return }
            try random(distribution, seed: seed, offset: offset, y: y)

        case let .reduce(op):
            let o = try operands(1...1, 1...1)
            let x = try o.input(0, "input")
            try o.expectRank(x, 3, "input", "[outer, reduced, inner]")
            let y = try o.output(0, "output", op == .argmax ? .int32 : .float32)
            guard y.count == x.shape[0] * x.shape[2] else {
                throw o.failure("output has shape \(y.shape), expected [\(x.shape[0]), \(x.shape[2])] for input \(x.shape)")
            }
            if nothingToDo(y) { return }
            if x.shape[1] == 0 && (op == .max || op == .argmax) {
                throw o.failure("cannot take \(op) over an empty axis of input \(x.shape)")
            }
            try reduce(op, x: x, y: y)

        case let .softmax(log):
            let o = try operands(1...1, 1...1)
            let x = try o.input(0, "input", contiguous: true)
            try o.expectRank(x, 2, "input", "[rows, cols]")
            let y = try o.output(0, "output", shape: x.shape)
            if nothingToDo(y) { return }
            try softmax(log: log, x: x, y: y)

        case .crossEntropy:
            let o = try operands(2...2, 1...1)
            let logits = try o.input(0, "logits", contiguous: true)
            try o.expectRank(logits, 2, "logits", "[N, C]")
            let labels = try o.input(1, "labels", .int32, shape: [logits.shape[0]])
            let loss = try o.output(0, "loss", shape: [logits.shape[0]])
            if nothingToDo(loss) { return }
            try crossEntropy(logits: logits, labels: labels, loss: loss)

        case .countCorrect:
            let o = try operands(2...2, 1...1)
            let logits = try o.input(0, "logits", contiguous: true)
            try o.expectRank(logits, 2, "logits", "[N, C]")
            let labels = try o.input(1, "labels", .int32, shape: [logits.shape[0]])
            let count = try o.output(0, "count", shape: [1])
            if logits.shape[0] == 0 || logits.shape[1] == 0 { return }
            try countCorrect(logits: logits, labels: labels, count: count)

        case .crossEntropyBackward:
            let o = try operands(3...3, 1...1)
            let logits = try o.input(0, "logits", contiguous: true)
            try o.expectRank(logits, 2, "logits", "[N, C]")
            let labels = try o.input(1, "labels", .int32, shape: [logits.shape[0]])
            let gradLoss = try o.input(2, "gradLoss", shape: [logits.shape[0]])
            let gradLogits = try o.output(0, "gradLogits", shape: logits.shape)
            if nothingToDo(gradLogits) { return }
            try crossEntropyBackward(logits: logits, labels: labels, gradLoss: gradLoss, gradLogits: gradLogits)

        case let .matmul(transposeA, transposeB):
            let o = try operands(2...2, 1...1)
            let c = try o.output(0, "output")
            try o.expectRank(c, 3, "output", "[batch, rows, cols]")
            let a = try matrixOperand(o, 0, "first input", batch: c.shape[0])
            let b = try matrixOperand(o, 1, "second input", batch: c.shape[0])
            let (m, k) = transposeA ? (a.shape[2], a.shape[1]) : (a.shape[1], a.shape[2])
            let (kb, n) = transposeB ? (b.shape[2], b.shape[1]) : (b.shape[1], b.shape[2])
            guard k == kb, c.shape[1] == m, c.shape[2] == n else {
                throw o.failure("op(a) is \(m)x\(k) and op(b) is \(kb)x\(n) (shapes \(a.shape) and \(b.shape)), output is \(c.shape[1])x\(c.shape[2])")
            }
            if nothingToDo(c) { return }
            let shape = MatMulShape(transposeA: transposeA, transposeB: transposeB, batch: c.shape[0], m: m, n: n, k: k)
            try matmul(shape, a: a, b: b, c: c)

        case .conv2d(let g), .conv2dActivation(let g, _):
            let o = try operands(2...3, 1...1)
            if let problem = g.validationError(layer: primitive.contractName) { throw o.failure(problem) }
            let x = try o.input(0, "input", shape: g.inputShape, contiguous: true)
            let weight = try o.input(1, "weight", shape: g.weightShape, contiguous: true)
            let bias = inputs.count == 3 ? try o.input(2, "bias", shape: [g.outChannels], contiguous: true) : nil
            let y = try o.output(0, "output", shape: g.outputShape)
            if case let .conv2dActivation(_, activation) = primitive {
                try conv2dActivation(g, activation, x: x, weight: weight, bias: bias, y: y)
            } else {
                try conv2d(g, x: x, weight: weight, bias: bias, y: y)
            }

        case let .conv2dBackwardInput(g):
            let o = try operands(2...2, 1...1)
            if let problem = g.validationError(layer: "conv2dBackwardInput") { throw o.failure(problem) }
            let gradY = try o.input(0, "gradOutput", shape: g.outputShape, contiguous: true)
            let weight = try o.input(1, "weight", shape: g.weightShape, contiguous: true)
            let gradX = try o.output(0, "gradInput", shape: g.inputShape)
            try conv2dBackwardInput(g, gradY: gradY, weight: weight, gradX: gradX)

        case let .conv2dBackwardWeight(g):
            let o = try operands(2...2, 1...1)
            if let problem = g.validationError(layer: "conv2dBackwardWeight") { throw o.failure(problem) }
            let x = try o.input(0, "input", shape: g.inputShape, contiguous: true)
            let gradY = try o.input(1, "gradOutput", shape: g.outputShape, contiguous: true)
            let gradWeight = try o.output(0, "gradWeight", shape: g.weightShape)
            try conv2dBackwardWeight(g, x: x, gradY: gradY, gradWeight: gradWeight)

        case let .maxPool2d(g):
            let o = try operands(1...1, 2...2)
            if let problem = g.validationError(layer: "maxPool2d") { throw o.failure(problem) }
            let x = try o.input(0, "input", shape: g.inputShape, contiguous: true)
            let y = try o.output(0, "output", shape: g.outputShape)
            let argmax = try o.output(1, "argmax", .int32, shape: g.outputShape)
            try maxPool2d(g, x: x, y: y, argmax: argmax)

        case let .maxPool2dBackward(g):
            let o = try operands(2...2, 1...1)
            if let problem = g.validationError(layer: "maxPool2dBackward") { throw o.failure(problem) }
            let gradY = try o.input(0, "gradOutput", shape: g.outputShape, contiguous: true)
            let argmax = try o.input(1, "argmax", .int32, shape: g.outputShape, contiguous: true)
            let gradX = try o.output(0, "gradInput", shape: g.inputShape)
            try maxPool2dBackward(g, gradY: gradY, argmax: argmax, gradX: gradX)

        case let .avgPool2d(g):
            let o = try operands(1...1, 1...1)
            if let problem = g.validationError(layer: "avgPool2d") { throw o.failure(problem) }
            let x = try o.input(0, "input", shape: g.inputShape, contiguous: true)
            let y = try o.output(0, "output", shape: g.outputShape)
            try avgPool2d(g, x: x, y: y)

        case let .avgPool2dBackward(g):
            let o = try operands(1...1, 1...1)
            if let problem = g.validationError(layer: "avgPool2dBackward") { throw o.failure(problem) }
            let gradY = try o.input(0, "gradOutput", shape: g.outputShape, contiguous: true)
            let gradX = try o.output(0, "gradInput", shape: g.inputShape)
            try avgPool2dBackward(g, gradY: gradY, gradX: gradX)

        case let .localResponseNorm(p):
            let o = try operands(1...1, 1...1)
            guard p.size >= 1 else { throw o.failure("window size must be at least 1, got \(p.size)") }
            let x = try o.input(0, "input", contiguous: true)
            try o.expectRank(x, 4, "input", "[N, C, H, W]")
            let y = try o.output(0, "output", shape: x.shape)
            if nothingToDo(y) { return }
            try localResponseNorm(p, x: x, y: y)

        case let .localResponseNormBackward(p):
            let o = try operands(3...3, 1...1)
            guard p.size >= 1 else { throw o.failure("window size must be at least 1, got \(p.size)") }
            let x = try o.input(0, "input", contiguous: true)
            try o.expectRank(x, 4, "input", "[N, C, H, W]")
            let y = try o.input(1, "output", shape: x.shape, contiguous: true)
            let gradY = try o.input(2, "gradOutput", shape: x.shape, contiguous: true)
            let gradX = try o.output(0, "gradInput", shape: x.shape)
            if nothingToDo(gradX) { return }
            try localResponseNormBackward(p, x: x, y: y, gradY: gradY, gradX: gradX)

        case let .batchNorm(p):
            let o = try operands(p.training ? 3...3 : 5...5, p.training ? 5...5 : 1...1)
            let x = try o.input(0, "input", contiguous: true)
            try o.expectRank(x, 4, "input", "[N, C, H, W]")
            let channels = [x.shape[1]]
            let weight = try o.input(1, "weight", shape: channels, contiguous: true)
            let bias = try o.input(2, "bias", shape: channels, contiguous: true)
            let y = try o.output(0, "output", shape: x.shape)
            let statistics: BatchNormStatistics
            if p.training {
                guard x.count / max(x.shape[1], 1) > 1 else {
                    throw o.failure("needs more than one value per channel in training, got input \(x.shape)")
                }
                statistics = .batch(mean: try o.output(1, "mean", shape: channels), invStd: try o.output(2, "invStd", shape: channels),
                                    runningMean: try o.output(3, "runningMean", shape: channels),
                                    runningVar: try o.output(4, "runningVar", shape: channels))
            } else {
                statistics = .running(mean: try o.input(3, "runningMean", shape: channels, contiguous: true),
                                      variance: try o.input(4, "runningVar", shape: channels, contiguous: true))
            }
            if nothingToDo(y) { return }
            try batchNorm(p, x: x, weight: weight, bias: bias, y: y, statistics: statistics)

        case let .batchNormBackward(p):
            let o = try operands(5...5, 3...3)
            let x = try o.input(0, "input", contiguous: true)
            try o.expectRank(x, 4, "input", "[N, C, H, W]")
            let channels = [x.shape[1]]
            let gradY = try o.input(1, "gradOutput", shape: x.shape, contiguous: true)
            let weight = try o.input(2, "weight", shape: channels, contiguous: true)
            let mean = try o.input(3, "mean", shape: channels, contiguous: true)
            let invStd = try o.input(4, "invStd", shape: channels, contiguous: true)
            let gradX = try o.output(0, "gradInput", shape: x.shape)
            let gradWeight = try o.output(1, "gradWeight", shape: channels), gradBias = try o.output(2, "gradBias", shape: channels)
            if nothingToDo(gradX, gradWeight) { return }
            try batchNormBackward(p, x: x, gradY: gradY, weight: weight, mean: mean, invStd: invStd, gradX: gradX,
                                  gradWeight: gradWeight, gradBias: gradBias)

        case .batchNormStatistics:
            let o = try operands(1...1, 2...2)
            let x = try o.input(0, "input", contiguous: true)
            try o.expectRank(x, 4, "input", "[N, C, H, W]")
            let channels = [x.shape[1]]
            let mean = try o.output(0, "mean", shape: channels)
            let squares = try o.output(1, "squaredDeviations", shape: channels)
            if nothingToDo(mean) { return }
            try batchNormStatistics(x: x, mean: mean, squaredDeviations: squares)

        case .batchNormBackwardReduce:
            let o = try operands(4...4, 2...2)
            let x = try o.input(0, "input", contiguous: true)
            try o.expectRank(x, 4, "input", "[N, C, H, W]")
            let channels = [x.shape[1]]
            let gradY = try o.input(1, "gradOutput", shape: x.shape, contiguous: true)
            let mean = try o.input(2, "mean", shape: channels, contiguous: true)
            let invStd = try o.input(3, "invStd", shape: channels, contiguous: true)
            let sumGradY = try o.output(0, "sumGradY", shape: channels)
            let sumGradYXhat = try o.output(1, "sumGradYXhat", shape: channels)
            if nothingToDo(sumGradY) { return }
            try batchNormBackwardReduce(x: x, gradY: gradY, mean: mean, invStd: invStd, sumGradY: sumGradY,
                                        sumGradYXhat: sumGradYXhat)

        case let .batchNormBackwardInput(count):
            let o = try operands(7...7, 1...1)
            let x = try o.input(0, "input", contiguous: true)
            try o.expectRank(x, 4, "input", "[N, C, H, W]")
            let channels = [x.shape[1]]
            guard count > 0 else { throw o.failure("count must be positive, got \(count)") }
            let gradY = try o.input(1, "gradOutput", shape: x.shape, contiguous: true)
            let weight = try o.input(2, "weight", shape: channels, contiguous: true)
            let mean = try o.input(3, "mean", shape: channels, contiguous: true)
            let invStd = try o.input(4, "invStd", shape: channels, contiguous: true)
            let sumGradY = try o.input(5, "sumGradY", shape: channels, contiguous: true)
            let sumGradYXhat = try o.input(6, "sumGradYXhat", shape: channels, contiguous: true)
            let gradX = try o.output(0, "gradInput", shape: x.shape)
            if nothingToDo(gradX) { return }
            try batchNormBackwardInput(count: count, x: x, gradY: gradY, weight: weight, mean: mean, invStd: invStd,
                                       sums: (sumGradY, sumGradYXhat), gradX: gradX)

        case let .biasActivation(activation):
            let o = try operands(1...2, 1...1)
            let x = try o.input(0, "input", contiguous: true)
            try o.expectRank(x, 3, "input", "[outer, channels, inner]")
            let bias = inputs.count == 2 ? try o.input(1, "bias", shape: [x.shape[1]], contiguous: true) : nil
            let y = try o.output(0, "output", shape: x.shape)
            if nothingToDo(y) { return }
            try biasActivation(activation, x: x, bias: bias, y: y)

        case let .biasActivationBackward(activation):
            let o = try operands(2...2, 1...2)
            let gradY = try o.input(0, "gradOutput", contiguous: true)
            try o.expectRank(gradY, 3, "gradOutput", "[outer, channels, inner]")
            let y = try o.input(1, "output", shape: gradY.shape, contiguous: true)
            let gradX = try o.output(0, "gradInput", shape: gradY.shape)
            let gradBias = outputs.count == 2 ? try o.output(1, "gradBias", shape: [gradY.shape[1]]) : nil
            if nothingToDo(gradX) && gradBias == nil { return }
            try biasActivationBackward(activation, gradY: gradY, y: y, gradX: gradX, gradBias: gradBias)

        case let .sgdStep(p):
            // The momentum buffer may be left out when momentum is 0.
            let o = try operands(1...1, p.momentum == 0 ? 1...2 : 2...2)
            let param = try o.output(0, "param")
            let grad = try o.input(0, "grad", shape: param.shape, contiguous: true)
            let buffer = p.momentum != 0 ? try o.output(1, "momentumBuffer", shape: param.shape) : nil
            if nothingToDo(param) { return }
            try sgdStep(p, grad: grad, param: param, momentumBuffer: buffer)

        case let .adamStep(p):
            let o = try operands(1...1, 3...3)
            guard p.step >= 1 else { throw o.failure("step is 1-based, got \(p.step)") }
            let param = try o.output(0, "param")
            let grad = try o.input(0, "grad", shape: param.shape, contiguous: true)
            let m = try o.output(1, "firstMoment", shape: param.shape)
            let v = try o.output(2, "secondMoment", shape: param.shape)
            if nothingToDo(param) { return }
            try adamStep(p, grad: grad, param: param, firstMoment: m, secondMoment: v)
        }
    }

    /// Input `index` of a `.matmul`: rank 3 `[batch or 1, rows, cols]`, unit stride in the last
    /// dimension, a row stride of at least `cols`, and a batch stride that is not negative.
    private func matrixOperand(_ o: OperandCheck, _ index: Int, _ role: String, batch: Int) throws -> BufferView {
        let view = try o.input(index, role)
        try o.expectRank(view, 3, role, "[batch, rows, cols]")
        let (rows, cols) = (view.shape[1], view.shape[2])
        guard view.shape[0] == batch || view.shape[0] == 1 else {
            throw o.failure("\(role) has batch \(view.shape[0]) but the output has \(batch)")
        }
        guard cols <= 1 || view.strides[2] == 1 else {
            throw o.failure("\(role) (shape \(view.shape), strides \(view.strides)) needs unit stride in its last dimension")
        }
        guard rows <= 1 || cols == 0 || view.strides[1] >= cols else {
            throw o.failure("\(role) (shape \(view.shape), strides \(view.strides)) has a row stride below its \(cols) columns")
        }
        guard view.shape[0] == 1 || view.strides[0] >= 0 else {
            throw o.failure("\(role) has negative batch stride \(view.strides[0])")
        }
        return view
    }
}

extension Primitive {
    /// The primitive as messages name it: `unary(exp)`, `conv2d`, `matmul(transposeA: true, …)`.
    package var contractName: String {
        switch self {
        case let .unary(op): "unary(\(op))"
        case let .binary(op): "binary(\(op))"
        case .copy: "copy"
        case let .fill(value): "fill(\(value))"
        case let .random(distribution, _, _): "random(\(distribution))"
        case let .reduce(op): "reduce(\(op))"
        case let .softmax(log): log ? "logSoftmax" : "softmax"
        case .crossEntropy: "crossEntropy"
        case .crossEntropyBackward: "crossEntropyBackward"
        case .countCorrect: "countCorrect"
        case let .matmul(transposeA, transposeB): "matmul(transposeA: \(transposeA), transposeB: \(transposeB))"
        case .conv2d: "conv2d"
        case let .conv2dActivation(_, activation): "conv2dActivation(\(activation))"
        case .conv2dBackwardInput: "conv2dBackwardInput"
        case .conv2dBackwardWeight: "conv2dBackwardWeight"
        case .maxPool2d: "maxPool2d"
        case .maxPool2dBackward: "maxPool2dBackward"
        case .avgPool2d: "avgPool2d"
        case .avgPool2dBackward: "avgPool2dBackward"
        case .localResponseNorm: "localResponseNorm"
        case .localResponseNormBackward: "localResponseNormBackward"
        case let .batchNorm(p): p.training ? "batchNorm(training)" : "batchNorm(evaluation)"
        case let .batchNormBackward(p): p.training ? "batchNormBackward(training)" : "batchNormBackward(evaluation)"
        case .batchNormStatistics: "batchNormStatistics"
        case .batchNormBackwardReduce: "batchNormBackwardReduce"
        case let .batchNormBackwardInput(count): "batchNormBackwardInput(count: \(count))"
        case let .biasActivation(activation): "biasActivation(\(activation))"
        case let .biasActivationBackward(activation): "biasActivationBackward(\(activation))"
        case .sgdStep: "sgdStep"
        case .adamStep: "adamStep"
        }
    }
}
