/// The activations a GEMM or convolution epilogue applies (`.biasActivation`), each differentiable
/// from its output alone, so the backward pass needs only the layer's output.
public enum Activation: String, Sendable, Hashable, CaseIterable, Codable {
    /// `x`
    case identity
    /// `max(x, 0)`; derivative `y > 0`.
    case relu
    /// `tanh(x)`; derivative `1 - y²`.
    case tanh
    /// `1 / (1 + e^-x)`; derivative `y (1 - y)`.
    case sigmoid
}
