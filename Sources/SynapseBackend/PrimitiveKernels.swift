/// What a backend writes: one requirement per `Primitive` case, each receiving operands that the
/// shared dispatch (`dispatch(_:inputs:outputs:)`) has already checked against the contract
/// documented on the case. A backend conforms, implements these, and forwards `Device.execute`
/// to `dispatch`; the compiler refuses a backend that lacks one.
///
/// What a requirement may still check is what only the backend knows: that a buffer is its own,
/// and its own limits (OpenCL's 32-bit kernel indices, BLAS's 32-bit dimensions).
package protocol PrimitiveKernels: Device {
    // MARK: Elementwise
    func unary(_ op: UnaryOp, x: BufferView, y: BufferView) throws
    func binary(_ op: BinaryOp, a: BufferView, b: BufferView, y: BufferView) throws
    func copy(x: BufferView, y: BufferView) throws
    /// `value` is already known to fit `y`'s dtype.
    func fill(_ value: Float, y: BufferView) throws
    func random(_ distribution: RandomDistribution, seed: UInt64, offset: UInt64, y: BufferView) throws

    // MARK: Reductions and softmax
    /// `x` is rank 3 `[outer, reduced, inner]`; `y` holds `outer * inner` elements.
    func reduce(_ op: ReduceOp, x: BufferView, y: BufferView) throws
    func softmax(log: Bool, x: BufferView, y: BufferView) throws
    func crossEntropy(logits: BufferView, labels: BufferView, loss: BufferView) throws
    func crossEntropyBackward(logits: BufferView, labels: BufferView, gradLoss: BufferView, gradLogits: BufferView) throws
    /// Adds to `count[0]`; `logits` has at least one row and one column.
    func countCorrect(logits: BufferView, labels: BufferView, count: BufferView) throws

    // MARK: Linear algebra
    /// `shape` holds the product's sizes, already checked against all three operands.
    func matmul(_ shape: MatMulShape, a: BufferView, b: BufferView, c: BufferView) throws

    // MARK: Convolution
    func conv2d(_ g: Conv2dGeometry, x: BufferView, weight: BufferView, bias: BufferView?, y: BufferView) throws
    /// `y` is contiguous. The default runs `conv2d` without the bias, then `biasActivation` in place.
    func conv2dActivation(_ g: Conv2dGeometry, _ activation: Activation, x: BufferView, weight: BufferView,
                          bias: BufferView?, y: BufferView) throws
    func conv2dBackwardInput(_ g: Conv2dGeometry, gradY: BufferView, weight: BufferView, gradX: BufferView) throws
    func conv2dBackwardWeight(_ g: Conv2dGeometry, x: BufferView, gradY: BufferView, gradWeight: BufferView) throws

    // MARK: Pooling
    func maxPool2d(_ g: Pool2dGeometry, x: BufferView, y: BufferView, argmax: BufferView) throws
    func maxPool2dBackward(_ g: Pool2dGeometry, gradY: BufferView, argmax: BufferView, gradX: BufferView) throws
    func avgPool2d(_ g: Pool2dGeometry, x: BufferView, y: BufferView) throws
    func avgPool2dBackward(_ g: Pool2dGeometry, gradY: BufferView, gradX: BufferView) throws

    // MARK: Normalization
    func localResponseNorm(_ p: LRNParameters, x: BufferView, y: BufferView) throws
    func localResponseNormBackward(_ p: LRNParameters, x: BufferView, y: BufferView, gradY: BufferView, gradX: BufferView) throws
    func batchNorm(_ p: BatchNormParameters, x: BufferView, weight: BufferView, bias: BufferView, y: BufferView,
                   statistics: BatchNormStatistics) throws
    func batchNormBackward(_ p: BatchNormParameters, x: BufferView, gradY: BufferView, weight: BufferView,
                           mean: BufferView, invStd: BufferView, gradX: BufferView, gradWeight: BufferView,
                           gradBias: BufferView) throws
    func batchNormStatistics(x: BufferView, mean: BufferView, squaredDeviations: BufferView) throws
    func batchNormBackwardReduce(x: BufferView, gradY: BufferView, mean: BufferView, invStd: BufferView,
                                 sumGradY: BufferView, sumGradYXhat: BufferView) throws
    /// `sums` are `(sumGradY, sumGradYXhat)`; `count` is the values per channel they were summed over.
    func batchNormBackwardInput(count: Int, x: BufferView, gradY: BufferView, weight: BufferView, mean: BufferView,
                                invStd: BufferView, sums: (BufferView, BufferView), gradX: BufferView) throws

    // MARK: Bias and activation
    /// `x` and `y` are `[outer, channels, inner]`; `y` may be `x`.
    func biasActivation(_ activation: Activation, x: BufferView, bias: BufferView?, y: BufferView) throws
    /// `gradBias` (`[channels]`) is nil when not asked for.
    func biasActivationBackward(_ activation: Activation, gradY: BufferView, y: BufferView, gradX: BufferView,
                                gradBias: BufferView?) throws

    // MARK: Optimizers
    /// `momentumBuffer` is nil when `p.momentum` is 0.
    func sgdStep(_ p: SGDParameters, grad: BufferView, param: BufferView, momentumBuffer: BufferView?) throws
    func adamStep(_ p: AdamParameters, grad: BufferView, param: BufferView, firstMoment: BufferView,
                  secondMoment: BufferView) throws
}

/// The per-channel statistics of a checked `.batchNorm`: written (training) or read (evaluation).
package enum BatchNormStatistics {
    /// Training: the batch `mean` and `invStd` are written; the running statistics updated in place.
    case batch(mean: BufferView, invStd: BufferView, runningMean: BufferView, runningVar: BufferView)
    /// Evaluation: the running statistics normalise.
    case running(mean: BufferView, variance: BufferView)
}

/// The sizes of a checked `.matmul`: `c[i] = op(a[i]) @ op(b[i])` for `i < batch`, with `op(a)`
/// of `m × k` and `op(b)` of `k × n`. The operands' batch extent may be 1 (one matrix reused).
package struct MatMulShape: Sendable, Equatable {
    package var transposeA: Bool, transposeB: Bool
    package var batch: Int, m: Int, n: Int, k: Int
}

extension PrimitiveKernels {
    package func conv2dActivation(_ g: Conv2dGeometry, _ activation: Activation, x: BufferView, weight: BufferView,
                                  bias: BufferView?, y: BufferView) throws {
        try conv2d(g, x: x, weight: weight, bias: nil, y: y)
        let planes = BufferView(buffer: y.buffer, shape: g.epilogueShape, offset: y.offset, dtype: y.dtype)
        try biasActivation(activation, x: planes, bias: bias, y: planes)
    }
}
