import SynapseBackend

/// Argument checking shared by every primitive: counts, dtypes, shapes, layouts, and that every
/// element a view can address lies inside its buffer (the loops use raw pointers, so a wrong view
/// must fail here and never touch foreign memory).
extension CPUDevice {
    /// A readable error for primitive `name`.
    func failure(_ name: String, _ message: String) -> DeviceError {
        .unsupported("cpu \(name): \(message)")
    }

    /// Throws unless `inputs` and `outputs` have the counts the primitive takes.
    func expectArity(_ name: String, _ inputs: [BufferView], _ inputCount: Int,
                     _ outputs: [BufferView], _ outputCount: Int) throws {
        guard inputs.count == inputCount, outputs.count == outputCount else {
            throw failure(name, "takes \(inputCount) input(s) and \(outputCount) output(s), got \(inputs.count) and \(outputs.count)")
        }
    }

    /// Throws unless `view` has exactly `shape`.
    func expectShape(_ name: String, _ role: String, _ view: BufferView, _ shape: [Int]) throws {
        guard view.shape == shape else { throw failure(name, "\(role) has shape \(view.shape), expected \(shape)") }
    }

    /// Throws unless `view` is plain row-major memory.
    func expectContiguous(_ name: String, _ role: String, _ view: BufferView) throws {
        guard view.isContiguous else {
            throw failure(name, "\(role) of shape \(view.shape) must be contiguous, has strides \(view.strides)")
        }
    }

    /// Pointer to element `view.offset` as raw memory, after checking the view against its buffer.
    func address(_ name: String, _ role: String, _ view: BufferView) throws -> UnsafeMutableRawPointer {
        guard let buffer = view.buffer as? CPUBuffer else {
            throw failure(name, "\(role) lives in a \(type(of: view.buffer)), not in CPU memory")
        }
        guard view.shape.allSatisfy({ $0 >= 0 }) else { throw failure(name, "\(role) has a negative extent in shape \(view.shape)") }
        let capacity = buffer.byteCount / view.dtype.byteSize
        if view.count > 0 {
            var low = view.offset, high = view.offset
            for (extent, stride) in zip(view.shape, view.strides) {
                let reach = (extent - 1) * stride
                if reach < 0 { low += reach } else { high += reach }
            }
            guard low >= 0, high < capacity else {
                throw failure(name, "\(role) (shape \(view.shape), strides \(view.strides), offset \(view.offset)) reaches elements \(low)...\(high) of a buffer holding \(capacity)")
            }
        } else if view.offset < 0 || view.offset > capacity {
            throw failure(name, "\(role) offset \(view.offset) lies outside a buffer holding \(capacity) elements")
        }
        return buffer.pointer + view.offset * view.dtype.byteSize
    }

    /// Float pointer to element `view.offset` of a `float32` view.
    func floats(_ name: String, _ role: String, _ view: BufferView) throws -> UnsafeMutablePointer<Float> {
        guard view.dtype == .float32 else { throw failure(name, "\(role) must be float32, is \(view.dtype)") }
        return try address(name, role, view).assumingMemoryBound(to: Float.self)
    }

    /// Int32 pointer to element `view.offset` of an `int32` view.
    func int32s(_ name: String, _ role: String, _ view: BufferView) throws -> UnsafeMutablePointer<Int32> {
        guard view.dtype == .int32 else { throw failure(name, "\(role) must be int32, is \(view.dtype)") }
        return try address(name, role, view).assumingMemoryBound(to: Int32.self)
    }

    /// Float pointer to a contiguous float32 view of exactly `shape`.
    func contiguousFloats(_ name: String, _ role: String, _ view: BufferView, _ shape: [Int]) throws -> UnsafeMutablePointer<Float> {
        try expectShape(name, role, view, shape)
        try expectContiguous(name, role, view)
        return try floats(name, role, view)
    }

    /// Int32 pointer to a contiguous int32 view of exactly `shape`.
    func contiguousInt32s(_ name: String, _ role: String, _ view: BufferView, _ shape: [Int]) throws -> UnsafeMutablePointer<Int32> {
        try expectShape(name, role, view, shape)
        try expectContiguous(name, role, view)
        return try int32s(name, role, view)
    }
}
