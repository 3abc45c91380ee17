import Foundation
import SynapseTestSupport
import Testing

/// PNG and JPEG through libpng and libjpeg-turbo: round trips, and damaged or hostile bytes give a
/// `DataError` naming the file, never a crash or an exit.
@Suite struct ImageCodecTests {
    static func image(channels: Int, width: Int = 13, height: Int = 7) -> DecodedImage {
        let pixels = (0..<(width * height * channels)).map { UInt8(truncatingIfNeeded: $0 * 37 + 11) }
        return DecodedImage(width: width, height: height, channels: channels, pixels: pixels)
    }

    @Test(arguments: [1, 3])
    func pngRoundTripIsExact(channels: Int) throws {
        let original = Self.image(channels: channels)
        #expect(try DecodedImage.decode(original.pngData(), file: "x.png") == original)
    }

    @Test(arguments: [1, 3])
    func jpegRoundTripIsClose(channels: Int) throws {
        var random = SeededRandom(2)
        let smooth = ShapesImageFolder.draw(label: 0, random: &random, gray: channels == 1)
        let decoded = try DecodedImage.decode(smooth.jpegData(quality: 95), file: "x.jpg")
        #expect(decoded.width == smooth.width && decoded.height == smooth.height && decoded.channels == channels)
        let error = zip(decoded.pixels, smooth.pixels).map { abs(Int($0) - Int($1)) }.reduce(0, +) / smooth.pixels.count
        #expect(error < 8)
    }

    @Test func damagedBytesAreErrorsNamingTheFile() throws {
        let png = try Self.image(channels: 3, width: 64, height: 64).pngData()
        var random = SeededRandom(5)
        let jpeg = try ShapesImageFolder.draw(label: 1, random: &random, gray: false).jpegData()
        var flipped = png
        flipped[flipped.count / 2] ^= 0xFF  // a CRC error inside the image data
        var hugeHeader = png
        hugeHeader[16...19] = [0x00, 0x00, 0x7F, 0xFF]  // width 32767 …
        hugeHeader[20...23] = [0x00, 0x00, 0x7F, 0xFF]  // … by 32767: over the pixel limit
        let cases: [(String, [UInt8])] = [
            ("empty", []), ("text", Array("hello, world".utf8)), ("png-truncated", Array(png.prefix(png.count / 2))),
            ("png-header-only", Array(png.prefix(33))), ("png-crc", flipped), ("png-huge", hugeHeader),
            ("jpeg-truncated", Array(jpeg.prefix(jpeg.count / 2))), ("jpeg-header-only", Array(jpeg.prefix(20))),
            ("jpeg-garbage", [0xFF, 0xD8, 0xFF] + [UInt8](repeating: 0x42, count: 500)),
        ]
        for (name, bytes) in cases {
            #expect {
                _ = try DecodedImage.decode(bytes, file: "/data/\(name)")
            } throws: { error in
                guard case let DataError.malformed(file, reason) = error else { return false }
                return file == "/data/\(name)" && !reason.isEmpty
            }
        }
    }
}
