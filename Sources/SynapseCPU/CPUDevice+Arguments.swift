import SynapseBackend

/// Pointers to the elements of views that the shared dispatch has already checked (count, dtype,
/// shape, layout, and every element inside its buffer). What remains is the CPU's own question:
/// whether the memory is host memory.
extension CPUDevice {
    /// A readable error for primitive `name`.
    func failure(_ name: String, _ message: String) -> DeviceError {
        .unsupported("cpu \(name): \(message)")
    }

    /// Pointer to element `view.offset` as raw memory.
    func address(_ view: BufferView) throws -> UnsafeMutableRawPointer {
        guard let buffer = view.buffer as? CPUBuffer else {
            throw DeviceError.unsupported("cpu: a view of shape \(view.shape) lives in a \(type(of: view.buffer)), not in CPU memory")
        }
        return buffer.pointer + view.offset * view.dtype.byteSize
    }

    /// Float pointer to element `view.offset` of a `float32` view.
    func floats(_ view: BufferView) throws -> UnsafeMutablePointer<Float> {
        try address(view).assumingMemoryBound(to: Float.self)
    }

    /// Int32 pointer to element `view.offset` of an `int32` view.
    func int32s(_ view: BufferView) throws -> UnsafeMutablePointer<Int32> {
        try address(view).assumingMemoryBound(to: Int32.self)
    }
}
