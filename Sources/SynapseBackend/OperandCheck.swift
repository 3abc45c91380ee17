/// Checks one primitive call's operands against the contract written in `Primitive`, so every
/// backend receives views it can trust: the right count, dtype and shape, contiguous where the
/// contract says so, and every element inside its buffer (the CPU walks raw pointers; a wrong view
/// must fail here and never touch foreign memory). Messages name the device, the primitive and the
/// operand's role.
package struct OperandCheck {
    /// `"<device spec> <primitive>"`, the start of every message.
    package let context: String
    package let inputs: [BufferView]
    package let outputs: [BufferView]

    /// Throws unless there are `inputCount` inputs and `outputCount` outputs.
    package init(_ context: String, _ inputs: [BufferView], _ outputs: [BufferView],
                 inputCount: ClosedRange<Int>, outputCount: ClosedRange<Int>) throws {
        self.context = context
        self.inputs = inputs
        self.outputs = outputs
        guard inputCount.contains(inputs.count), outputCount.contains(outputs.count) else {
            throw failure("takes \(Self.count(inputCount)) input(s) and \(Self.count(outputCount)) output(s), got \(inputs.count) and \(outputs.count)")
        }
    }

    /// A readable error for this call.
    package func failure(_ message: String) -> DeviceError {
        .unsupported("\(context): \(message)")
    }

    /// Input `index`, checked: in bounds, `dtype` (nil: either), exactly `shape` when given, and
    /// plain row-major memory when `contiguous`.
    package func input(_ index: Int, _ role: String, _ dtype: DType? = .float32, shape: [Int]? = nil,
                       contiguous: Bool = false) throws -> BufferView {
        try checked(inputs[index], role, dtype, shape, contiguous)
    }

    /// Output `index`, checked like an input; outputs are always contiguous.
    package func output(_ index: Int, _ role: String, _ dtype: DType? = .float32, shape: [Int]? = nil) throws -> BufferView {
        try checked(outputs[index], role, dtype, shape, true)
    }

    /// Throws unless `view` has rank `rank`.
    package func expectRank(_ view: BufferView, _ rank: Int, _ role: String, _ layout: String) throws {
        guard view.rank == rank else { throw failure("\(role) must have shape \(layout), has \(view.shape)") }
    }

    private func checked(_ view: BufferView, _ role: String, _ dtype: DType?, _ shape: [Int]?,
                         _ contiguous: Bool) throws -> BufferView {
        if let dtype, view.dtype != dtype { throw failure("\(role) must be \(dtype), is \(view.dtype)") }
        if let shape, view.shape != shape { throw failure("\(role) has shape \(view.shape), expected \(shape)") }
        guard view.shape.allSatisfy({ $0 >= 0 }) else { throw failure("\(role) has a negative extent in shape \(view.shape)") }
        if contiguous && !view.isContiguous {
            throw failure("\(role) of shape \(view.shape) must be contiguous, has strides \(view.strides)")
        }
        let capacity = view.bufferCapacity
        if let reach = view.elementReach {
            guard reach.lowerBound >= 0, reach.upperBound < capacity else {
                throw failure("\(role) (shape \(view.shape), strides \(view.strides), offset \(view.offset)) reaches elements \(reach.lowerBound)...\(reach.upperBound) of a buffer holding \(capacity)")
            }
        } else if view.offset < 0 || view.offset > capacity {
            throw failure("\(role) offset \(view.offset) lies outside a buffer holding \(capacity) elements")
        }
        return view
    }

    private static func count(_ range: ClosedRange<Int>) -> String {
        range.count == 1 ? "\(range.lowerBound)" : "\(range.lowerBound)–\(range.upperBound)"
    }
}
