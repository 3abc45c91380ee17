import CSynapseOpenCL
import SynapseBackend

extension CollapsedLayout {
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

    package func unary(_ op: UnaryOp, x: BufferView, y: BufferView) throws {
        let name = "unary(\(op))"
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

    package func binary(_ op: BinaryOp, a: BufferView, b: BufferView, y: BufferView) throws {
        let name = "binary(\(op))"
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

    package func copy(x: BufferView, y: BufferView) throws {
        try copyStrided(x, into: y, "copy")
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

    package func fill(_ value: Float, y: BufferView) throws {
        let bits: UInt32
        switch y.dtype {
        case .float32: bits = value.bitPattern
        case .int32: bits = UInt32(bitPattern: Int32(value.rounded(.towardZero)))
        }
        try fillWords(y, bits: bits, "fill")
    }

    /// Enqueues setting every element of the contiguous `y` to the 32-bit pattern `bits`.
    func fillWords(_ y: BufferView, bits: UInt32, _ op: String) throws {
        let ym = try checkedMem(y, op)
        let n = y.count
        try launch("fill_u32", global: (n + 3) / 4, [.buffer(ym), .i(y.offset), .i(n), .int(Int32(bitPattern: bits))])
    }

    package func random(_ distribution: RandomDistribution, seed: UInt64, offset: UInt64, y: BufferView) throws {
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

    func collapse(_ shape: [Int], _ strides: [[Int]], _ op: String) throws -> CollapsedLayout {
        let layout = CollapsedLayout(shape: shape, strides: strides)
        if layout.rank > OpenCLDevice.maxStridedRank {
            throw DeviceError.unsupported("\(op): shape \(shape) has \(layout.rank) dimensions after merging, more than the \(OpenCLDevice.maxStridedRank) the strided kernels take")
        }
        return layout
    }
}
