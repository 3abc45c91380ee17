import SynapseIO
import SynapseBackend
/// A set of equally sized images with one integer class label each, held on the host.
///
/// Pixels are stored `[count, channels, height, width]` row-major (NCHW, PyTorch's layout) as
/// raw bytes; convert with `normalizedPixels()` when uploading. Building one checks that every
/// label lies in `0..<classCount`.
public struct LabeledImages: Sendable, Equatable {
    /// Number of images (and labels).
    public let count: Int
    /// Channels per image (1 for grayscale MNIST-style data).
    public let channels: Int
    /// Image height in pixels.
    public let height: Int
    /// Image width in pixels.
    public let width: Int
    /// Number of classes; every label lies in `0..<classCount`.
    public let classCount: Int
    /// All pixels, `count * channels * height * width` bytes, NCHW.
    public let pixels: [UInt8]
    /// One label per image.
    public let labels: [Int32]

    /// Values per image: `channels * height * width`.
    public var pixelsPerImage: Int { channels * height * width }

    /// Creates a labelled image set, checking sizes and label range.
    ///
    /// - Throws: `DataError.malformed` if `pixels` or `labels` have the wrong length,
    ///   `DataError.labelOutOfRange` for a label outside `0..<classCount`. `source` names the
    ///   origin in those errors.
    public init(pixels: [UInt8], labels: [Int32], channels: Int = 1, height: Int, width: Int,
                classCount: Int, source: String = "<memory>") throws {
        ensure(channels > 0 && height >= 0 && width >= 0 && classCount > 0,
               "LabeledImages: bad geometry channels=\(channels) \(height)x\(width) classes=\(classCount)")
        let perImage = channels * height * width
        guard perImage == 0 ? pixels.isEmpty : pixels.count == labels.count * perImage else {
            throw DataError.malformed(
                file: source,
                reason: "\(pixels.count) pixels do not hold \(labels.count) images of \(channels)x\(height)x\(width)")
        }
        if let bad = labels.firstIndex(where: { $0 < 0 || Int($0) >= classCount }) {
            throw DataError.labelOutOfRange(file: source, index: bad, label: Int(labels[bad]),
                                            classCount: classCount)
        }
        self.init(unchecked: pixels, labels: labels, channels: channels, height: height, width: width,
                  classCount: classCount)
    }

    /// The pixels of image `index`, `channels * height * width` bytes.
    public func image(at index: Int) -> ArraySlice<UInt8> {
        ensure(index >= 0 && index < count, "LabeledImages.image(at: \(index)) outside 0..<\(count)")
        return pixels[index * pixelsPerImage ..< (index + 1) * pixelsPerImage]
    }

    /// All pixels scaled to `[0, 1]` as `Float` (byte / 255), NCHW.
    public func normalizedPixels() -> [Float] {
        let scale: Float = 1 / 255
        return [Float](unsafeUninitializedCapacity: pixels.count) { out, initialized in
            pixels.withUnsafeBufferPointer { source in
                for i in 0..<source.count { out[i] = Float(source[i]) * scale }
            }
            initialized = pixels.count
        }
    }

    /// How many images carry each label, indexed by label.
    public func labelCounts() -> [Int] {
        var counts = [Int](repeating: 0, count: classCount)
        for label in labels { counts[Int(label)] += 1 }
        return counts
    }

    /// The images at `range` as a new set (e.g. a validation split).
    public func subset(_ range: Range<Int>) -> LabeledImages {
        ensure(range.lowerBound >= 0 && range.upperBound <= count,
               "LabeledImages.subset(\(range)) outside 0..<\(count)")
        let perImage = pixelsPerImage
        return LabeledImages(
            unchecked: Array(pixels[range.lowerBound * perImage ..< range.upperBound * perImage]),
            labels: Array(labels[range]), channels: channels, height: height, width: width,
            classCount: classCount)
    }

    /// Builds a set whose invariants the caller already guarantees.
    private init(unchecked pixels: [UInt8], labels: [Int32], channels: Int, height: Int,
                 width: Int, classCount: Int) {
        self.count = labels.count
        self.channels = channels
        self.height = height
        self.width = width
        self.classCount = classCount
        self.pixels = pixels
        self.labels = labels
    }
}
