import SynapseCore
import SynapseNN

/// An AlexNet-style network for `1×28×28` images (MNIST, Fashion-MNIST): four 3×3 convolutions
/// (32, 64, 128, 128 channels, padding 1), each followed by optional batch normalisation and ReLU,
/// with 2×2 max pooling after the 1st, 2nd and 4th (28 → 14 → 7 → 3); then dropout, 256 ReLU units,
/// dropout and the classes. Names: `features.N`, `classifier.N`.
public final class AlexNetSmall: Module {
    /// The four convolution blocks.
    public let features: Sequential
    /// Dropout and the two fully connected layers.
    public let classifier: Sequential

    /// Input `[N, 1, 28, 28]`.
    public static let inputShape = [1, 28, 28]

    /// A network for `classes` classes; batch normalisation on by default.
    public init(classes: Int = 10, batchNorm: Bool = true, dropout: Float = 0.5) {
        func block(_ input: Int, _ output: Int, pool: Bool) -> [Module] {
            var layers: [Module] = [Conv2d(input, output, kernelSize: 3, padding: 1, bias: !batchNorm)]
            if batchNorm { layers.append(BatchNorm2d(output)) }
            layers.append(ReLU())
            if pool { layers.append(MaxPool2d(kernelSize: 2)) }
            return layers
        }
        features = Sequential {
            block(1, 32, pool: true)
            block(32, 64, pool: true)
            block(64, 128, pool: false)
            block(128, 128, pool: true)
        }
        classifier = Sequential {
            Dropout(probability: dropout)
            Linear(128 * 3 * 3, 256)
            ReLU()
            Dropout(probability: dropout)
            Linear(256, classes)
        }
        super.init()
    }

    public override func forward(_ input: Tensor) -> Tensor {
        classifier(features(input).flatten())
    }
}
