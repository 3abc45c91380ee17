import Foundation
import SynapseTestSupport
import SynapseTraining
import Testing

/// Image folders: scanning in torchvision's layout, checking every image, seeded transforms and
/// background decoding, and training on them on every device.
@Suite struct ImageFolderTests {
    static let scratch: String = {
        let path = NSTemporaryDirectory() + "synapse-imagefolder-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }()
    static let clean: String = try! ShapesImageFolder.write(in: scratch, name: "shapes")
    static let damaged: String = try! ShapesImageFolder.write(in: scratch, name: "damaged", trainPerClass: 4,
                                                              valPerClass: 2, corrupt: true)

    @Test func scanFindsClassesInTorchvisionOrder() throws {
        let folder = try ImageFolder.scan(Self.clean)
        #expect(folder.classNames == ShapesImageFolder.classNames)
        #expect(folder.train.count == 72 && folder.validation.count == 24)
        #expect(folder.train.filter { $0.label == 2 }.allSatisfy { $0.path.contains("/train/triangle/") })
        let split = try ImageFolder.scan(Self.clean + "/val", validationSplit: 0.25, seed: 3)
        #expect(split.train.count == 18 && split.validation.count == 6)
        #expect(Set(split.train.map(\.path)).isDisjoint(with: split.validation.map(\.path)))
        #expect(try ImageFolder.scan(Self.clean + "/val", validationSplit: 0.25, seed: 3).validation == split.validation)
        let limited = ImageFolder.spread(folder.train, limit: 9)
        #expect(limited.count == 9 && (0...2).allSatisfy { label in limited.filter { $0.label == label }.count == 3 })
        #expect(ImageFolder.spread(folder.train, limit: 500) == folder.train)
        #expect(throws: DataError.self) { _ = try ImageFolder.scan(Self.scratch + "/missing") }
        #expect(throws: DataError.self) { _ = try ImageFolder.scan(Self.clean + "/val", classNames: ["circle", "square"]) }
    }

    @Test func damagedImagesAreNamedOrSkipped() throws {
        let folder = try ImageFolder.scan(Self.damaged)
        #expect(folder.train.count == 15)
        #expect {
            _ = try ImageFolder.verify(folder.train, skipBad: false)
        } throws: { error in
            "\(error)".hasPrefix(Self.damaged + "/train/circle/zz-garbage.png: ")
        }
        let checked = try ImageFolder.verify(folder.train, skipBad: true)
        #expect(checked.usable.count == 12 && checked.bad.count == 3)
        #expect(Set(checked.bad.map { ($0.path as NSString).lastPathComponent })
            == ["zz-garbage.png", "zz-truncated.jpg", "zz-empty.jpg"])
    }

    @Test func transformsAreSeededAndSized() throws {
        var random = SeededRandom(9)
        let image = ShapesImageFolder.draw(label: 2, random: &random, gray: false)
        let train = ImageTransform(shape: [3, 24, 20], augment: true)
        #expect(train.apply(image, seed: 1) == train.apply(image, seed: 1))
        #expect(train.apply(image, seed: 1) != train.apply(image, seed: 2))
        #expect(train.apply(image, seed: 1).count == 3 * 24 * 20)
        let flat = DecodedImage(width: 50, height: 30, channels: 1, pixels: [UInt8](repeating: 77, count: 1500))
        #expect(ImageTransform(shape: [3, 28, 28], augment: false).apply(flat, seed: 0) == [UInt8](repeating: 77, count: 3 * 784))
        #expect(ImageTransform(shape: [1, 7, 9], augment: true).apply(flat, seed: 5) == [UInt8](repeating: 77, count: 63))
    }

    @Test func loaderDecodesInTheBackgroundAndCountsWaits() throws {
        let folder = try ImageFolder.scan(Self.clean)
        let loader = ImageFolderLoader(folder.train, transform: ImageTransform(shape: [1, 28, 28], augment: true),
                                       normalization: .unit, batchSize: 16, shuffle: true, seed: 4, dropLast: true,
                                       device: CPUDevice.shared)
        let first = Array(loader.batches(epoch: 0, startingAt: 0))
        #expect(first.count == 4 && first.allSatisfy { $0.images.shape == [16, 1, 28, 28] })
        let again = Array(loader.batches(epoch: 0, startingAt: 2))
        #expect(try again[0].images.toArray() == first[2].images.toArray())
        #expect(try again[0].labels.toInt32Array() == first[2].labels.toInt32Array())
        let next = Array(loader.batches(epoch: 1, startingAt: 0))
        #expect(try next[0].labels.toInt32Array() != first[0].labels.toInt32Array())
        let stats = loader.stats
        #expect(stats.batches == 10 && stats.waited <= stats.batches && stats.failures == 0)

        // The next epoch's first batch, started near the end of this one, is the batch it would be anyway.
        let carried = Array(loader.batches(epoch: 2, startingAt: 0)).prefix(2)
        let fresh = ImageFolderLoader(folder.train, transform: ImageTransform(shape: [1, 28, 28], augment: true),
                                      normalization: .unit, batchSize: 16, shuffle: true, seed: 4, dropLast: true,
                                      device: CPUDevice.shared)
        let direct = Array(fresh.batches(epoch: 3, startingAt: 0)).prefix(2)
        let following = Array(loader.batches(epoch: 3, startingAt: 0)).prefix(2)
        #expect(carried.count == 2)
        for (a, b) in zip(following, direct) {
            #expect(try a.images.toArray() == b.images.toArray() && a.labels.toInt32Array() == b.labels.toInt32Array())
        }
    }

    @Test(arguments: TestDevices.specs)
    func trainsAboveChance(device spec: String) throws {
        var configuration = TrainingConfiguration()
        configuration.model = "alexnet-small"
        configuration.data = .imageFolder(Self.clean)
        configuration.batchSize = 16
        configuration.epochs = 8
        configuration.learningRate = 0.05
        configuration.seed = 1
        let trainer = try Trainer(configuration: configuration, device: TestDevices.device(spec))
        #expect(trainer.data.classNames == ShapesImageFolder.classNames)
        let summary = try trainer.run()
        let accuracy = try #require(summary.finalAccuracy)
        #expect(accuracy > 0.6, "accuracy \(accuracy) on \(spec); chance is 0.33")
        let info = trainer.modelInfo
        #expect(info.classNames == ShapesImageFolder.classNames && info.normalization?.means.count == 1)
    }
}
