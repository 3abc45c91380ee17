import SynapseCore
import SynapseBackend

/// One mini-batch on a device: images `[B, C, H, W]` (float32) and class labels `[B]` (int32).
public struct Batch: @unchecked Sendable {
    /// The images, NCHW, normalised.
    public let images: Tensor
    /// One int32 class label per image.
    public let labels: Tensor

    /// A batch of `images` and `labels` (same leading dimension).
    public init(images: Tensor, labels: Tensor) {
        ensure(images.shape.first == labels.shape.first && labels.rank == 1,
               "Batch: images \(images.shape) and labels \(labels.shape) disagree on the batch size")
        self.images = images
        self.labels = labels
    }

    /// Number of examples.
    public var count: Int { labels.shape[0] }
}
