import SynapseCore
import SynapseBackend

/// Zeroes each element with probability `probability` and scales the rest by `1/(1-p)` in training
/// mode; the identity in evaluation mode (PyTorch's `nn.Dropout`). The mask is drawn on the device.
public final class Dropout: Module {
    /// Chance that an element is zeroed.
    public let probability: Float

    /// Dropout with PyTorch's default `p = 0.5`.
    public init(probability: Float = 0.5) {
        ensure(probability >= 0 && probability <= 1, "Dropout: probability \(probability) must be in [0, 1]")
        self.probability = probability
        super.init()
    }

    public override func forward(_ input: Tensor) -> Tensor {
        input.dropout(probability: probability, training: isTraining)
    }
}
