import Foundation
import SynapseTestSupport

/// A Fashion-MNIST-shaped data directory written by a test: four uncompressed IDX files of
/// random images, of any size and count, so the CLI can be tried on data it must refuse.
enum SyntheticIDXData {
    /// Writes `train-*` and `t10k-*` image and label files to a new folder under `parent`.
    static func directory(in parent: String, name: String, train: Int, test: Int,
                          height: Int = 28, width: Int = 28) throws -> String {
        let directory = parent + "/" + name
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var random = SeededRandom(UInt64(train * 31 + test))
        for (prefix, count) in [("train", train), ("t10k", test)] {
            let pixels = (0..<(count * height * width)).map { _ in UInt8(random.float(0...255.99)) }
            let labels = (0..<count).map { _ in UInt8(random.float(0...9.99)) }
            try write(magic: 0x0803, dimensions: [count, height, width], body: pixels,
                      to: "\(directory)/\(prefix)-images-idx3-ubyte")
            try write(magic: 0x0801, dimensions: [count], body: labels, to: "\(directory)/\(prefix)-labels-idx1-ubyte")
        }
        return directory
    }

    /// An IDX file: magic (type 0x08 = unsigned bytes, and the rank), big-endian sizes, the bytes.
    private static func write(magic: UInt32, dimensions: [Int], body: [UInt8], to path: String) throws {
        var bytes: [UInt8] = []
        for value in [magic] + dimensions.map(UInt32.init) {
            bytes += [UInt8(value >> 24 & 0xFF), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
        }
        try Data(bytes + body).write(to: URL(fileURLWithPath: path))
    }
}
