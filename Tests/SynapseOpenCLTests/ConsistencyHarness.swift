import Foundation
import SynapseTestSupport
import Testing

/// Host data for one operand of a primitive: element storage plus the view laid over it.
struct Operand {
    enum Storage: Equatable {
        case float([Float])
        case int([Int32])

        var count: Int {
            switch self { case let .float(v): v.count; case let .int(v): v.count }
        }
    }

    var storage: Storage
    var shape: [Int]
    var strides: [Int]?
    var offset: Int = 0

    var dtype: DType { if case .int = storage { return .int32 } else { return .float32 } }

    /// A contiguous float operand of `shape` filled from `values`.
    static func floats(_ values: [Float], _ shape: [Int]) -> Operand {
        precondition(values.count == shape.reduce(1, *), "floats: \(values.count) values for shape \(shape)")
        return Operand(storage: .float(values), shape: shape)
    }

    /// A contiguous int32 operand.
    static func ints(_ values: [Int32], _ shape: [Int]) -> Operand {
        Operand(storage: .int(values), shape: shape)
    }

    /// A strided float view over `storage`.
    static func view(_ storage: [Float], _ shape: [Int], strides: [Int], offset: Int = 0) -> Operand {
        Operand(storage: .float(storage), shape: shape, strides: strides, offset: offset)
    }
}

/// An output of a primitive: a contiguous view at `offset` inside a buffer prefilled with `initial`
/// (a sentinel by default, so writes outside the view are caught).
struct Output {
    var shape: [Int]
    var dtype: DType = .float32
    var offset = 0
    /// Starting contents of the view (in-place updates); nil leaves the sentinel.
    var initial: [Float]? = nil

    static let sentinel: Float = -12345.5
    static let intSentinel: Int32 = -777

    /// Words in the whole buffer: the view plus `offset` before it and two words after it.
    var storageCount: Int { offset + shape.reduce(1, *) + 2 }

    var initialStorage: Operand.Storage {
        switch dtype {
        case .float32:
            var values = [Float](repeating: Output.sentinel, count: storageCount)
            if let initial { for (i, v) in initial.enumerated() { values[offset + i] = v } }
            return .float(values)
        case .int32:
            return .int([Int32](repeating: Output.intSentinel, count: storageCount))
        }
    }
}

/// How close two results must be: `|a - b| <= abs + rel * |reference|`, NaN only matching NaN.
struct Tolerance: CustomStringConvertible {
    var abs: Float
    var rel: Float

    static let exact = Tolerance(abs: 0, rel: 0)
    /// A few rounding steps apart (fused multiply-add, a different association).
    static let arithmetic = Tolerance(abs: 1e-6, rel: 2e-6)
    /// OpenCL's exp/log/tanh/pow may be a few ulp (pow up to 16) from libm.
    static let transcendental = Tolerance(abs: 1e-6, rel: 1e-5)
    /// Sums in another order (the CPU sums in Double).
    static let accumulation = Tolerance(abs: 1e-4, rel: 1e-4)

    var description: String { "abs \(abs), rel \(rel)" }
}

/// Runs primitives on devices and compares devices with the CPU reference.
enum Harness {
    /// The OpenCL device of a test spec.
    static func openCL(_ spec: String) throws -> OpenCLDevice {
        guard let device = try OpenCLDevice.all().first(where: { $0.info.spec == spec }) else {
            throw DeviceError.noDevice(requested: spec, available: try OpenCLDevice.all().map(\.info.spec))
        }
        return device
    }

    /// Uploads the operands, runs `primitive`, and returns the whole storage of every output.
    static func run(_ primitive: Primitive, on device: any Device, inputs: [Operand], outputs: [Output]) throws -> [Operand.Storage] {
        var buffers: [DeviceBuffer] = []
        defer { buffers.forEach(device.release) }
        func upload(_ storage: Operand.Storage) throws -> DeviceBuffer {
            let buffer = try device.allocate(byteCount: max(storage.count, 1) * 4)
            buffers.append(buffer)
            switch storage {
            case let .float(values): try values.withUnsafeBytes { try device.write($0, to: buffer, byteOffset: 0) }
            case let .int(values): try values.withUnsafeBytes { try device.write($0, to: buffer, byteOffset: 0) }
            }
            return buffer
        }
        let inputViews = try inputs.map { operand in
            BufferView(buffer: try upload(operand.storage), shape: operand.shape, strides: operand.strides,
                       offset: operand.offset, dtype: operand.dtype)
        }
        let outputViews = try outputs.map { output in
            BufferView(buffer: try upload(output.initialStorage), shape: output.shape, offset: output.offset, dtype: output.dtype)
        }
        try device.execute(primitive, inputs: inputViews, outputs: outputViews)
        return try zip(outputs, outputViews).map { output, view in
            switch output.dtype {
            case .float32:
                var values = [Float](repeating: 0, count: output.storageCount)
                try values.withUnsafeMutableBytes { try device.read(view.buffer, byteOffset: 0, into: $0) }
                return .float(values)
            case .int32:
                var values = [Int32](repeating: 0, count: output.storageCount)
                try values.withUnsafeMutableBytes { try device.read(view.buffer, byteOffset: 0, into: $0) }
                return .int(values)
            }
        }
    }

    /// Runs `primitive` on the CPU and on `spec`, and expects every output to agree within `tolerance`
    /// (int32 outputs exactly). Returns the CPU's outputs.
    @discardableResult
    static func compare(_ primitive: Primitive, on spec: String, inputs: [Operand], outputs: [Output],
                        tolerance: Tolerance, _ label: String = "",
                        sourceLocation: SourceLocation = #_sourceLocation) throws -> [Operand.Storage] {
        let expected = try run(primitive, on: CPUDevice.shared, inputs: inputs, outputs: outputs)
        let actual = try run(primitive, on: TestDevices.device(spec), inputs: inputs, outputs: outputs)
        for (index, (reference, result)) in zip(expected, actual).enumerated() {
            let what = "\(primitive) \(label) output \(index) on \(spec)"
            expectClose(result, reference, tolerance, what, sourceLocation: sourceLocation)
        }
        return expected
    }

    /// Expects `actual` to match `expected` element by element.
    static func expectClose(_ actual: Operand.Storage, _ expected: Operand.Storage, _ tolerance: Tolerance, _ what: String,
                            sourceLocation: SourceLocation = #_sourceLocation) {
        switch (actual, expected) {
        case let (.int(a), .int(e)):
            let bad = zip(a, e).enumerated().filter { $0.element.0 != $0.element.1 }
            #expect(bad.isEmpty, "\(what): \(bad.count) of \(a.count) int32 elements differ, first \(bad.prefix(5).map { "[\($0.offset)] \($0.element.0) vs \($0.element.1)" })",
                    sourceLocation: sourceLocation)
        case let (.float(a), .float(e)):
            var bad: [String] = []
            var count = 0
            for (i, (x, y)) in zip(a, e).enumerated() {
                let ok = (x.isNaN && y.isNaN) || x == y || Swift.abs(x - y) <= tolerance.abs + tolerance.rel * Swift.abs(y)
                if !ok {
                    count += 1
                    if bad.count < 5 { bad.append("[\(i)] \(x) vs \(y)") }
                }
            }
            #expect(count == 0, "\(what): \(count) of \(a.count) elements outside \(tolerance), first \(bad)",
                    sourceLocation: sourceLocation)
        default:
            Issue.record("\(what): dtype mismatch", sourceLocation: sourceLocation)
        }
    }
}

/// Seeded test data (SplitMix64), so failures reproduce.
struct TestRandom {
    var state: UInt64

    init(_ seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in `range`.
    mutating func float(_ range: ClosedRange<Float> = -1...1) -> Float {
        range.lowerBound + (range.upperBound - range.lowerBound) * Float(next() >> 40) / 16_777_216
    }

    mutating func floats(_ count: Int, _ range: ClosedRange<Float> = -1...1) -> [Float] {
        (0..<count).map { _ in float(range) }
    }

    /// Small integers as floats, so ties and equal values are common.
    mutating func coarse(_ count: Int, levels: Int = 4) -> [Float] {
        (0..<count).map { _ in Float(Int(next() % UInt64(levels))) - Float(levels / 2) }
    }

    mutating func ints(_ count: Int, below: Int) -> [Int32] {
        (0..<count).map { _ in Int32(Int(next() % UInt64(below))) }
    }
}
