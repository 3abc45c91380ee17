import COpenCL
import SynapseBackend

/// A shape with per-operand strides, simplified for the strided kernels: dimensions of size 1
/// dropped and neighbours merged where every operand steps through them as one.
struct CollapsedLayout {
    var shape: [Int]
    var strides: [[Int]]

    init(shape: [Int], strides: [[Int]]) {
        var outShape: [Int] = []
        var outStrides: [[Int]] = strides.map { _ in [] }
        for axis in shape.indices where shape[axis] != 1 {
            if let last = outShape.indices.last,
               strides.indices.allSatisfy({ outStrides[$0][last] == strides[$0][axis] * shape[axis] }) {
                outShape[last] *= shape[axis]
                for operand in strides.indices { outStrides[operand][last] = strides[operand][axis] }
            } else {
                outShape.append(shape[axis])
                for operand in strides.indices { outStrides[operand].append(strides[operand][axis]) }
            }
        }
        self.shape = outShape
        self.strides = outStrides
    }

    var rank: Int { shape.count }

    /// Whether operand `index` walks its elements contiguously (stride 1, or a single element).
    func isContiguous(_ index: Int) -> Bool {
        rank == 0 || (rank == 1 && strides[index][0] == 1)
    }

    /// The shape as the kernels' `int8`: innermost dimension first, padded with 1.
    var kernelShape: KernelArgument { .int8(CollapsedLayout.pad(shape.reversed(), with: 1)) }

    /// Operand `index`'s strides as the kernels' `int8`: innermost dimension first, padded with 0.
    func kernelStrides(_ index: Int) -> KernelArgument { .int8(CollapsedLayout.pad(strides[index].reversed(), with: 0)) }

    private static func pad(_ values: [Int], with filler: Int) -> [Int32] {
        (values + Array(repeating: filler, count: max(0, 8 - values.count))).map { Int32(truncatingIfNeeded: $0) }
    }
}

extension OpenCLDevice {
    /// The most dimensions a strided kernel takes after collapsing.
    static let maxStridedRank = 8

    func unary(_ op: UnaryOp, _ inputs: [BufferView], _ outputs: [BufferView]) throws {
        let name = "unary(\(op))"
        try expect(inputs, 1, "input", name); try expect(outputs, 1, "output", name)
        let (x, y) = (inputs[0], outputs[0])
        try requireSameShape(x, y, name)
        try expectContiguous(y, count: x.count, name, "output")
        let xm = try checkedMem(x, name, dtype: .float32), ym = try checkedMem(y, name, dtype: .float32)
        let (base, scalar) = OpenCLKernels.unary(op)
        let layout = try collapse(y.shape, [x.strides], name)
        let n = y.count
        if layout.isContiguous(0) {
            try launch("\(base)_f32_contig", global: (n + 3) / 4,
                       [.buffer(ym), .i(y.offset), .buffer(xm), .i(x.offset), .i(n), .float(scalar)])
        } else {
            try launch("\(base)_f32_strided", global: n,
                       [.buffer(ym), .i(y.offset), .buffer(xm), .i(x.offset), .i(n), .float(scalar),
                        .i(layout.rank), layout.kernelShape, layout.kernelStrides(0)])
        }
    }

    func binary(_ op: BinaryOp, _ inputs: [BufferView], _ outputs: [BufferView]) throws {
        let name = "binary(\(op))"
        try expect(inputs, 2, "inputs", name); try expect(outputs, 1, "output", name)
        let (a, b, y) = (inputs[0], inputs[1], outputs[0])
        try requireSameShape(a, y, name); try requireSameShape(b, y, name)
        try expectContiguous(y, count: y.count, name, "output")
        let am = try checkedMem(a, name, dtype: .float32), bm = try checkedMem(b, name, dtype: .float32)
        let ym = try checkedMem(y, name, dtype: .float32)
        let (base, scalar) = OpenCLKernels.binary(op)
        let layout = try collapse(y.shape, [a.strides, b.strides], name)
        let n = y.count
        if layout.isContiguous(0) && layout.isContiguous(1) {
            try launch("\(base)_f32_contig", global: (n + 3) / 4,
                       [.buffer(ym), .i(y.offset), .buffer(am), .i(a.offset), .buffer(bm), .i(b.offset),
                        .i(n), .float(scalar)])
        } else {
            try launch("\(base)_f32_strided", global: n,
                       [.buffer(ym), .i(y.offset), .buffer(am), .i(a.offset), .buffer(bm), .i(b.offset),
                        .i(n), .float(scalar), .i(layout.rank), layout.kernelShape,
                        layout.kernelStrides(0), layout.kernelStrides(1)])
        }
    }

    func copy(_ inputs: [BufferView], _ outputs: [BufferView]) throws {
        try expect(inputs, 1, "input", "copy"); try expect(outputs, 1, "output", "copy")
        try requireSameShape(inputs[0], outputs[0], "copy")
        if inputs[0].dtype != outputs[0].dtype {
            throw DeviceError.unsupported("copy: input is \(inputs[0].dtype) but output is \(outputs[0].dtype)")
        }
        try copyStrided(inputs[0], into: outputs[0], "copy")
    }

    /// Enqueues `y = x` for a contiguous `y` with as many elements as `x` (which is read in its own
    /// row-major order); the words are moved as they are, whatever the dtype.
    func copyStrided(_ x: BufferView, into y: BufferView, _ op: String) throws {
        try expectContiguous(y, count: x.count, op, "output")
        let xm = try checkedMem(x, op), ym = try checkedMem(y, op)
        let layout = try collapse(x.shape, [x.strides], op)
        let n = x.count
        if layout.isContiguous(0) {
            try launch("copy_u32_contig", global: (n + 3) / 4, [.buffer(ym), .i(y.offset), .buffer(xm), .i(x.offset), .i(n)])
        } else {
            try launch("copy_u32_strided", global: n,
                       [.buffer(ym), .i(y.offset), .buffer(xm), .i(x.offset), .i(n),
                        .i(layout.rank), layout.kernelShape, layout.kernelStrides(0)])
        }
    }

    func fill(_ value: Float, _ inputs: [BufferView], _ outputs: [BufferView]) throws {
        try expect(inputs, 0, "inputs", "fill"); try expect(outputs, 1, "output", "fill")
        let y = outputs[0]
        try expectContiguous(y, count: y.count, "fill", "output")
        let bits: UInt32
        switch y.dtype {
        case .float32: bits = value.bitPattern
        case .int32:
            guard let integer = Int32(exactly: value.rounded(.towardZero)) else {
                throw DeviceError.unsupported("fill(\(value)): does not fit an int32")
            }
            bits = UInt32(bitPattern: integer)
        }
        try fillWords(y, bits: bits, "fill")
    }

    /// Enqueues setting every element of the contiguous `y` to the 32-bit pattern `bits`.
    func fillWords(_ y: BufferView, bits: UInt32, _ op: String) throws {
        let ym = try checkedMem(y, op)
        let n = y.count
        try launch("fill_u32", global: (n + 3) / 4, [.buffer(ym), .i(y.offset), .i(n), .int(Int32(bitPattern: bits))])
    }

    func random(_ distribution: RandomDistribution, seed: UInt64, offset: UInt64,
                _ inputs: [BufferView], _ outputs: [BufferView]) throws {
        try expect(inputs, 0, "inputs", "random"); try expect(outputs, 1, "output", "random")
        let y = outputs[0]
        try expectContiguous(y, count: y.count, "random", "output")
        let ym = try checkedMem(y, "random", dtype: .float32)
        let common: [KernelArgument] = [.buffer(ym), .i(y.offset), .i(y.count), .ulong(seed), .ulong(offset)]
        switch distribution {
        case let .uniform(low, high):
            try launch("uniform_f32", global: y.count, common + [.float(low), .float(high)])
        case let .normal(mean, std):
            try launch("normal_f32", global: y.count, common + [.float(mean), .float(std)])
        case let .dropoutMask(keep):
            try launch("dropout_mask_f32", global: y.count, common + [.float(keep), .float(1 / keep)])
        }
    }

    // MARK: Helpers

    func requireSameShape(_ input: BufferView, _ output: BufferView, _ op: String) throws {
        if input.shape != output.shape {
            throw DeviceError.unsupported("\(op): input shape \(input.shape) does not match output shape \(output.shape)")
        }
    }

    func collapse(_ shape: [Int], _ strides: [[Int]], _ op: String) throws -> CollapsedLayout {
        let layout = CollapsedLayout(shape: shape, strides: strides)
        if layout.rank > OpenCLDevice.maxStridedRank {
            throw DeviceError.unsupported("\(op): shape \(shape) has \(layout.rank) dimensions after merging, more than the \(OpenCLDevice.maxStridedRank) the strided kernels take")
        }
        return layout
    }
}
