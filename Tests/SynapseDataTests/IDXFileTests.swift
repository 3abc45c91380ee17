import Foundation
import SynapseTestSupport
import Testing

/// IDX parsing on fixtures the tests write: raw and gzip, every corrupt case.
@Suite struct IDXFileTests {
    /// `count` 3×4 images whose pixel i of image k is `k * 16 + i`, labels `k % 10`.
    static func fixture(count: Int, height: Int = 3, width: Int = 4) -> (images: [UInt8], labels: [UInt8]) {
        let pixels = (0..<count * height * width).map { UInt8(truncatingIfNeeded: ($0 / (height * width)) * 16 + $0 % (height * width)) }
        let images = IDXFile(elementType: .uint8, dimensions: [count, height, width], data: pixels).serialized()
        let labels = IDXFile(elementType: .uint8, dimensions: [count], data: (0..<count).map { UInt8($0 % 10) }).serialized()
        return (images, labels)
    }

    /// Writes a dataset directory with the given train files (compressed with zlib if asked).
    static func writeSplit(_ directory: String, images: [UInt8], labels: [UInt8], gzip: Bool) throws {
        let suffix = gzip ? ".gz" : ""
        try TestEnvironment.write(gzip ? Gzip.compress(images) : images,
                                  to: "\(directory)/train-images-idx3-ubyte\(suffix)")
        try TestEnvironment.write(gzip ? Gzip.compress(labels) : labels,
                                  to: "\(directory)/train-labels-idx1-ubyte\(suffix)")
    }

    @Test(arguments: [false, true])
    func loadsRawAndGzipFixtures(gzip: Bool) throws {
        let directory = try TestEnvironment.scratchDirectory()
        defer { TestEnvironment.remove(directory) }
        let (images, labels) = Self.fixture(count: 12)
        try Self.writeSplit(directory, images: images, labels: labels, gzip: gzip)

        let set = try FashionMNIST.load(directory: directory, split: .train)
        #expect(set.count == 12 && set.channels == 1 && set.height == 3 && set.width == 4)
        #expect(set.pixels == Array(images[16...]))
        #expect(set.labels == (0..<12).map { Int32($0 % 10) })
        #expect(Array(set.image(at: 2)) == (0..<12).map { UInt8(32 + $0) })
        #expect(set.normalizedPixels()[13] == Float(set.pixels[13]) / 255)
        #expect(set.labelCounts() == [2, 2, 1, 1, 1, 1, 1, 1, 1, 1])
        #expect(set.subset(10..<12).labels == [0, 1])
    }

    @Test func gzipFromTheGzipToolIsRead() throws {
        let directory = try TestEnvironment.scratchDirectory()
        defer { TestEnvironment.remove(directory) }
        let (images, labels) = Self.fixture(count: 5)
        try Self.writeSplit(directory, images: images, labels: labels, gzip: false)
        let status = try TestEnvironment.run(["gzip", "-9", "\(directory)/train-images-idx3-ubyte"])
        try #require(status.status == 0, "gzip failed: \(status.output)")
        let idx = try IDXFile(contentsOf: "\(directory)/train-images-idx3-ubyte.gz")
        #expect(idx.dimensions == [5, 3, 4])
        #expect(try MNIST.load(directory: directory, split: .train).count == 5)
    }

    @Test func otherElementTypesConvert() throws {
        let bigEndian: [UInt8] = [0xFF, 0xFF, 0xFF, 0xFE, 0x00, 0x00, 0x01, 0x00]  // Int32 -2, 256
        let ints = try IDXFile(bytes: IDXFile(elementType: .int32, dimensions: [2], data: bigEndian).serialized(),
                               file: "ints.idx")
        #expect(ints.int32Values() == [-2, 256])
        #expect(ints.floatValues() == [-2, 256])
        let floats = IDXFile(elementType: .float32, dimensions: [1], data: [0x3F, 0xC0, 0, 0])  // 1.5
        #expect(floats.floatValues() == [1.5])
        #expect(floats.int32Values() == nil)
        let shorts = IDXFile(elementType: .int16, dimensions: [1], data: [0xFF, 0x9C])  // -100
        #expect(shorts.int32Values() == [-100])
    }

    @Test func missingFileNamesTheNamesTriedAndThePackage() throws {
        let directory = try TestEnvironment.scratchDirectory()
        defer { TestEnvironment.remove(directory) }
        expectDataError(mentions: [directory, "train-images-idx3-ubyte.gz", "train-images-idx3-ubyte",
                                   "dataset-fashion-mnist"]) {
            _ = try FashionMNIST.load(directory: directory, split: .train)
        } matches: { if case .missingFile = $0 { true } else { false } }
        expectDataError(mentions: ["t10k-labels-idx1-ubyte"]) {
            let (images, _) = Self.fixture(count: 2)
            try TestEnvironment.write(images, to: "\(directory)/t10k-images-idx3-ubyte")
            _ = try MNIST.load(directory: directory, split: .test)
        } matches: { if case .missingFile = $0 { true } else { false } }
    }

    /// Writes a train split whose image file is `images` and checks the error names it.
    func expectImagesError(_ images: [UInt8], gzip: Bool = false, mentions: [String] = [],
                           sourceLocation: SourceLocation = #_sourceLocation,
                           matches: (DataError) -> Bool) throws {
        let directory = try TestEnvironment.scratchDirectory()
        defer { TestEnvironment.remove(directory) }
        let labels = Self.fixture(count: 2).labels
        try Self.writeSplit(directory, images: images, labels: labels, gzip: false)
        if gzip {  // replace the raw images with the given bytes under the .gz name
            try FileManager.default.removeItem(atPath: "\(directory)/train-images-idx3-ubyte")
            try TestEnvironment.write(images, to: "\(directory)/train-images-idx3-ubyte.gz")
        }
        let name = gzip ? "train-images-idx3-ubyte.gz" : "train-images-idx3-ubyte"
        expectDataError(mentions: ["\(directory)/\(name)"] + mentions, sourceLocation: sourceLocation, {
            _ = try FashionMNIST.load(directory: directory, split: .train)
        }, matches: matches)
    }

    @Test func truncatedDataAndHeader() throws {
        let images = Self.fixture(count: 2).images
        try expectImagesError(Array(images.dropLast(5)), mentions: ["truncated", "\(images.count)"]) {
            if case .truncated(_, _, images.count, images.count - 5) = $0 { true } else { false }
        }
        try expectImagesError(Array(images.prefix(9)), mentions: ["header"]) {
            if case .truncated(_, _, 16, 9) = $0 { true } else { false }
        }
        try expectImagesError([0, 0]) { if case .truncated(_, _, 4, 2) = $0 { true } else { false } }
        try expectImagesError(images + [1, 2, 3], mentions: ["3 unexpected bytes"]) {
            if case .malformed = $0 { true } else { false }
        }
    }

    @Test func badMagicAndElementType() throws {
        var images = Self.fixture(count: 2).images
        images[0] = 0x1A
        try expectImagesError(images, mentions: ["magic", "1a 00 08 03"]) {
            if case .badMagic = $0 { true } else { false }
        }
        images[0] = 0
        images[2] = 0x07
        try expectImagesError(images, mentions: ["0x7"]) {
            if case .unsupportedElementType(_, 0x07, _) = $0 { true } else { false }
        }
        let ints = IDXFile(elementType: .int32, dimensions: [2, 1, 1], data: [UInt8](repeating: 0, count: 8))
        try expectImagesError(ints.serialized(), mentions: ["unsigned bytes"]) {
            if case .unsupportedElementType(_, 0x0C, _) = $0 { true } else { false }
        }
    }

    @Test func wrongDimensionality() throws {
        let flat = IDXFile(elementType: .uint8, dimensions: [2, 12], data: [UInt8](repeating: 1, count: 24))
        try expectImagesError(flat.serialized(), mentions: ["expected 3 dimension", "[2, 12]"]) {
            if case .wrongDimensionality(_, 3, [2, 12]) = $0 { true } else { false }
        }
    }

    @Test func countMismatchNamesBothFiles() throws {
        let directory = try TestEnvironment.scratchDirectory()
        defer { TestEnvironment.remove(directory) }
        try Self.writeSplit(directory, images: Self.fixture(count: 3).images,
                            labels: Self.fixture(count: 2).labels, gzip: true)
        expectDataError(mentions: ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "3 images", "2 labels"]) {
            _ = try FashionMNIST.load(directory: directory, split: .train)
        } matches: { if case .countMismatch(_, 3, _, 2) = $0 { true } else { false } }
    }

    @Test func labelsOutsideZeroToNine() throws {
        let directory = try TestEnvironment.scratchDirectory()
        defer { TestEnvironment.remove(directory) }
        let labels = IDXFile(elementType: .uint8, dimensions: [2], data: [3, 10]).serialized()
        try Self.writeSplit(directory, images: Self.fixture(count: 2).images, labels: labels, gzip: false)
        expectDataError(mentions: ["\(directory)/train-labels-idx1-ubyte", "label 10", "index 1", "0...9"]) {
            _ = try FashionMNIST.load(directory: directory, split: .train)
        } matches: { if case .labelOutOfRange(_, 1, 10, 10) = $0 { true } else { false } }
    }

    @Test func corruptAndTruncatedGzip() throws {
        let packed = Gzip.compress(Self.fixture(count: 40).images)
        var damaged = packed
        for i in 12..<min(40, damaged.count - 8) { damaged[i] ^= 0x5A }
        try expectImagesError(damaged, gzip: true, mentions: ["corrupt gzip"]) {
            if case .corruptGzip = $0 { true } else { false }
        }
        try expectImagesError(Array(packed.prefix(packed.count / 2)), gzip: true, mentions: ["ends early"]) {
            if case .corruptGzip = $0 { true } else { false }
        }
    }
}
