import Foundation
import Synapse
import SynapseConformance

/// A small image folder written by a test, in torchvision's `ImageFolder` layout: `train/` and `val/`,
/// each with one sub-folder per class (`circle`, `square`, `triangle`) of drawn shapes, bright on a
/// dark background, of random size, place and colour; PNG and JPEG alternate, RGB and gray mix, and
/// image sizes vary. Optionally a few damaged files: garbage named `.png`, a truncated JPEG, an empty file.
public enum ShapesImageFolder {
    /// The class names, sorted as `ImageFolder` sorts them.
    public static let classNames = ["circle", "square", "triangle"]

    /// Writes the folder under `parent/name` and returns its path; `corrupt` adds the damaged files
    /// (`train/circle/zz-garbage.png`, `train/square/zz-truncated.jpg`, `train/triangle/zz-empty.jpg`).
    public static func write(in parent: String, name: String, trainPerClass: Int = 24, valPerClass: Int = 8,
                             corrupt: Bool = false, seed: UInt64 = 1) throws -> String {
        let root = parent + "/" + name
        var random = SeededRandom(seed)
        for (split, count) in [("train", trainPerClass), ("val", valPerClass)] {
            for (label, shape) in classNames.enumerated() {
                let folder = "\(root)/\(split)/\(shape)"
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
                for i in 0..<count {
                    let image = draw(label: label, random: &random, gray: i % 3 == 2)
                    let png = i % 2 == 0
                    let bytes = try png ? image.pngData() : image.jpegData(quality: 92)
                    try Data(bytes).write(to: URL(fileURLWithPath: "\(folder)/\(shape)-\(i).\(png ? "png" : "jpg")"))
                }
            }
        }
        if corrupt {
            try Data("definitely not a PNG".utf8).write(to: URL(fileURLWithPath: "\(root)/train/circle/zz-garbage.png"))
            let jpeg = try draw(label: 1, random: &random, gray: false).jpegData()
            try Data(jpeg.prefix(jpeg.count / 2)).write(to: URL(fileURLWithPath: "\(root)/train/square/zz-truncated.jpg"))
            try Data().write(to: URL(fileURLWithPath: "\(root)/train/triangle/zz-empty.jpg"))
        }
        return root
    }

    /// One image of shape `label` (0 circle, 1 square, 2 triangle).
    public static func draw(label: Int, random: inout SeededRandom, gray: Bool) -> DecodedImage {
        let width = Int(random.float(28...44)), height = Int(random.float(28...44))
        let side = Float(min(width, height))
        let radius = side * random.float(0.25...0.4)
        let cx = Float(width) / 2 + random.float(-0.1...0.1) * side, cy = Float(height) / 2 + random.float(-0.1...0.1) * side
        let color = [random.float(150...255), random.float(150...255), random.float(150...255)]
        let background = random.float(0...60)
        let channels = gray ? 1 : 3
        var pixels = [UInt8](repeating: 0, count: width * height * channels)
        for y in 0..<height {
            for x in 0..<width {
                let dx = Float(x) + 0.5 - cx, dy = Float(y) + 0.5 - cy
                let inside: Bool
                switch label {
                case 0: inside = dx * dx + dy * dy <= radius * radius
                case 1: inside = abs(dx) <= radius * 0.85 && abs(dy) <= radius * 0.85
                default: inside = dy <= radius * 0.8 && dy >= -radius && abs(dx) <= (dy + radius) * 0.6
                }
                for c in 0..<channels {
                    let value = inside ? (gray ? (color[0] + color[1] + color[2]) / 3 : color[c]) : background
                    pixels[(y * width + x) * channels + c] = UInt8(max(0, min(255, value)))
                }
            }
        }
        return DecodedImage(width: width, height: height, channels: channels, pixels: pixels)
    }
}
