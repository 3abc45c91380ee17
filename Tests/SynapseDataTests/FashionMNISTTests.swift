import Foundation
import SynapseTestSupport
import Testing

/// The real Fashion-MNIST files from the `dataset-fashion-mnist` package.
///
/// Skipped where the package is not installed, except in CI, where its absence fails.
@Suite struct FashionMNISTTests {
    static let installed = FileManager.default.fileExists(
        atPath: FashionMNIST.defaultDirectory + "/train-images-idx3-ubyte.gz")
        || FileManager.default.fileExists(atPath: FashionMNIST.defaultDirectory + "/train-images-idx3-ubyte")

    @Test(.enabled(if: installed || TestEnvironment.isCI, "dataset-fashion-mnist is not installed"),
          arguments: [(DatasetSplit.train, 60_000), (.test, 10_000)])
    func realFilesHaveTheDocumentedShape(split: DatasetSplit, expected: Int) throws {
        let clock = ContinuousClock()
        let start = clock.now
        let set: LabeledImages
        do {
            set = try FashionMNIST.load(split: split)
        } catch {
            Issue.record("Fashion-MNIST \(split) could not be loaded (CI requires it): \(error)")
            return
        }
        let elapsed = clock.now - start
        #expect(set.count == expected)
        #expect(set.channels == 1 && set.height == 28 && set.width == 28)
        #expect(set.pixels.count == expected * 784)
        #expect(set.labels.allSatisfy { (0...9).contains($0) })
        #expect(set.classCount == 10 && FashionMNIST.classNames.count == 10)
        #expect(set.labelCounts() == [Int](repeating: expected / 10, count: 10))
        #expect(set.pixels.contains { $0 > 200 } && set.pixels.contains(0))
        print("Fashion-MNIST \(split): \(set.count) images loaded in \(elapsed)")
    }
}
