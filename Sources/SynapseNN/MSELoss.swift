import SynapseCore

/// Mean squared error between a prediction and a target of the same shape (PyTorch's `nn.MSELoss`).
public struct MSELoss: Sendable {
    /// The loss.
    public init() {}

    /// `mean((prediction − target)²)`.
    public func callAsFunction(_ prediction: Tensor, _ target: Tensor) -> Tensor {
        prediction.meanSquaredError(target)
    }
}
