import SynapseCore
import SynapseNN

/// AlexNet in torchvision's layout (`torchvision.models.alexnet`), so its `state_dict()` saved with
/// safetensors loads here unchanged and predicts the same.
///
/// `features`: conv 64@11×11 stride 4 pad 2, ReLU, max-pool 3/2; conv 192@5×5 pad 2, ReLU, max-pool 3/2;
/// conv 384@3×3 pad 1, ReLU; conv 256@3×3 pad 1, ReLU; conv 256@3×3 pad 1, ReLU, max-pool 3/2.
/// `classifier`: dropout, 9216 → 4096, ReLU, dropout, 4096 → 4096, ReLU, 4096 → classes. Names
/// `features.{0,3,6,8,10}` and `classifier.{1,4,6}` as torchvision has them; 61,100,840 parameters
/// with 1000 classes. torchvision's `AdaptiveAvgPool2d((6, 6))` is the identity on the 6×6 maps of
/// 224×224 input, the only input this variant takes, so it is left out.
public final class AlexNetTorchvision: Module {
    /// Convolutions, activations and pooling.
    public let features: Sequential
    /// Dropout and the three fully connected layers.
    public let classifier: Sequential

    /// Input `[N, 3, 224, 224]`.
    public static let inputShape = [3, 224, 224]

    /// torchvision's AlexNet with `classes` outputs, drawn on the current device.
    public init(classes: Int = 1000, dropout: Float = 0.5) {
        features = Sequential {
            Conv2d(3, 64, kernelSize: 11, stride: 4, padding: 2)
            ReLU()
            MaxPool2d(kernelSize: 3, stride: 2)
            Conv2d(64, 192, kernelSize: 5, padding: 2)
            ReLU()
            MaxPool2d(kernelSize: 3, stride: 2)
            Conv2d(192, 384, kernelSize: 3, padding: 1)
            ReLU()
            Conv2d(384, 256, kernelSize: 3, padding: 1)
            ReLU()
            Conv2d(256, 256, kernelSize: 3, padding: 1)
            ReLU()
            MaxPool2d(kernelSize: 3, stride: 2)
        }
        classifier = Sequential {
            Dropout(probability: dropout)
            Linear(256 * 6 * 6, 4096)
            ReLU()
            Dropout(probability: dropout)
            Linear(4096, 4096)
            ReLU()
            Linear(4096, classes)
        }
        super.init()
    }

    public override func forward(_ input: Tensor) -> Tensor {
        classifier(features(input).flatten())
    }
}
