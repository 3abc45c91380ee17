import SynapseBackend

extension Tensor {
    /// A float tensor holding `values` (row-major) with `shape` (default: 1-D), on `device`
    /// (default: the current device).
    public convenience init(_ values: [Float], shape: [Int]? = nil, on device: (any Device)? = nil,
                            requiresGradient: Bool = false) {
        let shape = shape ?? [values.count]
        ensure(shape.reduce(1, *) == values.count,
               "Tensor: \(values.count) values do not fill shape \(shape)")
        self.init(empty: shape, on: device ?? TensorContext.device)
        self.requiresGradient = requiresGradient
        values.withUnsafeBytes { upload($0) }
    }

    /// An int32 tensor (class labels, indices) holding `values` with `shape` (default: 1-D).
    public convenience init(int32 values: [Int32], shape: [Int]? = nil, on device: (any Device)? = nil) {
        let shape = shape ?? [values.count]
        ensure(shape.reduce(1, *) == values.count, "Tensor: \(values.count) values do not fill shape \(shape)")
        self.init(empty: shape, dtype: .int32, on: device ?? TensorContext.device)
        values.withUnsafeBytes { upload($0) }
    }

    /// A scalar (shape `[]`).
    public convenience init(scalar: Float, on device: (any Device)? = nil) {
        self.init([scalar], shape: [], on: device)
    }

    /// Copies host bytes into this (contiguous, freshly made) tensor's storage.
    func upload(_ bytes: UnsafeRawBufferPointer) {
        ensure(storage.constant == nil, "load: a shared constant cannot be overwritten")
        guard let buffer = storage.buffer, bytes.count > 0, !ExecutionLatch.hasFailure(on: device) else { return }
        CapturedStep.refuse(on: device, "data is uploaded inside the step")
        do {
            try device.write(bytes, to: buffer, byteOffset: offset * dtype.byteSize)
        } catch {
            ExecutionLatch.recordFailure(error, on: device)
        }
    }

    /// A tensor of `shape` with every element `value`.
    public static func full(_ shape: [Int], value: Float, dtype: DType = .float32, on device: (any Device)? = nil,
                            requiresGradient: Bool = false) -> Tensor {
        let tensor = Tensor(empty: shape, dtype: dtype, on: device ?? TensorContext.device)
        ExecutionLatch.run(.fill(value: value), on: tensor.device, inputs: [], outputs: [tensor.bufferView])
        tensor.requiresGradient = requiresGradient
        return tensor
    }

    /// A tensor of zeros.
    public static func zeros(_ shape: [Int], dtype: DType = .float32, on device: (any Device)? = nil,
                             requiresGradient: Bool = false) -> Tensor {
        full(shape, value: 0, dtype: dtype, on: device, requiresGradient: requiresGradient)
    }

    /// The scalar `value` on `device`, made once and shared (no launch after the first use): what
    /// autodiff seeds a loss's gradient with, and what a mean's gradient of a constant is. Nothing
    /// writes into it.
    public static func constant(_ value: Float, on device: any Device) -> Tensor {
        ConstantCache.tensor(value, on: device)
    }

    /// A tensor of ones.
    public static func ones(_ shape: [Int], on device: (any Device)? = nil, requiresGradient: Bool = false) -> Tensor {
        full(shape, value: 1, on: device, requiresGradient: requiresGradient)
    }

    /// Random values drawn on the device from the seeded stream of `TensorRandom`.
    public static func random(_ shape: [Int], _ distribution: RandomDistribution, on device: (any Device)? = nil,
                              requiresGradient: Bool = false) -> Tensor {
        let tensor = Tensor(empty: shape, on: device ?? TensorContext.device)
        let (seed, offset) = TensorRandom.reserve(tensor.count)
        ExecutionLatch.run(.random(distribution, seed: seed, offset: offset), on: tensor.device, inputs: [],
                   outputs: [tensor.bufferView])
        tensor.requiresGradient = requiresGradient
        return tensor
    }

    /// Uniform on `[low, high)`.
    public static func uniform(_ shape: [Int], low: Float = 0, high: Float = 1, on device: (any Device)? = nil,
                               requiresGradient: Bool = false) -> Tensor {
        random(shape, .uniform(low: low, high: high), on: device, requiresGradient: requiresGradient)
    }

    /// Normal with `mean` and `std`.
    public static func normal(_ shape: [Int], mean: Float = 0, std: Float = 1, on device: (any Device)? = nil,
                              requiresGradient: Bool = false) -> Tensor {
        random(shape, .normal(mean: mean, std: std), on: device, requiresGradient: requiresGradient)
    }

    // MARK: Host transfers (the only places a computation waits for the device)

    /// The elements in row-major order, as floats. Throws a pending device failure.
    public func toArray() throws -> [Float] {
        ensure(dtype == .float32, "toArray: tensor is \(dtype); use toInt32Array()")
        return try readAll(as: Float.self)
    }

    /// The elements in row-major order, as int32. Throws a pending device failure.
    public func toInt32Array() throws -> [Int32] {
        ensure(dtype == .int32, "toInt32Array: tensor is \(dtype); use toArray()")
        return try readAll(as: Int32.self)
    }

    /// The value of a one-element tensor.
    public func item() throws -> Float {
        ensure(count == 1, "item: tensor of shape \(shape) has \(count) elements, not 1")
        return try toArray()[0]
    }

    private func readAll<T>(as: T.Type) throws -> [T] {
        CapturedStep.refuse(on: device, "a tensor is read on the host inside the step")
        let source = withoutGradient { contiguous() }
        try ExecutionLatch.checkFailure(on: device)
        guard let buffer = source.storage.buffer else { return [] }
        var result = [T](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
        try result.withUnsafeMutableBytes {
            try source.device.read(buffer, byteOffset: source.offset * dtype.byteSize, into: $0)
        }
        try ExecutionLatch.checkFailure(on: device)
        return result
    }

    /// A copy on `device` (through the host when the devices differ). Keeps `requiresGradient`.
    public func to(_ device: any Device) throws -> Tensor {
        if device === self.device { return self }
        let copy: Tensor
        switch dtype {
        case .float32: copy = Tensor(try toArray(), shape: shape, on: device)
        case .int32: copy = Tensor(int32: try toInt32Array(), shape: shape, on: device)
        }
        copy.requiresGradient = requiresGradient
        return copy
    }

    /// Waits for all work on `device` and throws any pending failure.
    public static func synchronize(_ device: any Device) throws {
        try device.synchronize()
        try ExecutionLatch.checkFailure(on: device)
    }
}
