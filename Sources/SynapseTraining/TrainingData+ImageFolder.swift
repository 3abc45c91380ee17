import Synapse

extension TrainingData {
    /// Training and test batches of the image folder at `path`, sized to the model's input.
    ///
    /// Every image is decoded once first, so a damaged file stops the run before its first step
    /// with an error naming it (or, with `skipBadImages`, is left out and counted).
    static func imageFolder(at path: String, _ configuration: TrainingConfiguration, device: any Device) throws -> TrainingData {
        let folder = try ImageFolder.scan(path, validationSplit: configuration.validationSplit, seed: configuration.seed)
        let shape = try ModelZoo.inputShape(name: configuration.model)
        let train = try ImageFolder.verify(ImageFolder.spread(folder.train, limit: configuration.limitTrain),
                                           skipBad: configuration.skipBadImages)
        let validation = try ImageFolder.verify(ImageFolder.spread(folder.validation, limit: configuration.limitTest),
                                                skipBad: configuration.skipBadImages)
        guard !train.usable.isEmpty else { throw TrainingError.emptyData("the training set in \(path)") }
        let normalization = configuration.normalization ?? measuredNormalization(of: train.usable, shape: shape)
        let batchSize = configuration.resolvedBatchSize
        let trainLoader = ImageFolderLoader(
            train.usable, transform: ImageTransform(shape: shape, augment: configuration.augment),
            normalization: normalization, batchSize: batchSize, shuffle: true, seed: configuration.seed,
            dropLast: train.usable.count >= batchSize, device: device)
        let test = validation.usable.isEmpty ? nil : ImageFolderLoader(
            validation.usable, transform: ImageTransform(shape: shape, augment: false), normalization: normalization,
            batchSize: Swift.max(batchSize, 64), shuffle: false, device: device)
        return TrainingData(train: trainLoader, test: test,
                            name: "image folder \(path) (\(folder.classNames.count) classes)",
                            classNames: folder.classNames, normalization: normalization,
                            skippedImages: train.bad.count + validation.bad.count)
    }

    /// The evaluation batches of the image folder at `path`: `val/`, the `--val-split` part, or with
    /// neither every image. `classNames` (a checkpoint's) fixes the labels.
    static func imageFolderTestSet(at path: String, _ configuration: TrainingConfiguration, normalization: Normalization,
                                   classNames: [String]?, device: any Device) throws -> any BatchSource {
        let folder = try ImageFolder.scan(path, validationSplit: configuration.validationSplit, seed: configuration.seed,
                                          classNames: classNames)
        let items = folder.validation.isEmpty ? folder.train : folder.validation
        let checked = try ImageFolder.verify(ImageFolder.spread(items, limit: configuration.limitTest),
                                             skipBad: configuration.skipBadImages)
        let shape = try ModelZoo.inputShape(name: configuration.model)
        return ImageFolderLoader(checked.usable, transform: ImageTransform(shape: shape, augment: false),
                                 normalization: normalization, batchSize: Swift.max(configuration.resolvedBatchSize, 64),
                                 shuffle: false, device: device)
    }

    /// Per-channel mean and std of up to 256 of `items` (evenly spaced), as the model sees them,
    /// rounded to 4 decimals: what `--normalize dataset` means for an image folder.
    static func measuredNormalization(of items: [ImageFolder.Item], shape: [Int]) -> Normalization {
        let step = Swift.max(1, items.count / 256)
        let sample = stride(from: 0, to: items.count, by: step).prefix(256).map { items[$0] }
        let loader = ImageFolderLoader(sample, transform: ImageTransform(shape: shape, augment: false),
                                       normalization: .unit, batchSize: 1, shuffle: false, device: CPUDevice.shared)
        let plane = shape[1] * shape[2]
        var sums = [Double](repeating: 0, count: shape[0]), squares = sums
        for index in sample.indices {
            let bytes = loader.input(of: index, epoch: 0)
            for c in 0..<shape[0] {
                for k in 0..<plane {
                    let value = Double(bytes[c * plane + k]) / 255
                    sums[c] += value
                    squares[c] += value * value
                }
            }
        }
        let count = Double(Swift.max(sample.count * plane, 1))
        func rounded(_ x: Double) -> Float { Float((x * 10_000).rounded() / 10_000) }
        let means = sums.map { rounded($0 / count) }
        let stds = zip(sums, squares).map { sum, square -> Float in
            let mean = sum / count
            return Swift.max(rounded((Swift.max(square / count - mean * mean, 0)).squareRoot()), 0.01)
        }
        return Normalization(means: means, stds: stds)
    }
}
