import SynapseCore
import SynapseNN

/// Per-parameter state tensors, kept on the parameter's device. When the parameters are packed in a
/// `ParameterArena`, each field's tensors are views into one flat buffer of the arena's layout, so a
/// single launch can update them all (`flatTensor`).
struct OptimizerSlots {
    let fields: [String]
    private(set) var tensors: [[String: Tensor]]
    /// The arena the parameters were packed into when the optimizer was made.
    private let arena: ParameterArena?
    /// One flat buffer per field, made on first use.
    private var flat: [String: Tensor] = [:]

    init(fields: [String], parameters: [Parameter]) {
        self.fields = fields
        tensors = Array(repeating: [:], count: parameters.count)
        arena = ParameterArena.holding(parameters)
    }

    /// The state `field` of parameter `index`, created as zeros on the parameter's device when
    /// missing (in the field's flat buffer while the parameter is packed), and moved when the
    /// parameter has moved. `created` tells whether it was just made.
    mutating func tensor(_ field: String, for index: Int, like parameter: Tensor) -> (Tensor, created: Bool) {
        if let existing = tensors[index][field], existing.device === parameter.device { return (existing, false) }
        if tensors[index][field] == nil, let arena, parameter.storage === arena.values.storage,
           parameter.offset == arena.offsets[index] {
            let buffer = flat[field] ?? arena.makeStateBuffer()
            flat[field] = buffer
            let view = arena.view(of: buffer, parameter: index)
            tensors[index][field] = view
            return (view, true)
        }
        let fresh = Tensor.zeros(parameter.shape, on: parameter.device)
        if let existing = tensors[index][field] {
            try? fresh.overwriteState(with: existing)
            tensors[index][field] = fresh
            return (fresh, false)
        }
        tensors[index][field] = fresh
        return (fresh, true)
    }

    func has(_ field: String, _ index: Int) -> Bool { tensors[index][field] != nil }

    /// The flat buffer of `field` when every parameter's state of it lives there, making it (zero)
    /// for all when none has that state yet; nil when the parameters are not packed or their states
    /// are spread (some made before packing, or moved). `created` tells whether it was just made.
    mutating func flatTensor(_ field: String, parameters: [Parameter]) -> (Tensor, created: Bool)? {
        guard let arena else { return nil }
        if tensors.allSatisfy({ $0[field] == nil }) {
            for (index, parameter) in parameters.enumerated() { _ = tensor(field, for: index, like: parameter.value) }
            guard let buffer = flat[field], tensors.allSatisfy({ $0[field]?.storage === buffer.storage }) else { return nil }
            return (buffer, true)
        }
        guard let buffer = flat[field], tensors.allSatisfy({ $0[field]?.storage === buffer.storage }),
              arena.holds(parameters) else { return nil }
        return (buffer, false)
    }

    /// `state.i.field` for every existing state tensor.
    func exported() -> [(name: String, tensor: Tensor)] {
        var result: [(name: String, tensor: Tensor)] = []
        for (index, slot) in tensors.enumerated() {
            for field in fields { if let t = slot[field] { result.append(("state.\(index).\(field)", t.detached())) } }
        }
        return result
    }

    /// Parses `state.i.field` keys of `state` (all other keys but `extraKeys` are unexpected), checks
    /// shapes against `parameters`, and returns fresh copies on each parameter's device.
    static func parse(_ state: [(name: String, tensor: Tensor)], fields: [String], scalarFields: [String],
                      extraKeys: Set<String>, parameters: [Parameter]) throws -> [(index: Int, field: String, tensor: Tensor)] {
        var seen = Set<String>()
        var parsed: [(index: Int, field: String, tensor: Tensor)] = []
        for (name, tensor) in state {
            guard seen.insert(name).inserted else { throw StateDictError.duplicateKey(name) }
            if extraKeys.contains(name) { continue }
            let parts = name.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count == 3, parts[0] == "state", let index = Int(parts[1]), parameters.indices.contains(index)
            else { throw StateDictError.unexpectedKey(name) }
            let field = String(parts[2])
            if scalarFields.contains(field) {
                guard tensor.count == 1 else { throw StateDictError.shapeMismatch(key: name, expected: [], found: tensor.shape) }
                parsed.append((index, field, tensor))
                continue
            }
            guard fields.contains(field) else { throw StateDictError.unexpectedKey(name) }
            let shape = parameters[index].shape
            guard tensor.shape == shape else { throw StateDictError.shapeMismatch(key: name, expected: shape, found: tensor.shape) }
            parsed.append((index, field, tensor))
        }
        return parsed
    }

    /// Stores a copy of `source` (never an alias) on the parameter's device as `field` of parameter
    /// `index` (in the field's flat buffer while the parameter is packed).
    mutating func restore(_ field: String, _ index: Int, from source: Tensor, on parameter: Tensor) throws {
        let (target, _) = tensor(field, for: index, like: parameter)
        try target.overwriteState(with: source)
    }

    /// Forgets every state tensor (new flat buffers are made, zero, on next use).
    mutating func removeAll() {
        tensors = Array(repeating: [:], count: tensors.count)
        flat = [:]
    }
}

extension Tensor {
    /// Copies `source`'s elements into this contiguous float tensor, across devices through the host.
    func overwriteState(with source: Tensor) throws {
        if source.device === device {
            withoutGradient { assign(source) }
        } else {
            load(try source.toArray())
        }
    }
}

/// Reads the count held by a one-element state tensor `key` (float or int32), at checkpoint time.
///
/// - Throws: `OptimizerStateError.invalidCount` unless it is a whole number in `0...2^53`.
func scalarValue(_ tensor: Tensor, key: String) throws -> Int {
    let value: Double
    switch tensor.dtype {
    case .float32: value = Double(try tensor.toArray()[0])
    case .int32: value = Double(try tensor.toInt32Array()[0])
    }
    guard value.isFinite, value >= 0, value <= 0x1p53, value == value.rounded() else {
        throw OptimizerStateError.invalidCount(key: key, value: value)
    }
    return Int(value)
}
