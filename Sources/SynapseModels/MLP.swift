import SynapseCore
import SynapseNN
import SynapseBackend

/// A multilayer perceptron: flatten, then `Linear` layers of the given sizes with an activation
/// between them (none after the last). Parameters are `layers.1.weight`, `layers.3.weight`, …
/// (index 0 is the flatten).
public final class MLP: Module {
    /// The activation placed between linear layers.
    public enum Activation: String, Sendable, CaseIterable {
        case relu, tanh, sigmoid

        func makeLayer() -> Module {
            switch self {
            case .relu: ReLU()
            case .tanh: Tanh()
            case .sigmoid: Sigmoid()
            }
        }
    }

    /// Flatten, then linear layers and activations.
    public let layers: Sequential
    /// Widths from input to output, e.g. `[784, 256, 128, 10]`.
    public let sizes: [Int]

    /// A perceptron with the given widths (at least input and output).
    public init(sizes: [Int], activation: Activation = .relu) {
        ensure(sizes.count >= 2, "MLP: needs at least an input and an output size, got \(sizes)")
        self.sizes = sizes
        layers = Sequential {
            Flatten()
            for i in 0..<(sizes.count - 1) {
                Linear(sizes[i], sizes[i + 1])
                if i < sizes.count - 2 { activation.makeLayer() }
            }
        }
        super.init()
    }

    public override func forward(_ input: Tensor) -> Tensor { layers(input) }
}
