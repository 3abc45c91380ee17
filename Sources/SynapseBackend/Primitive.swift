/// The one list of operations every backend implements, each with an exhaustive `switch`.
///
/// A backend receives a primitive plus buffer views and nothing else: no tensors, no graph.
/// Unless a case says otherwise, inputs may be any strided view (broadcast strides of 0
/// included) and outputs are contiguous views that the caller allocated with the right shape.
/// Every output is fully overwritten unless the case says it is updated in place. Inputs are
/// float32 unless a case names another dtype. This contract is enforced once, for every backend,
/// by `PrimitiveKernels.dispatch`: a call that breaks it throws `DeviceError.unsupported` naming
/// the device, the primitive and the operand, on every device alike.
public enum Primitive: Sendable, Hashable {
    // MARK: Elementwise

    /// inputs `[x]`, outputs `[y]`: `y = op(x)`; `x` has `y`'s shape (strided).
    case unary(UnaryOp)
    /// inputs `[a, b]`, outputs `[y]`: `y = op(a, b)`; `a` and `b` have `y`'s shape (strided, broadcast by stride 0).
    case binary(BinaryOp)
    /// inputs `[x]`, outputs `[y]`: strided to contiguous copy of either dtype (bits are moved as they are).
    case copy
    /// inputs `[]`, outputs `[y]`: every element set to `value` (converted to `y`'s dtype).
    case fill(value: Float)
    /// inputs `[]`, outputs `[y]`: element `i` drawn from `distribution` with counter `offset + i`
    /// of the stream `seed` (see `CounterRandom`), so every device produces the same numbers.
    case random(RandomDistribution, seed: UInt64, offset: UInt64)

    // MARK: Reductions and softmax

    /// inputs `[x]` viewed as `[outer, reduced, inner]` (strided), outputs `[y]` of shape `[outer, inner]`
    /// (`int32` for `.argmax`, which returns the first maximal index along `reduced`).
    case reduce(ReduceOp)
    /// inputs `[x]` of shape `[rows, cols]`, contiguous; outputs `[y]` same shape: softmax (or
    /// log-softmax) of each row, computed max-subtracted.
    case softmax(log: Bool)
    /// inputs `[logits [N, C] contiguous, labels int32 [N] (strided)]`, outputs `[loss [N]]`:
    /// `loss[n] = logsumexp(logits[n]) - logits[n, labels[n]]`; NaN where a label is outside `0..<C`.
    case crossEntropy
    /// inputs `[logits [N, C] contiguous, labels int32 [N], gradLoss [N]]` (both vectors strided),
    /// outputs `[gradLogits [N, C]]`:
    /// `(softmax(logits[n]) - onehot(labels[n])) * gradLoss[n]`.
    case crossEntropyBackward
    /// inputs `[logits [N, C] contiguous, labels int32 [N] (strided)]`, outputs `[count [1]]`, updated in
    /// place: adds how many rows have their first maximal logit (NaN counting as maximal, as for
    /// `.reduce(.argmax)`) at the row's label. A training loop's running accuracy, in one launch.
    case countCorrect

    // MARK: Linear algebra

    /// inputs `[a, b]`, outputs `[c]`, all rank 3 (`[batch, rows, cols]`): `c[i] = op(a[i]) @ op(b[i])` where
    /// `op` transposes when asked. Inner two dimensions of `a` and `b` are row-major with unit stride in
    /// the last one (leading dimension `strides[1]`, at least the column count); a batch extent of 1
    /// or a batch stride of 0 reuses one matrix.
    case matmul(transposeA: Bool, transposeB: Bool)

    // MARK: Convolution (NCHW, contiguous inputs)

    /// inputs `[x, weight]` or `[x, weight, bias]` (bias `[outChannels]`, added to every output
    /// pixel of its channel), outputs `[y]`.
    case conv2d(Conv2dGeometry)
    /// `.conv2d` followed by `activation` (in the launch that adds the bias where the backend can):
    /// inputs `[x, weight]` or `[x, weight, bias]`, outputs `[y]`, `y = activation(conv + bias)`.
    case conv2dActivation(Conv2dGeometry, Activation)
    /// inputs `[gradY, weight]`, outputs `[gradX]`.
    case conv2dBackwardInput(Conv2dGeometry)
    /// inputs `[x, gradY]`, outputs `[gradWeight]`.
    case conv2dBackwardWeight(Conv2dGeometry)

    // MARK: Pooling and normalisation (NCHW, contiguous inputs)

    /// inputs `[x]`, outputs `[y, argmax int32]`; `argmax` holds the flat index `h * inWidth + w` of the
    /// winner within its input plane (padding never wins).
    case maxPool2d(Pool2dGeometry)
    /// inputs `[gradY, argmax]`, outputs `[gradX]`: each `gradY` added to its winner, zero elsewhere.
    case maxPool2dBackward(Pool2dGeometry)
    /// inputs `[x]`, outputs `[y]`.
    case avgPool2d(Pool2dGeometry)
    /// inputs `[gradY]`, outputs `[gradX]`.
    case avgPool2dBackward(Pool2dGeometry)
    /// inputs `[x]` of shape `[N, C, H, W]`, outputs `[y]` with `y = x * scale^-beta`,
    /// `scale = k + alpha/size * windowSum(x²)`.
    case localResponseNorm(LRNParameters)
    /// inputs `[x, y, gradY]`, outputs `[gradX]` (the scale is recomputed from `x`).
    case localResponseNormBackward(LRNParameters)
    /// Batch normalisation of each channel of `x [N, C, H, W]` (PyTorch's `batch_norm`), with
    /// `weight` and `bias` of shape `[C]`: `y = (x - mean) * invStd * weight + bias`.
    /// Training: inputs `[x, weight, bias]`, outputs `[y, mean, invStd, runningMean, runningVar]`:
    /// the batch mean and `invStd = 1/sqrt(biasedVariance + epsilon)` over `(N, H, W)` are written for
    /// the backward pass, and the running statistics are updated in place with `momentum` (the
    /// variance unbiased). Evaluation: inputs `[x, weight, bias, runningMean, runningVar]`, outputs `[y]`.
    case batchNorm(BatchNormParameters)
    /// inputs `[x, gradY, weight, mean, invStd]`, outputs `[gradX, gradWeight, gradBias]`: the gradient
    /// of `.batchNorm` through the batch statistics (training), or with `mean` and `invStd` taken from
    /// the running statistics as constants (evaluation).
    case batchNormBackward(BatchNormParameters)
    /// inputs `[x]` (`[N, C, H, W]`), outputs `[mean, squaredDeviations]` (`[C]` each): each
    /// channel's mean over `(N, H, W)` and the sum of squared deviations from it. The ranks of a
    /// synchronised batch norm combine these into the global batch's statistics, then normalise
    /// with `.batchNorm` in evaluation mode.
    case batchNormStatistics
    /// inputs `[x, gradY, mean, invStd]`, outputs `[sumGradY, sumGradYXhat]` (`[C]` each): per
    /// channel `Σ gradY` and `Σ gradY · (x - mean) · invStd` over `(N, H, W)`, that is
    /// `.batchNormBackward`'s `gradBias` and `gradWeight`, which a synchronised batch norm sums over
    /// its ranks before `.batchNormBackwardInput`.
    case batchNormBackwardReduce
    /// inputs `[x, gradY, weight, mean, invStd, sumGradY, sumGradYXhat]`, outputs `[gradX]`:
    /// `weight · invStd · (gradY - sumGradY / count - xhat · sumGradYXhat / count)` with
    /// `xhat = (x - mean) · invStd`, where the sums and `count` (values per channel) are the global
    /// batch's: the training-mode input gradient of a synchronised batch norm.
    case batchNormBackwardInput(count: Int)

    // MARK: Bias and activation: the epilogue of a GEMM or convolution

    /// inputs `[x]` or `[x, bias]`, `x` contiguous `[outer, channels, inner]` (a linear layer's
    /// `[N, out, 1]`, a convolution's `[N, C, H·W]`), `bias` contiguous `[channels]`; outputs `[y]` of
    /// `x`'s shape: `y = activation(x + bias[channel])`. `y` may be `x` itself (in place).
    case biasActivation(Activation)
    /// inputs `[gradY, y]`, both contiguous `[outer, channels, inner]` with `y` the output of
    /// `.biasActivation`; outputs `[gradX]` or `[gradX, gradBias [channels]]`:
    /// `gradX = gradY · activation'(y)` and `gradBias[c]` its sum over `outer` and `inner`, in one pass.
    case biasActivationBackward(Activation)

    // MARK: Optimizer updates (all views contiguous, same shape; updated in place)

    /// inputs `[grad]`, outputs `[param, momentumBuffer]` (the buffer may be left out when momentum is 0).
    case sgdStep(SGDParameters)
    /// inputs `[grad]`, outputs `[param, firstMoment, secondMoment]`.
    case adamStep(AdamParameters)
}

/// Elementwise functions of one input. Scalar operands travel with the case.
public enum UnaryOp: Sendable, Hashable {
    case negate, exp, log, sqrt, abs, relu, tanh, sigmoid, square, reciprocal
    /// `x + c`
    case addScalar(Float)
    /// `x * c`
    case mulScalar(Float)
    /// `x ^ c`
    case powScalar(Float)
    /// `c - x` (what `1 - p` needs)
    case reverseSubScalar(Float)
}

/// Elementwise functions of two inputs.
public enum BinaryOp: Sendable, Hashable {
    case add, sub, mul, div, maximum, minimum
    /// `1` where `a == b`, else `0`.
    case equal
    /// `a * (b > 0)`: gradient of relu, `a` the incoming gradient, `b` relu's input.
    case reluBackward
    /// `a * (1 - b²)`: gradient of tanh, `b` tanh's output.
    case tanhBackward
    /// `a * b * (1 - b)`: gradient of sigmoid, `b` sigmoid's output.
    case sigmoidBackward
    /// `a * c * b^(c-1)`: gradient of `b^c`, `a` the incoming gradient.
    case powBackward(exponent: Float)
}

/// Reductions over the middle axis of an `[outer, reduced, inner]` view.
public enum ReduceOp: Sendable, Hashable {
    case sum, mean, max, argmax
}

/// Distributions for `.random`.
public enum RandomDistribution: Sendable, Hashable {
    /// Uniform on `[low, high)`.
    case uniform(low: Float, high: Float)
    /// Normal by Box–Muller from counters `2i` and `2i+1`.
    case normal(mean: Float, std: Float)
    /// Dropout mask: `1/keep` with probability `keep`, else `0`.
    case dropoutMask(keep: Float)
}
