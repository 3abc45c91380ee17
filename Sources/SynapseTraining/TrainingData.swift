import Synapse

/// The batches a run trains and evaluates on, built from a configuration: Fashion-MNIST (optionally
/// a subset) for the 28×28 models, synthetic ImageNet-shaped data for `alexnet`.
public struct TrainingData: Sendable {
    /// Training batches (shuffled per epoch for real data).
    public let train: any BatchSource
    /// Test batches in order; nil for synthetic data, which has no meaningful test set.
    public let test: (any BatchSource)?
    /// A short description (`Fashion-MNIST`, `synthetic 3×224×224, 1000 classes`).
    public let name: String

    /// Batches given directly (tests, custom data).
    public init(train: any BatchSource, test: (any BatchSource)?, name: String) {
        self.train = train
        self.test = test
        self.name = name
    }

    /// Loads or creates the data `configuration` asks for, with batches on `device`.
    ///
    /// - Throws: `DataError` naming the file when Fashion-MNIST is missing or damaged.
    public static func make(_ configuration: TrainingConfiguration, device: any Device) throws -> TrainingData {
        let batchSize = configuration.resolvedBatchSize
        if configuration.usesSyntheticData {
            let synthetic = SyntheticImages.imageNet(batchSize: batchSize, batchCount: configuration.stepsPerEpoch ?? 20,
                                                     seed: configuration.seed, device: device)
            return TrainingData(train: synthetic, test: nil, name: "synthetic 3×224×224, 1000 classes")
        }
        let images = try FashionMNIST.load(directory: configuration.dataDirectory, split: .train,
                                           maxItems: configuration.limitTrain)
        // Dropping the short last batch keeps every step's shapes equal, so buffers are reused.
        let train = DataLoader(images, batchSize: batchSize, shuffle: true, seed: configuration.seed,
                               dropLast: images.count >= batchSize, normalization: .fashionMNIST, device: device)
        return TrainingData(train: train, test: try testSet(configuration, device: device), name: "Fashion-MNIST")
    }

    /// The Fashion-MNIST test batches (the first `limitTest` images when set), in order.
    public static func testSet(_ configuration: TrainingConfiguration, device: any Device) throws -> DataLoader {
        let images = try FashionMNIST.load(directory: configuration.dataDirectory, split: .test,
                                           maxItems: configuration.limitTest)
        return DataLoader(images, batchSize: Swift.max(configuration.resolvedBatchSize, 256), shuffle: false,
                          normalization: .fashionMNIST, device: device)
    }
}
