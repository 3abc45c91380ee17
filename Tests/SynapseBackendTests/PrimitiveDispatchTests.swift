import SynapseTestSupport
import Testing

/// The shared dispatch gives every backend the same contract: the same calls are refused on every
/// device, with the same message (bar the device spec), before any backend code runs.
@Suite struct PrimitiveDispatchTests {
    /// Runs `primitive` on `device` with freshly allocated operands and returns the error message, or
    /// nil when it ran.
    private func refusal(_ primitive: Primitive, on device: any Device, inputs: [(shape: [Int], strides: [Int]?, dtype: DType)],
                         outputs: [(shape: [Int], dtype: DType)]) throws -> String? {
        var buffers: [DeviceBuffer] = []
        defer { buffers.forEach(device.release) }
        func view(_ shape: [Int], _ strides: [Int]?, _ dtype: DType) throws -> BufferView {
            let elements = max(1, shape.reduce(1, *))
            let buffer = try device.allocate(byteCount: elements * 4)
            buffers.append(buffer)
            return BufferView(buffer: buffer, shape: shape, strides: strides, dtype: dtype)
        }
        let ins = try inputs.map { try view($0.shape, $0.strides, $0.dtype) }
        let outs = try outputs.map { try view($0.shape, nil, $0.dtype) }
        do {
            try device.execute(primitive, inputs: ins, outputs: outs)
            try device.synchronize()
            return nil
        } catch let error as DeviceError {
            return error.description.replacingOccurrences(of: device.info.spec, with: "<device>")
        }
    }

    /// Calls that break the contract, each with the start of the message every device must give.
    private static let violations: [(Primitive, [(shape: [Int], strides: [Int]?, dtype: DType)], [(shape: [Int], dtype: DType)], String)] = {
        let g = Conv2dGeometry(batch: 2, inChannels: 3, inHeight: 5, inWidth: 4, outChannels: 2, kernelHeight: 3,
                               kernelWidth: 3, padding: (1, 1))
        return [
            // A permuted convolution input: the contract says contiguous, so no device copies it silently.
            (.conv2d(g), [(g.inputShape, [20, 40, 4, 1], .float32), (g.weightShape, nil, .float32)],
             [(g.outputShape, .float32)], "unsupported: <device> conv2d: input of shape [2, 3, 5, 4] must be contiguous"),
            // A column-major matrix without the transpose flag.
            (.matmul(transposeA: false, transposeB: false), [([1, 3, 5], [15, 1, 3], .float32), ([1, 5, 4], nil, .float32)],
             [([1, 3, 4], .float32)], "unsupported: <device> matmul(transposeA: false, transposeB: false): first input (shape [1, 3, 5], strides [15, 1, 3]) needs unit stride"),
            (.unary(.exp), [([2, 3], nil, .int32)], [([2, 3], .float32)], "unsupported: <device> unary(exp): input must be float32, is int32"),
            (.binary(.add), [([2, 3], nil, .float32)], [([2, 3], .float32)], "unsupported: <device> binary(add): takes 2 input(s) and 1 output(s), got 1 and 1"),
            (.copy, [([2, 3], nil, .float32)], [([3, 2], .float32)], "unsupported: <device> copy: input has shape [2, 3], expected [3, 2]"),
            (.fill(value: 3e9), [], [([4], .int32)], "unsupported: <device> fill(3e+09): 3e+09 does not fit an int32"),
            (.reduce(.max), [([2, 0, 3], nil, .float32)], [([2, 3], .float32)], "unsupported: <device> reduce(max): cannot take max over an empty axis"),
            (.softmax(log: false), [([2, 3], [1, 2], .float32)], [([2, 3], .float32)], "unsupported: <device> softmax: input of shape [2, 3] must be contiguous"),
            (.maxPool2d(Pool2dGeometry(batch: 1, channels: 1, inHeight: 4, inWidth: 4, kernel: (2, 2), stride: (2, 2))),
             [([1, 1, 4, 4], nil, .float32)], [([1, 1, 2, 2], .float32), ([1, 1, 2, 2], .float32)],
             "unsupported: <device> maxPool2d: argmax must be int32, is float32"),
            (.sgdStep(SGDParameters(learningRate: 0.1, momentum: 0.9, firstStep: true)), [([4], nil, .float32)],
             [([4], .float32)], "unsupported: <device> sgdStep: takes 1 input(s) and 2 output(s), got 1 and 1"),
            (.adamStep(AdamParameters(learningRate: 0.1, step: 0)), [([4], nil, .float32)],
             [([4], .float32), ([4], .float32), ([4], .float32)], "unsupported: <device> adamStep: step is 1-based, got 0"),
        ]
    }()

    @Test("every device refuses the same contract violations with the same message", arguments: TestDevices.specs)
    func violationsAreRefusedAlike(spec: String) throws {
        let device = TestDevices.device(spec)
        for (primitive, inputs, outputs, expected) in Self.violations {
            let message = try refusal(primitive, on: device, inputs: inputs, outputs: outputs)
            #expect(message?.hasPrefix(expected) == true, "\(primitive) on \(spec): \(message ?? "ran")")
        }
    }

    @Test("a view reaching past its buffer is refused before any backend code runs", arguments: TestDevices.specs)
    func outOfBoundsViewIsRefused(spec: String) throws {
        let device = TestDevices.device(spec)
        let small = try device.allocate(byteCount: 16)
        let count = small.byteCount / 4 + 1  // one element more than the (pool-rounded) buffer holds
        let out = try device.allocate(byteCount: count * 4)
        defer { device.release(small); device.release(out) }
        let x = BufferView(buffer: small, shape: [count]), y = BufferView(buffer: out, shape: [count])
        let error = #expect(throws: DeviceError.self) { try device.execute(.unary(.relu), inputs: [x], outputs: [y]) }
        #expect(error?.description.contains("reaches elements 0...\(count - 1) of a buffer holding \(count - 1)") == true,
                "\(String(describing: error))")
    }

    @Test("a call whose outputs are empty does nothing once checked", arguments: TestDevices.specs)
    func emptyOutputsAreANoOp(spec: String) throws {
        let device = TestDevices.device(spec)
        #expect(try refusal(.unary(.exp), on: device, inputs: [([0, 3], nil, .float32)], outputs: [([0, 3], .float32)]) == nil)
        #expect(try refusal(.softmax(log: true), on: device, inputs: [([4, 0], nil, .float32)], outputs: [([4, 0], .float32)]) == nil)
    }
}
