import SynapseCore
import SynapseNN

/// Per-parameter state tensors, kept on the parameter's device.
struct OptimizerSlots {
    let fields: [String]
    private(set) var tensors: [[String: Tensor]]

    init(fields: [String], count: Int) {
        self.fields = fields
        tensors = Array(repeating: [:], count: count)
    }

    /// The state `field` of parameter `index`, created as zeros on the parameter's device when
    /// missing, and moved when the parameter has moved. `created` tells whether it was just made.
    mutating func tensor(_ field: String, for index: Int, like parameter: Tensor) -> (Tensor, created: Bool) {
        if let existing = tensors[index][field], existing.device === parameter.device { return (existing, false) }
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

    /// Stores a copy of `source` (never an alias) on `device` as `field` of parameter `index`.
    mutating func restore(_ field: String, _ index: Int, from source: Tensor, on parameter: Tensor) throws {
        let copy = Tensor.zeros(parameter.shape, on: parameter.device)
        try copy.overwriteState(with: source)
        tensors[index][field] = copy
    }

    mutating func removeAll() { tensors = Array(repeating: [:], count: tensors.count) }
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
