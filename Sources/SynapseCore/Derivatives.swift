import SynapseBackend

/// The chain rule of every recorded operation, in one place (its helpers are in
/// `DerivativeHelpers.swift`), written in tensor operations so
/// gradients are computed on the device that holds the data. Runs with the graph off.
enum Derivatives {
    /// The gradients of `node`'s inputs given the gradient of its output (nil for an input that
    /// needs none).
    ///
    /// `destinations[i]`, when given, is where input `i`'s gradient belongs (a parameter's gradient
    /// slot): the ops that compute a parameter gradient in one primitive write it there and return
    /// that very tensor; the others return a new tensor as usual.
    static func vectorJacobianProducts(_ node: Node, gradient g: Tensor, into destinations: [Tensor?] = []) -> [Tensor?] {
        let x = node.inputs[0]
        func destination(_ i: Int) -> Tensor? { i < destinations.count ? destinations[i] : nil }
        let needs = node.inputs.map(\.requiresGradient)
        /// Gradient for input `i`, computed only when it is needed.
        func grad(_ i: Int, _ compute: () -> Tensor) -> Tensor? { needs[i] ? compute() : nil }
        func saved(_ i: Int) -> Tensor { node.saved[i] }

        switch node.op {
        // MARK: Elementwise, broadcasting
        case .add:
            return [grad(0) { g.sum(toShape: x.shape) }, grad(1) { g.sum(toShape: node.inputs[1].shape) }]
        case .sub:
            return [grad(0) { g.sum(toShape: x.shape) }, grad(1) { (-g).sum(toShape: node.inputs[1].shape) }]
        case .mul:
            let y = node.inputs[1]
            return [grad(0) { (g * y).sum(toShape: x.shape) }, grad(1) { (g * x).sum(toShape: y.shape) }]
        case .div:
            let y = node.inputs[1]
            return [grad(0) { (g / y).sum(toShape: x.shape) },
                    grad(1) { (-(g * x) / y.square()).sum(toShape: y.shape) }]
        case .maximum, .minimum:
            let y = node.inputs[1]
            let winner = node.op == .maximum ? Tensor.maximum(x, y) : Tensor.minimum(x, y)
            let fromX = Tensor.equal(winner, x)
            return [grad(0) { (g * fromX).sum(toShape: x.shape) }, grad(1) { (g * (1 - fromX)).sum(toShape: y.shape) }]

        // MARK: Elementwise, one input
        case let .unary(op):
            switch op {
            case .negate: return [-g]
            case .exp: return [g * saved(0)]
            case .log: return [g / x]
            case .sqrt: return [g * 0.5 / saved(0)]
            case .abs: return [Tensor.binary(.reluBackward, g, x, nil, name: "abs") - Tensor.binary(.reluBackward, g, -x, nil, name: "abs")]
            case .relu: return [Tensor.binary(.reluBackward, g, x, nil, name: "relu")]
            case .tanh: return [Tensor.binary(.tanhBackward, g, saved(0), nil, name: "tanh")]
            case .sigmoid: return [Tensor.binary(.sigmoidBackward, g, saved(0), nil, name: "sigmoid")]
            case .square: return [g * x * 2]
            case .reciprocal: return [-(g * saved(0).square())]
            case .addScalar: return [g]
            case let .mulScalar(c): return [g * c]
            case let .powScalar(c): return [Tensor.binary(.powBackward(exponent: c), g, x, nil, name: "pow")]
            case .reverseSubScalar: return [-g]
            }

        // MARK: Reductions
        case let .sum(axes, keepDims):
            return [Tensor.keptDims(g, axes, keepDims, x).expand(to: x.shape)]
        case let .mean(axes, keepDims):
            let scale = 1 / Float(Swift.max(axes.map { x.shape[$0] }.reduce(1, *), 1))
            if let c = g.storage.constant {  // a loss's seed: the gradient is another constant, no launch
                return [Tensor.constant(c * scale, on: g.device).reshape(Array(repeating: 1, count: x.rank)).expand(to: x.shape)]
            }
            return [(Tensor.keptDims(g, axes, keepDims, x) * scale).expand(to: x.shape)]
        case let .max(axes, keepDims):
            let winners = Tensor.equal(x, Tensor.keptDims(saved(0), axes, keepDims, x))
            let ties = winners.sum(axes: axes, keepDims: true)
            return [winners * (Tensor.keptDims(g, axes, keepDims, x) / ties)]

        // MARK: Layout
        case .reshape, .contiguous: return [g.reshape(x.shape)]
        case .expand: return [g.sum(toShape: x.shape)]
        case let .permute(order):
            var inverse = [Int](repeating: 0, count: order.count)
            for (i, o) in order.enumerated() { inverse[o] = i }
            return [g.permute(inverse)]
        case let .slice(axis, start):
            return [Tensor.unslice(g, into: x.shape, axis: axis, start: start)]

        // MARK: Linear algebra
        case .matmul:
            let y = node.inputs[1]
            if x.rank == 2 {
                // Each gradient takes its input's layout (see `matmul(_:layoutLike:)`).
                return [grad(0) { g.matmul(y.transposed, layoutLike: x) },
                        grad(1) { x.transposed.matmul(g, layoutLike: y) }]
            }
            if y.rank == 3 {
                return [grad(0) { g.matmul(y.transpose(1, 2)) }, grad(1) { x.transpose(1, 2).matmul(g) }]
            }
            // [B, M, K] @ [K, N]: the shared matrix collects the whole batch.
            let (b, m, k, n) = (x.shape[0], x.shape[1], x.shape[2], y.shape[1])
            return [grad(0) { g.matmul(y.transposed) },
                    grad(1) { x.reshape([b * m, k]).transposed.matmul(g.reshape([b * m, n])) }]

        // MARK: Softmax family
        case .softmax:
            let y = saved(0)
            return [y * (g - (g * y).sum(axis: -1, keepDims: true))]
        case .logSoftmax:
            return [g - saved(0).exp() * g.sum(axis: -1, keepDims: true)]
        case .crossEntropy:
            return [Tensor.crossEntropyBackward(logits: x, labels: saved(0), gradient: g)]

        // MARK: Convolutional networks
        case let .linear(activation):
            let weight = node.inputs[1], hasBias = node.inputs.count == 3
            var (gradIn, gradBias): (Tensor, Tensor?) = (g, nil)
            if activation != .identity || (hasBias && needs[2]) {
                (gradIn, gradBias) = Tensor.epilogueBackward(
                    g, output: activation == .identity ? g : saved(0), activation, layout: [x.shape[0], weight.shape[0], 1],
                    biasGradient: hasBias && needs[2], into: destination(2))
            }
            return [grad(0) { gradIn.matmul(weight) },
                    grad(1) { gradIn.transposed.matmul(x, into: destination(1)) }] + (hasBias ? [gradBias] : [])
        case let .conv2d(geometry, activation):
            let weight = node.inputs[1], hasBias = node.inputs.count == 3
            var (gradIn, gradBias): (Tensor, Tensor?) = (g, nil)
            if activation != .identity || (hasBias && needs[2]) {
                (gradIn, gradBias) = Tensor.epilogueBackward(
                    g, output: activation == .identity ? g : saved(0), activation, layout: geometry.epilogueShape,
                    biasGradient: hasBias && needs[2], into: destination(2))
            }
            return [grad(0) { Tensor.backwardPrimitive(.conv2dBackwardInput(geometry), shape: x.shape, inputs: [gradIn, weight]) },
                    grad(1) { Tensor.backwardPrimitive(.conv2dBackwardWeight(geometry), shapes: [weight.shape], inputs: [x, gradIn],
                                                       into: [destination(1)])[0] }] + (hasBias ? [gradBias] : [])
        case let .maxPool2d(geometry):
            return [Tensor.backwardPrimitive(.maxPool2dBackward(geometry), shape: x.shape, inputs: [g, saved(0)])]
        case let .avgPool2d(geometry):
            return [Tensor.backwardPrimitive(.avgPool2dBackward(geometry), shape: x.shape, inputs: [g])]
        case let .batchNorm(parameters):
            let (weight, bias) = (node.inputs[1], node.inputs[2])
            let grads = Tensor.backwardPrimitive(.batchNormBackward(parameters), shapes: [x.shape, weight.shape, bias.shape],
                                                 inputs: [x, g, weight, saved(0), saved(1)],
                                                 into: [nil, destination(1), destination(2)])
            return [needs[0] ? grads[0] : nil, needs[1] ? grads[1] : nil, needs[2] ? grads[2] : nil]
        case let .syncBatchNorm(_, count, group):
            return Tensor.syncBatchNormBackward(x: x, gradient: g, weight: node.inputs[1], mean: saved(0), invStd: saved(1),
                                                count: count, group: group.group, needs: needs,
                                                into: (destination(1), destination(2)))
        case let .localResponseNorm(parameters):
            return [Tensor.backwardPrimitive(.localResponseNormBackward(parameters), shape: x.shape,
                                             inputs: [x, saved(0), g])]
        }
    }
}
