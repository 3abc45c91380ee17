import SynapseBackend
import SynapseCore

/// A data set of random images and labels, drawn on the device: for benchmarks and for models
/// whose real data set is not at hand (AlexNet on ImageNet-shaped input).
///
/// Images are standard normal (like normalised photographs) and drawn with `Tensor.random` on
/// the device, so a batch costs no host work and no upload; the labels of the whole set are
/// uploaded once. Batch `k` is the same in every epoch and every run with the same seed, on every
/// device, and drawing it does not move the caller's random stream.
public final class SyntheticImages: @unchecked Sendable {
    /// `[channels, height, width]` of one image.
    public let imageShape: [Int]
    /// Labels lie in `0..<classCount`.
    public let classCount: Int
    /// Examples per batch.
    public let batchSize: Int
    /// Batches in one epoch (the set holds `batchCount * batchSize` examples).
    public let batchCount: Int
    /// Determines every image and label.
    public let seed: UInt64
    /// Where batches are drawn.
    public let device: any Device

    private let labels: Tensor

    /// A synthetic set of `batchCount` batches of `batchSize` images of `imageShape` on `device`
    /// (the current device when nil).
    public init(imageShape: [Int], classCount: Int, batchSize: Int, batchCount: Int, seed: UInt64 = 0,
                device: (any Device)? = nil) {
        ensure(imageShape.count == 3 && imageShape.allSatisfy { $0 > 0 },
               "SyntheticImages: image shape must be [channels, height, width], got \(imageShape)")
        ensure(classCount > 0 && batchSize > 0 && batchCount > 0,
               "SyntheticImages: classes \(classCount), batch size \(batchSize), batches \(batchCount) must be positive")
        self.imageShape = imageShape
        self.classCount = classCount
        self.batchSize = batchSize
        self.batchCount = batchCount
        self.seed = seed
        self.device = device ?? TensorContext.device
        let count = batchSize * batchCount
        let labelSeed = CounterRandom.bits(seed: seed, counter: UInt64.max)
        let values = (0..<count).map { i -> Int32 in
            let bits = CounterRandom.bits(seed: labelSeed, counter: UInt64(i)) >> 32
            return Int32(truncatingIfNeeded: (bits &* UInt64(classCount)) >> 32)
        }
        self.labels = Tensor(int32: values, on: self.device)
    }

    /// ImageNet-shaped data: 3×224×224 images in 1000 classes.
    public static func imageNet(batchSize: Int, batchCount: Int, seed: UInt64 = 0,
                                device: (any Device)? = nil) -> SyntheticImages {
        SyntheticImages(imageShape: [3, 224, 224], classCount: 1000, batchSize: batchSize,
                        batchCount: batchCount, seed: seed, device: device)
    }

    /// Batch `number` (taken modulo `batchCount`).
    public func batch(_ number: Int) -> Batch {
        let k = ((number % batchCount) + batchCount) % batchCount
        let images = withRandomSeed(CounterRandom.bits(seed: seed, counter: UInt64(k))) {
            Tensor.normal([batchSize] + imageShape, on: device)
        }
        return Batch(images: images, labels: labels.slice(k * batchSize ..< (k + 1) * batchSize))
    }

    /// The batches of one epoch, in order, beginning with batch `start`.
    public func epoch(startingAt start: Int = 0) -> some Sequence<Batch> {
        (start..<batchCount).lazy.map { self.batch($0) }
    }
}
