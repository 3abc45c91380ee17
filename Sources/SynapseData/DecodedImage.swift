import CSynapseImageCodecs
import SynapseBackend
import SynapseIO

/// An image decoded from PNG or JPEG: `height × width` pixels of 1 (gray) or 3 (RGB) channels,
/// rows top to bottom, channels interleaved (HWC), as the files store them.
public struct DecodedImage: Sendable, Equatable {
    /// Pixels per row.
    public let width: Int
    /// Rows.
    public let height: Int
    /// 1 (gray) or 3 (RGB).
    public let channels: Int
    /// `height * width * channels` bytes, HWC.
    public let pixels: [UInt8]

    /// An image of the given pixels (checked to fit the geometry).
    public init(width: Int, height: Int, channels: Int, pixels: [UInt8]) {
        ensure(width > 0 && height > 0 && (channels == 1 || channels == 3) && pixels.count == width * height * channels,
               "DecodedImage: \(pixels.count) bytes do not make \(width)×\(height)×\(channels)")
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }

    /// The most pixels an image may have (about 67 million: 8192 × 8192), so a hostile header cannot
    /// make the decoder allocate gigabytes.
    public static let maxPixels = 1 << 26
    /// The largest image file read (256 MiB).
    public static let maxFileBytes = 256 << 20
    /// File name extensions read as images (lower case), as torchvision's `ImageFolder` filters them.
    public static let extensions: Set<String> = ["png", "jpg", "jpeg"]

    /// Decodes PNG or JPEG `bytes` (told apart by their signature); `file` names the source in errors.
    ///
    /// - Throws: `DataError.malformed` naming `file` with the decoder's reason.
    public static func decode(_ bytes: [UInt8], file: String) throws -> DecodedImage {
        var image = synapse_image()
        var message = [CChar](repeating: 0, count: Int(SYNAPSE_IMAGE_MESSAGE_SIZE))
        let status: Int32 = bytes.withUnsafeBufferPointer { data in
            message.withUnsafeMutableBufferPointer { text in
                guard let base = data.baseAddress, data.count >= 8 else { return -1 }
                if data[0] == 0x89 && data[1] == 0x50 {
                    return synapse_png_decode(base, data.count, maxPixels, &image, text.baseAddress)
                }
                if data[0] == 0xFF && data[1] == 0xD8 {
                    return synapse_jpeg_decode(base, data.count, maxPixels, &image, text.baseAddress)
                }
                return -1
            }
        }
        defer { synapse_image_free(&image) }
        guard status == 0, let pixels = image.pixels else {
            let reason = status == -1 ? "not a PNG or JPEG image" : Self.text(message)
            throw DataError.malformed(file: file, reason: reason)
        }
        let count = Int(image.width) * Int(image.height) * Int(image.channels)
        return DecodedImage(width: Int(image.width), height: Int(image.height), channels: Int(image.channels),
                            pixels: Array(UnsafeBufferPointer(start: pixels, count: count)))
    }

    /// Reads and decodes the image file at `path`.
    ///
    /// - Throws: `DataError` naming `path`: unreadable, too large, or not a decodable image.
    public static func read(_ path: String) throws -> DecodedImage {
        try decode(HostFile.readAll(path, atMost: maxFileBytes, what: "image"), file: path)
    }

    /// The image as PNG bytes.
    public func pngData() throws -> [UInt8] {
        try encoded { pixels, out, size, message in
            synapse_png_encode(pixels, Int32(width), Int32(height), Int32(channels), out, size, message)
        }
    }

    /// The image as JPEG bytes of `quality` (1…100).
    public func jpegData(quality: Int = 90) throws -> [UInt8] {
        try encoded { pixels, out, size, message in
            synapse_jpeg_encode(pixels, Int32(width), Int32(height), Int32(channels), Int32(quality), out, size, message)
        }
    }

    /// A C message buffer as text.
    private static func text(_ message: [CChar]) -> String {
        String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private func encoded(_ encode: (UnsafePointer<UInt8>, UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>,
                                    UnsafeMutablePointer<Int>, UnsafeMutablePointer<CChar>) -> Int32) throws -> [UInt8] {
        var out: UnsafeMutablePointer<UInt8>?
        var size = 0
        var message = [CChar](repeating: 0, count: Int(SYNAPSE_IMAGE_MESSAGE_SIZE))
        let status = pixels.withUnsafeBufferPointer { data in
            message.withUnsafeMutableBufferPointer { encode(data.baseAddress!, &out, &size, $0.baseAddress!) }
        }
        defer { synapse_buffer_free(out) }
        guard status == 0, let out else {
            throw DataError.malformed(file: "<memory>", reason: Self.text(message))
        }
        return Array(UnsafeBufferPointer(start: out, count: size))
    }
}
