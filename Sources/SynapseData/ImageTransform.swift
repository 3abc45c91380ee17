import Foundation
import SynapseBackend

/// Turns a decoded image into a model's input: a region of it (all of it for evaluation, a seeded
/// random resized crop for training), optionally mirrored, resampled to `height × width` with a
/// triangle (bilinear, antialiased when shrinking) filter and converted to the model's channels
/// (gray is replicated to RGB; RGB becomes gray as ITU-R 601 luma, as PIL's `convert("L")`).
///
/// The result is bytes, CHW, so the normalisation is a table look-up as for IDX data.
public struct ImageTransform: Sendable, Hashable {
    /// `[channels, height, width]` of the output.
    public let shape: [Int]
    /// Random resized crop and horizontal flip (training), or the whole image (evaluation).
    public let augment: Bool
    /// Smallest and largest crop area as a fraction of the image (training).
    public var cropScale: ClosedRange<Double> = 0.35...1
    /// Smallest and largest crop aspect ratio, width over height (training).
    public var cropRatio: ClosedRange<Double> = (3.0 / 4)...(4.0 / 3)

    /// A transform to `shape` (`[C, H, W]`, C 1 or 3).
    public init(shape: [Int], augment: Bool) {
        ensure(shape.count == 3 && (shape[0] == 1 || shape[0] == 3) && shape[1] > 0 && shape[2] > 0,
               "ImageTransform: shape must be [1 or 3, H, W], got \(shape)")
        self.shape = shape
        self.augment = augment
    }

    /// The model input for `image`; `seed` decides the crop and flip (same seed, same result).
    public func apply(_ image: DecodedImage, seed: UInt64) -> [UInt8] {
        var region = (x: 0.0, y: 0.0, width: Double(image.width), height: Double(image.height))
        var flip = false
        if augment {
            region = crop(width: image.width, height: image.height, seed: seed)
            flip = CounterRandom.bits(seed: seed, counter: 99) & 1 == 1
        }
        let (outC, outH, outW) = (shape[0], shape[1], shape[2])
        let columns = Self.filter(output: outW, start: region.x, length: region.width, input: image.width)
        let rows = Self.filter(output: outH, start: region.y, length: region.height, input: image.height)
        let inC = image.channels
        // Horizontal pass: height × outW × inC floats; then vertical, into outC planes.
        var horizontal = [Float](repeating: 0, count: image.height * outW * inC)
        var output = [UInt8](repeating: 0, count: outC * outH * outW)
        image.pixels.withUnsafeBufferPointer { source in
            horizontal.withUnsafeMutableBufferPointer { middle in
                for y in 0..<image.height {
                    for x in 0..<outW {
                        let (first, weights) = columns[flip ? outW - 1 - x : x]
                        for c in 0..<inC {
                            var sum: Float = 0, at = (y * image.width + first) * inC + c
                            for w in weights { sum += w * Float(source[at]); at += inC }
                            middle[(y * outW + x) * inC + c] = sum
                        }
                    }
                }
            }
        }
        func byte(_ value: Float) -> UInt8 { UInt8(Swift.max(0, Swift.min(255, value.rounded()))) }
        horizontal.withUnsafeBufferPointer { middle in
            output.withUnsafeMutableBufferPointer { out in
                for y in 0..<outH {
                    let (first, weights) = rows[y]
                    for x in 0..<outW {
                        var rgb: (Float, Float, Float) = (0, 0, 0)
                        for c in 0..<inC {
                            var sum: Float = 0, at = (first * outW + x) * inC + c
                            for w in weights { sum += w * middle[at]; at += outW * inC }
                            if c == 0 { rgb.0 = sum } else if c == 1 { rgb.1 = sum } else { rgb.2 = sum }
                        }
                        let pixel = y * outW + x, plane = outH * outW
                        switch (inC, outC) {
                        case (1, 1): out[pixel] = byte(rgb.0)
                        case (1, _): for c in 0..<outC { out[c * plane + pixel] = byte(rgb.0) }
                        case (_, 1): out[pixel] = byte(0.299 * rgb.0 + 0.587 * rgb.1 + 0.114 * rgb.2)
                        default:
                            out[pixel] = byte(rgb.0)
                            out[plane + pixel] = byte(rgb.1)
                            out[2 * plane + pixel] = byte(rgb.2)
                        }
                    }
                }
            }
        }
        return output
    }

    /// A random region of about `cropScale` of the area and `cropRatio` aspect (torchvision's
    /// `RandomResizedCrop` sampling: ten tries, then the whole image).
    func crop(width: Int, height: Int, seed: UInt64) -> (x: Double, y: Double, width: Double, height: Double) {
        let area = Double(width * height)
        for attempt in 0..<10 {
            func unit(_ k: UInt64) -> Double { Double(CounterRandom.unit(seed: seed, counter: UInt64(attempt) * 4 + k)) }
            let target = area * (cropScale.lowerBound + (cropScale.upperBound - cropScale.lowerBound) * unit(0))
            let logRatio = log(cropRatio.lowerBound) + (log(cropRatio.upperBound) - log(cropRatio.lowerBound)) * unit(1)
            let w = (target * exp(logRatio)).squareRoot(), h = (target / exp(logRatio)).squareRoot()
            if w <= Double(width) && h <= Double(height) && w >= 1 && h >= 1 {
                return ((Double(width) - w) * unit(2), (Double(height) - h) * unit(3), w, h)
            }
        }
        return (0, 0, Double(width), Double(height))
    }

    /// For each output position, the first input index and the weights of the inputs it averages:
    /// a triangle filter over `[start, start + length)` of an axis of `input` samples, widened by the
    /// scale when shrinking so every input sample contributes (no aliasing).
    static func filter(output: Int, start: Double, length: Double, input: Int) -> [(Int, [Float])] {
        let scale = length / Double(output)
        let support = Swift.max(scale, 1)
        return (0..<output).map { i in
            let center = start + (Double(i) + 0.5) * scale
            let low = Swift.max(0, Int((center - support).rounded(.down)))
            let high = Swift.min(input - 1, Int((center + support).rounded(.up)))
            var weights: [Float] = []
            var total: Float = 0
            for j in low...Swift.max(low, high) {
                let distance = abs(Double(j) + 0.5 - center) / support
                let w = Float(Swift.max(0, 1 - distance))
                weights.append(w)
                total += w
            }
            if total <= 0 {  // a region narrower than a sample: take the nearest
                let nearest = Swift.min(input - 1, Swift.max(0, Int(center)))
                return (nearest, [1])
            }
            return (low, weights.map { $0 / total })
        }
    }
}
