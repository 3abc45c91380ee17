import Foundation
import SynapseTestSupport
import Testing

/// Every CPU test, serialised: the pool test reads process-wide allocation counters, and the
/// machine has two cores anyway.
@Suite(.serialized) enum CPU {}

/// Upload, run, download, and references computed in `Double`.
enum Host {
    static let device = CPUDevice.shared

    /// A contiguous float32 view holding `values`.
    static func upload(_ values: [Float], _ shape: [Int]) throws -> BufferView {
        precondition(values.count == shape.reduce(1, *), "upload: \(values.count) values for shape \(shape)")
        let buffer = try device.allocate(byteCount: values.count * 4)
        try values.withUnsafeBytes { try device.write($0, to: buffer, byteOffset: 0) }
        return BufferView(buffer: buffer, shape: shape)
    }

    /// A contiguous int32 view holding `values`.
    static func upload(ints values: [Int32], _ shape: [Int]) throws -> BufferView {
        let buffer = try device.allocate(byteCount: values.count * 4)
        try values.withUnsafeBytes { try device.write($0, to: buffer, byteOffset: 0) }
        return BufferView(buffer: buffer, shape: shape, dtype: .int32)
    }

    /// A strided view over `storage` (uploaded as is).
    static func view(_ storage: [Float], shape: [Int], strides: [Int], offset: Int = 0) throws -> BufferView {
        let base = try upload(storage, [storage.count])
        return BufferView(buffer: base.buffer, shape: shape, strides: strides, offset: offset)
    }

    /// A fresh contiguous view, filled with NaN so that untouched outputs show up.
    static func empty(_ shape: [Int], dtype: DType = .float32) throws -> BufferView {
        let count = shape.reduce(1, *)
        let buffer = try device.allocate(byteCount: count * 4)
        let poison = [UInt32](repeating: 0x7FC0_0001, count: count)
        try poison.withUnsafeBytes { try device.write($0, to: buffer, byteOffset: 0) }
        return BufferView(buffer: buffer, shape: shape, dtype: dtype)
    }

    static func download(_ view: BufferView) throws -> [Float] {
        var values = [Float](repeating: 0, count: view.count)
        try values.withUnsafeMutableBytes { try device.read(view.buffer, byteOffset: view.offset * 4, into: $0) }
        return values
    }

    static func download(ints view: BufferView) throws -> [Int32] {
        var values = [Int32](repeating: 0, count: view.count)
        try values.withUnsafeMutableBytes { try device.read(view.buffer, byteOffset: view.offset * 4, into: $0) }
        return values
    }

    /// Runs `primitive` with fresh outputs of the given shapes and returns them downloaded as floats.
    static func run(_ primitive: Primitive, _ inputs: [BufferView], _ shapes: [[Int]]) throws -> [[Float]] {
        let outputs = try shapes.map { try empty($0) }
        try device.execute(primitive, inputs: inputs, outputs: outputs)
        return try outputs.map(download)
    }

    /// Runs a primitive with one float output.
    static func run1(_ primitive: Primitive, _ inputs: [BufferView], _ shape: [Int]) throws -> [Float] {
        try run(primitive, inputs, [shape])[0]
    }

    /// Reproducible pseudo-random floats in `[-1, 1)`.
    static func randoms(_ count: Int, seed: UInt64) -> [Float] {
        (0..<count).map { CounterRandom.unit(seed: seed, counter: UInt64($0)) * 2 - 1 }
    }

    /// Gradient of `loss(values) = Σ weights · f(values)` at `values` by central differences, the
    /// forward `f` being the device primitive itself; the loss is accumulated in `Double`.
    static func numericGradient(_ values: [Float], weights: [Float], epsilon: Float = 1e-2,
                                _ f: ([Float]) throws -> [Float]) rethrows -> [Double] {
        func loss(_ v: [Float]) throws -> Double {
            zip(try f(v), weights).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        }
        var gradient = [Double](repeating: 0, count: values.count)
        for i in values.indices {
            var plus = values, minus = values
            plus[i] += epsilon
            minus[i] -= epsilon
            let step = Double(plus[i]) - Double(minus[i])
            gradient[i] = (try loss(plus) - loss(minus)) / step
        }
        return gradient
    }
}
