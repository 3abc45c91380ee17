import Foundation
import SynapseTestSupport
import Testing

/// `DataLoader`: seeded shuffling, coverage, drop-last, normalisation and prefetching.
@Suite struct DataLoaderTests {
    /// `count` 2×2 images whose four bytes spell the image's index in base 256 (so a batch read back
    /// tells which examples it holds), label = index % 10.
    static func indexedImages(_ count: Int) throws -> LabeledImages {
        var pixels: [UInt8] = []
        for i in 0..<count {
            pixels += [UInt8(i & 0xFF), UInt8(i >> 8 & 0xFF), UInt8(i >> 16 & 0xFF), 7]
        }
        return try LabeledImages(pixels: pixels, labels: (0..<count).map { Int32($0 % 10) },
                                 height: 2, width: 2, classCount: 10)
    }

    /// The example indices a batch holds, decoded from its (unit-normalised) pixels.
    static func indices(of batch: Batch) throws -> [Int] {
        let values = try batch.images.toArray().map { Int(($0 * 255).rounded()) }
        return stride(from: 0, to: values.count, by: 4).map { values[$0] | values[$0 + 1] << 8 | values[$0 + 2] << 16 }
    }

    @Test func sameSeedGivesSameOrderAndEpochsDiffer() {
        let a = ShuffleOrder.permutation(count: 1000, seed: 42, epoch: 0)
        #expect(a == ShuffleOrder.permutation(count: 1000, seed: 42, epoch: 0))
        #expect(a != ShuffleOrder.permutation(count: 1000, seed: 42, epoch: 1))
        #expect(a != ShuffleOrder.permutation(count: 1000, seed: 43, epoch: 0))
        #expect(a.sorted() == Array(0..<1000))
        #expect(a != Array(0..<1000))
    }

    @Test func everyExampleOncePerEpochInTheAnnouncedOrder() throws {
        let data = try Self.indexedImages(1000)
        let loader = DataLoader(data, batchSize: 64, seed: 7, normalization: .unit, device: CPUDevice.shared)
        #expect(loader.batchesPerEpoch == 16)
        for epoch in 0..<2 {
            var seen: [Int] = [], labels: [Int32] = []
            for batch in loader.epoch(epoch) {
                #expect(batch.images.shape == [batch.count, 1, 2, 2])
                seen += try Self.indices(of: batch)
                labels += try batch.labels.toInt32Array()
            }
            #expect(seen == loader.order(epoch: epoch))
            #expect(seen.sorted() == Array(0..<1000))
            #expect(labels == seen.map { Int32($0 % 10) })
        }
        #expect(loader.order(epoch: 0) != loader.order(epoch: 1))
    }

    @Test func sameSeedSameBatchesAcrossLoaders() throws {
        let data = try Self.indexedImages(300)
        let first = DataLoader(data, batchSize: 32, seed: 3, normalization: .unit, device: CPUDevice.shared)
        let second = DataLoader(data, batchSize: 32, seed: 3, normalization: .unit, device: CPUDevice.shared,
                                prefetch: false)
        let a = try first.epoch(1).map { try $0.images.toArray() }
        let b = try second.epoch(1).map { try $0.images.toArray() }
        #expect(a == b)
    }

    @Test func dropLastSkipsTheShortBatch() throws {
        let data = try Self.indexedImages(1000)
        let keep = DataLoader(data, batchSize: 64, shuffle: false, device: CPUDevice.shared)
        let drop = DataLoader(data, batchSize: 64, shuffle: false, dropLast: true, device: CPUDevice.shared)
        #expect(keep.epoch(0).map(\.count) == Array(repeating: 64, count: 15) + [40])
        #expect(drop.epoch(0).map(\.count) == Array(repeating: 64, count: 15))
        #expect(drop.batchesPerEpoch == 15 && drop.examplesPerEpoch == 960)
        #expect(keep.examplesPerEpoch == 1000)
    }

    @Test func unshuffledOrderIsIndexOrder() throws {
        let data = try Self.indexedImages(100)
        let loader = DataLoader(data, batchSize: 30, shuffle: false, normalization: .unit, device: CPUDevice.shared)
        let seen = try loader.epoch(5).flatMap { try Self.indices(of: $0) }
        #expect(seen == Array(0..<100))
    }

    @Test func normalisesWithFashionMNISTStatisticsByDefault() throws {
        let data = try LabeledImages(pixels: [0, 255, 128, 51], labels: [3], height: 2, width: 2, classCount: 10)
        let loader = DataLoader(data, batchSize: 1, device: CPUDevice.shared)
        #expect(loader.normalization == Normalization(mean: 0.2860, std: 0.3530))
        let values = try #require(loader.epoch(0).next()).images.toArray()
        let bytes: [Float] = [0, 255, 128, 51]
        let expected = bytes.map { ($0 / 255 - 0.2860) / 0.3530 }
        #expect(values == expected)

        let custom = DataLoader(data, batchSize: 1, normalization: Normalization(mean: 0.5, std: 0.25),
                                device: CPUDevice.shared)
        let customValues = try #require(custom.epoch(0).next()).images.toArray()
        let customExpected = bytes.map { ($0 / 255 - 0.5) / 0.25 }
        #expect(customValues == customExpected)
    }

    @Test func startingMidEpochGivesTheRemainingBatches() throws {
        let data = try Self.indexedImages(500)
        let loader = DataLoader(data, batchSize: 50, seed: 11, normalization: .unit, device: CPUDevice.shared)
        let all = try loader.epoch(2).map { try Self.indices(of: $0) }
        let tail = try loader.epoch(2, startingAt: 4).map { try Self.indices(of: $0) }
        #expect(tail == Array(all[4...]))
        #expect(loader.epoch(2, startingAt: 10).map(\.count).isEmpty)
    }

    @Test func abandoningAnEpochEarlyIsSafe() throws {
        let data = try Self.indexedImages(500)
        let loader = DataLoader(data, batchSize: 50, seed: 1, normalization: .unit, device: CPUDevice.shared)
        for _ in 0..<20 {
            let epoch = loader.epoch(0).makeIterator()
            _ = epoch.next()
        }
        let full = try loader.epoch(0).flatMap { try Self.indices(of: $0) }
        #expect(full.sorted() == Array(0..<500))
    }
}
