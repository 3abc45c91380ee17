import Foundation
import SynapseTestSupport
import SynapseTraining
import Testing

/// Compressed IDX files are inflated only as far as their header says is needed, and only as
/// far as the items actually used (issue 13, case 6): a gzip bomb costs what is used, not what
/// it holds.
@Suite struct GzipBombTests {
    /// An IDX header of `uint8` items of `itemShape` that claims `count` items.
    static func header(count: Int, itemShape: [Int]) -> [UInt8] {
        let dims = [count] + itemShape
        var out: [UInt8] = [0, 0, 0x08, UInt8(dims.count)]
        for size in dims { out += [UInt8(size >> 24 & 0xFF), UInt8(size >> 16 & 0xFF), UInt8(size >> 8 & 0xFF), UInt8(size & 0xFF)] }
        return out
    }

    /// `count` bytes that do not compress, so compressed and inflated positions stay close.
    static func noise(_ count: Int, seed: UInt32 = 1) -> [UInt8] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 1_664_525 &+ 1_013_904_223
            return UInt8(truncatingIfNeeded: state >> 24)
        }
    }

    /// The same 1 MiB gzip member of zeros `count` times, after a member holding `head`: a
    /// stream that inflates to `head` + `count` MiB of zeros while costing ~1 KiB per MiB.
    static func bomb(head: [UInt8], mebibytes count: Int) -> [UInt8] {
        let zeros = Gzip.compress([UInt8](repeating: 0, count: 1 << 20), level: 9)
        var out = Gzip.compress(head)
        out.reserveCapacity(out.count + count * zeros.count)
        for _ in 0..<count { out += zeros }
        return out
    }

    @Test func dataBeyondWhatTheHeaderDescribesIsRefusedAfterOneExtraByte() throws {
        let idx = Self.header(count: 2, itemShape: [3, 4]) + Self.noise(24)
        var packed = Gzip.compress(idx + [UInt8](repeating: 0, count: 1 << 20))
        packed[packed.count - 8] ^= 0xFF  // a wrong CRC: only a reader that inflates everything sees it
        expectDataError(mentions: ["bomb.gz", "more than the 24 bytes", "[2, 3, 4]"], {
            _ = try IDXFile(bytes: packed, file: "bomb.gz")
        }, matches: { if case .malformed = $0 { true } else { false } })
    }

    @Test func onlyTheItemsAskedForAreInflated() throws {
        // The header claims 1.9 M images but the stream holds 50: asking for 20 never gets past them.
        let images = Self.header(count: 1_900_000, itemShape: [28, 28]) + Self.noise(50 * 784)
        let packed = Gzip.compress(images)
        let first = try IDXFile(bytes: packed, file: "lazy.gz", maxItems: 20)
        #expect(first.dimensions == [20, 28, 28])
        #expect(first.fileItemCount == 1_900_000)
        #expect(first.data == Array(images[16 ..< 16 + 20 * 784]))
        expectDataError(mentions: ["lazy.gz", "truncated"], {
            _ = try IDXFile(bytes: packed, file: "lazy.gz")
        }, matches: { if case .truncated = $0 { true } else { false } })
    }

    /// Writes train and test splits (images and labels, gzip) to `directory`.
    static func writeDataset(_ directory: String, train: (images: [UInt8], labels: [UInt8]),
                             test: (images: [UInt8], labels: [UInt8])) throws {
        try TestEnvironment.write(train.images, to: "\(directory)/train-images-idx3-ubyte.gz")
        try TestEnvironment.write(train.labels, to: "\(directory)/train-labels-idx1-ubyte.gz")
        try TestEnvironment.write(test.images, to: "\(directory)/t10k-images-idx3-ubyte.gz")
        try TestEnvironment.write(test.labels, to: "\(directory)/t10k-labels-idx1-ubyte.gz")
    }

    @Test func limitTrainReachesTheReaderAndABombCostsOnlyTheImagesUsed() throws {
        let directory = try TestEnvironment.scratchDirectory()
        defer { TestEnvironment.remove(directory) }
        // Headers claim 1.9 M images and labels, but each stream breaks off after 3000 of them:
        // a reader that inflates more than it uses fails; one that stops at the limit does not.
        let images = Gzip.compress(Self.header(count: 1_900_000, itemShape: [28, 28]) + Self.noise(3000 * 784))
        let labels = Gzip.compress(Self.header(count: 1_900_000, itemShape: []) + Self.noise(3000).map { $0 % 10 })
        let test = IDXFileTests.fixture(count: 8, height: 28, width: 28)
        try Self.writeDataset(directory, train: (images, labels),
                              test: (Gzip.compress(test.images), Gzip.compress(test.labels)))
        var configuration = TrainingConfiguration()
        configuration.dataDirectory = directory
        configuration.limitTrain = 2000
        configuration.batchSize = 100
        let data = try TrainingData.make(configuration, device: CPUDevice.shared)
        #expect(data.train.examplesPerEpoch == 2000)
        #expect(data.test?.examplesPerEpoch == 8)
    }

    @Test func aValidBombOfZeroImagesIsReadOnlyAsFarAsTheLimit() throws {
        // 1.45 MiB of gzip that inflates to 1.9 M images (1.4 GiB): with a limit, ~1.5 MiB is inflated.
        let count = 1_900_000
        let bytes = count * 784
        let images = Self.bomb(head: Self.header(count: count, itemShape: [28, 28]), mebibytes: (bytes + (1 << 20) - 1) >> 20)
        let idx = try IDXFile(bytes: images, file: "bomb.gz", maxItems: 2000)
        #expect(idx.dimensions == [2000, 28, 28] && idx.fileItemCount == count)
        #expect(idx.data.allSatisfy { $0 == 0 })
    }

    @Test func countsAreComparedFromTheHeadersEvenWhenLimited() throws {
        let directory = try TestEnvironment.scratchDirectory()
        defer { TestEnvironment.remove(directory) }
        let images = Gzip.compress(Self.header(count: 60_000, itemShape: [28, 28]) + Self.noise(5 * 784))
        let labels = Gzip.compress(Self.header(count: 59_999, itemShape: []) + [UInt8](repeating: 1, count: 5))
        let test = IDXFileTests.fixture(count: 2)
        try Self.writeDataset(directory, train: (images, labels), test: (test.images, test.labels))
        expectDataError(mentions: ["train-images-idx3-ubyte.gz", "60000 images", "59999 labels"], {
            _ = try FashionMNIST.load(directory: directory, split: .train, maxItems: 5)
        }, matches: { if case .countMismatch(_, 60_000, _, 59_999) = $0 { true } else { false } })
    }

    @Test func headersWhoseSizesOverflowOrExceedMemoryNameTheFile() throws {
        let overflow = Gzip.compress([0, 0, 0x08, 3] + [UInt8](repeating: 0xFF, count: 12))
        expectDataError(mentions: ["overflow.gz", "[4294967295, 4294967295, 4294967295]", "too large"], {
            _ = try IDXFile(bytes: overflow, file: "overflow.gz")
        }, matches: { if case .malformed = $0 { true } else { false } })
        // 10^16 bytes: no overflow, but no machine's memory; refused before inflating any data.
        let huge = Self.bomb(head: Self.header(count: 1_000_000, itemShape: [100_000, 100_000]), mebibytes: 4)
        expectDataError(mentions: ["huge.gz", "memory"], {
            _ = try IDXFile(bytes: huge, file: "huge.gz")
        }, matches: { if case .malformed = $0 { true } else { false } })
    }

    @Test func membersSplitAcrossTheReadersChunksAreJoined() throws {
        let directory = try TestEnvironment.scratchDirectory()
        defer { TestEnvironment.remove(directory) }
        // A stored (level 0) first member ending one byte before the 1 MiB read boundary: the next
        // member's magic 1f 8b straddles two reads.
        let header = Self.header(count: 2_000, itemShape: [28, 28])
        let pixels = Self.noise(2_000 * 784)
        var split = 1 << 20
        var first = Gzip.compress(header + pixels.prefix(split), level: 0)
        for _ in 0..<20 where first.count != (1 << 20) - 1 {
            split += (1 << 20) - 1 - first.count
            first = Gzip.compress(header + pixels.prefix(split), level: 0)
        }
        try #require(first.count == (1 << 20) - 1, "could not size the first member")
        let path = directory + "/images.gz"
        try TestEnvironment.write(first + Gzip.compress(Array(pixels.dropFirst(split))), to: path)
        let idx = try IDXFile(contentsOf: path)
        #expect(idx.dimensions == [2_000, 28, 28])
        #expect(idx.data == pixels)
    }
}
