import SynapseBackend

/// The differentiable operations a `Node` can record. `Derivatives.swift` holds the chain rule of
/// each; the README's "Operations" table lists each with its forward and backward primitives and
/// what it saves.
public enum Op: Sendable, Hashable {
    // Elementwise with broadcasting; inputs [a, b].
    case add, sub, mul, div, maximum, minimum
    // Elementwise of one input; saved [output] where `UnaryOp.gradientUsesOutput`.
    case unary(UnaryOp)
    // Reductions; axes normalised and sorted. max saves [output].
    case sum(axes: [Int], keepDims: Bool)
    case mean(axes: [Int], keepDims: Bool)
    case max(axes: [Int], keepDims: Bool)
    // Layout (views or copies).
    case reshape, expand, contiguous
    case permute([Int])
    case slice(axis: Int, start: Int)
    // Linear algebra: 2-D or batched [B, M, K] @ [B or none, K, N].
    case matmul
    // A fully connected layer, activation(x @ weightᵀ + bias); inputs [x, weight] or [x, weight, bias];
    // saved [output] unless the activation is the identity.
    case linear(Activation)
    // Softmax family over the last axis; saved [output]. crossEntropy saves [labels].
    case softmax, logSoftmax, crossEntropy
    // Convolutional network primitives (NCHW). conv2d inputs [x, weight] or [x, weight, bias], then
    // the activation; saved [output] unless the activation is the identity. maxPool2d saves [argmax];
    // localResponseNorm saves [output] (the backward pass recomputes the scale from the input).
    case conv2d(Conv2dGeometry, Activation)
    case maxPool2d(Pool2dGeometry)
    case avgPool2d(Pool2dGeometry)
    case localResponseNorm(LRNParameters)
    // Batch normalisation; inputs [x, weight, bias]; saved [mean, invStd] (batch statistics in
    // training, the running ones in evaluation).
    case batchNorm(BatchNormParameters)
    // Batch normalisation in training over the global batch of a `BatchNormGroup` (inputs and saved
    // as `batchNorm`, the statistics the global ones); `count` is values per channel over the group,
    // whose members sum the gradient's per-channel sums in the backward pass.
    case syncBatchNorm(BatchNormParameters, count: Int, group: BatchNormGroupReference)
}

extension UnaryOp {
    /// Whether the chain rule reads the op's output (saved by the forward pass) instead of its input.
    var gradientUsesOutput: Bool {
        switch self {
        case .exp, .sqrt, .reciprocal, .tanh, .sigmoid: true
        case .negate, .log, .abs, .relu, .square, .addScalar, .mulScalar, .powScalar, .reverseSubScalar: false
        }
    }
}
