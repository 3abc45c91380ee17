import SynapseCore

/// Cross-entropy of logits `[N, C]` against int32 class labels `[N]`, fused with the log-softmax
/// (PyTorch's `nn.CrossEntropyLoss`).
public struct CrossEntropyLoss: Sendable {
    public var reduction: Tensor.Reduction

    public init(reduction: Tensor.Reduction = .mean) { self.reduction = reduction }

    public func callAsFunction(_ logits: Tensor, _ labels: Tensor) -> Tensor {
        logits.crossEntropy(labels: labels, reduction: reduction)
    }
}

/// Mean squared error between a prediction and a target of the same shape (PyTorch's `nn.MSELoss`).
public struct MSELoss: Sendable {
    public init() {}

    public func callAsFunction(_ prediction: Tensor, _ target: Tensor) -> Tensor {
        prediction.meanSquaredError(target)
    }
}
