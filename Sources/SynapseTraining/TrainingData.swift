import Synapse

/// The batches a run trains and evaluates on, built from a configuration: Fashion-MNIST or MNIST
/// (optionally a subset) for the 28×28 models, synthetic ImageNet-shaped data for `alexnet`, or an
/// image folder.
public struct TrainingData: Sendable {
    /// Training batches (shuffled per epoch for real data).
    public let train: any BatchSource
    /// Test batches in order; nil for synthetic data, which has no meaningful test set.
    public let test: (any BatchSource)?
    /// A short description (`Fashion-MNIST`, `synthetic 3×224×224, 1000 classes`).
    public let name: String
    /// Class names indexed by label; empty when the data does not name its classes.
    public let classNames: [String]
    /// The preprocessing the batches apply; nil for synthetic data.
    public let normalization: Normalization?
    /// Images left out because they could not be decoded (`skipBadImages`).
    public let skippedImages: Int

    /// Batches given directly (tests, custom data).
    public init(train: any BatchSource, test: (any BatchSource)?, name: String, classNames: [String] = [],
                normalization: Normalization? = nil, skippedImages: Int = 0) {
        self.train = train
        self.test = test
        self.name = name
        self.classNames = classNames
        self.normalization = normalization
        self.skippedImages = skippedImages
    }

    /// Number of classes the data names, or nil.
    public var classCount: Int? { classNames.isEmpty ? nil : classNames.count }

    /// Loads or creates the data `configuration` asks for, with batches on `device`.
    ///
    /// - Throws: `DataError` naming the file when the data is missing or damaged.
    public static func make(_ configuration: TrainingConfiguration, device: any Device) throws -> TrainingData {
        let batchSize = configuration.resolvedBatchSize
        switch configuration.resolvedData {
        case .synthetic:
            let shape = (try? ModelZoo.inputShape(name: configuration.model)) ?? [3, 224, 224]
            let synthetic = SyntheticImages(imageShape: shape, classCount: 1000, batchSize: batchSize,
                                            batchCount: configuration.stepsPerEpoch ?? 20, seed: configuration.seed,
                                            device: device)
            let size = shape.map(String.init).joined(separator: "×")
            return TrainingData(train: synthetic, test: nil, name: "synthetic \(size), 1000 classes")
        case let .imageFolder(path):
            return try imageFolder(at: path, configuration, device: device)
        case .fashionMNIST, .mnist:
            let dataset = Self.idxDataset(configuration)
            let normalization = configuration.normalization ?? configuration.resolvedData.knownNormalization ?? .unit
            let images = try dataset.load(split: .train, directory: configuration.dataDirectory,
                                          maxItems: configuration.limitTrain)
            // Dropping the short last batch keeps every step's shapes equal, so buffers are reused.
            let train = DataLoader(images, batchSize: batchSize, shuffle: true, seed: configuration.seed,
                                   dropLast: images.count >= batchSize, normalization: normalization, device: device)
            return TrainingData(train: train, test: try testSet(configuration, normalization: normalization, device: device),
                                name: dataset.name, classNames: dataset.classNames, normalization: normalization)
        }
    }

    /// The IDX data set `configuration` names (Fashion-MNIST unless MNIST).
    static func idxDataset(_ configuration: TrainingConfiguration) -> IDXImageDataset {
        configuration.resolvedData == .mnist ? MNIST.dataset : FashionMNIST.dataset
    }

    /// The test batches (the first `limitTest` images when set), in order, normalised with
    /// `normalization` (the configuration's, else the data set's).
    ///
    /// For an image folder these are the `val/` images, the held-out split, or with neither every image.
    public static func testSet(_ configuration: TrainingConfiguration, normalization: Normalization? = nil,
                               classNames: [String]? = nil, device: any Device) throws -> any BatchSource {
        let chosen = normalization ?? configuration.normalization ?? configuration.resolvedData.knownNormalization ?? .unit
        if case let .imageFolder(path) = configuration.resolvedData {
            return try imageFolderTestSet(at: path, configuration, normalization: chosen, classNames: classNames,
                                          device: device)
        }
        let images = try idxDataset(configuration).load(split: .test, directory: configuration.dataDirectory,
                                                        maxItems: configuration.limitTest)
        return DataLoader(images, batchSize: Swift.max(configuration.resolvedBatchSize, 256), shuffle: false,
                          normalization: chosen, device: device)
    }
}

extension Trainer {
    /// What the checkpoint records for `eval` and `predict`: input shape, preprocessing, class
    /// names and data set of this run.
    public var modelInfo: ModelInfo {
        ModelInfo(inputShape: try? ModelZoo.inputShape(name: configuration.model),
                  normalization: data.normalization, classNames: data.classCount.map { _ in data.classNames },
                  dataset: configuration.usesSyntheticData ? "synthetic" : configuration.resolvedData.description)
    }
}
