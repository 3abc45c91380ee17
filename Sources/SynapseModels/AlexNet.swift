import SynapseCore
import SynapseNN
import SynapseBackend

/// AlexNet as in Krizhevsky, Sutskever & Hinton (2012) for `3×224×224` input, with PyTorch's names
/// (`features.N`, `classifier.N`).
///
/// `features`: conv 96@11×11 stride 4 pad 2, ReLU, [LRN], max-pool 3/2; conv 256@5×5 pad 2 (2 groups),
/// ReLU, [LRN], max-pool 3/2; conv 384@3×3 pad 1, ReLU; conv 384@3×3 pad 1 (2 groups), ReLU;
/// conv 256@3×3 pad 1 (2 groups), ReLU, max-pool 3/2. `classifier`: dropout, 4096, ReLU, dropout, 4096,
/// ReLU, classes. The flatten size follows from the input geometry (9216 for 224×224); no adaptive
/// pooling. Local response normalisation is `LocalResponseNorm(size: 5, alpha: 1e-4, beta: 0.75, k: 2)`
/// in PyTorch's convention (α divided by the window size), the setting PyTorch AlexNet
/// reproductions use. With both options and 1000 classes: 60,965,224 parameters.
public final class AlexNet: Module {
    /// Convolutions, activations, normalisation and pooling.
    public let features: Sequential
    /// Dropout and the three fully connected layers.
    public let classifier: Sequential

    /// Input `[N, 3, 224, 224]`.
    public static let inputShape = [3, 224, 224]

    /// - Parameters:
    ///   - localResponseNorm: LRN after the first two convolutions' ReLUs, as in the paper.
    ///   - groupedConvolutions: 2 groups in conv2, conv4 and conv5 (the paper's two-GPU split).
    ///   - inputSize: height and width of the square input.
    public init(classes: Int = 1000, localResponseNorm: Bool = true, groupedConvolutions: Bool = true,
                dropout: Float = 0.5, inputSize: Int = 224) {
        let groups = groupedConvolutions ? 2 : 1
        features = Sequential {
            Conv2d(3, 96, kernelSize: 11, stride: 4, padding: 2)
            ReLU()
            if localResponseNorm { LocalResponseNorm(size: 5, alpha: 1e-4, beta: 0.75, k: 2) }
            MaxPool2d(kernelSize: 3, stride: 2)
            Conv2d(96, 256, kernelSize: 5, padding: 2, groups: groups)
            ReLU()
            if localResponseNorm { LocalResponseNorm(size: 5, alpha: 1e-4, beta: 0.75, k: 2) }
            MaxPool2d(kernelSize: 3, stride: 2)
            Conv2d(256, 384, kernelSize: 3, padding: 1)
            ReLU()
            Conv2d(384, 384, kernelSize: 3, padding: 1, groups: groups)
            ReLU()
            Conv2d(384, 256, kernelSize: 3, padding: 1, groups: groups)
            ReLU()
            MaxPool2d(kernelSize: 3, stride: 2)
        }
        let side = AlexNet.featureSide(inputSize: inputSize)
        ensure(side >= 1, "AlexNet: input \(inputSize)×\(inputSize) is too small for the feature extractor")
        classifier = Sequential {
            Dropout(probability: dropout)
            Linear(256 * side * side, 4096)
            ReLU()
            Dropout(probability: dropout)
            Linear(4096, 4096)
            ReLU()
            Linear(4096, classes)
        }
        super.init()
    }

    /// Height (= width) of the last feature map for a square input: 6 for 224.
    public static func featureSide(inputSize: Int) -> Int {
        let conv1 = (inputSize + 2 * 2 - 11) / 4 + 1
        let pool1 = (conv1 - 3) / 2 + 1
        let pool2 = (pool1 - 3) / 2 + 1   // conv2 ("same" padding) keeps the size
        return (pool2 - 3) / 2 + 1        // conv3–5 keep it too
    }

    public override func forward(_ input: Tensor) -> Tensor {
        classifier(features(input).flatten())
    }
}
