import SynapseBackend
import SynapseCore

/// One flat buffer for a model's parameters and one for their gradients, on one device: each
/// parameter's value and gradient are views into them (`Module.packParameters()`).
///
/// Packed parameters let an optimizer update every parameter in one launch (its state lives in
/// flat buffers of the same layout, `makeStateBuffer()`), let zeroing the gradients cost nothing
/// (the next backward pass overwrites them), and let a gradient exchange between processes send one
/// buffer. Names, shapes, `stateDict()` and checkpoints are unchanged. Each parameter starts at a
/// multiple of `alignment` elements; the gaps stay zero.
public final class ParameterArena: @unchecked Sendable {
    /// Where the buffers live.
    public let device: any Device
    /// Element offset of each parameter in the flat buffers, in `parameters` order.
    public let offsets: [Int]
    /// The shape of each parameter.
    public let shapes: [[Int]]
    /// Elements in each flat buffer, gaps included.
    public let count: Int
    /// Every parameter's value.
    public let values: Tensor
    /// Every parameter's gradient.
    public let gradients: Tensor
    /// Parameters start at multiples of this many elements (256 bytes).
    public static let alignment = 64

    /// The parameters, held weakly: they hold their arena.
    private let members: [WeakParameter]

    /// Packs `parameters` (copying each value once); nil when there are none, when they are not all
    /// float32 on one device, or when one appears twice.
    init?(_ parameters: [Parameter]) {
        guard let device = parameters.first?.value.device,
              parameters.allSatisfy({ $0.value.device === device && $0.value.dtype == .float32 }),
              Set(parameters.map(ObjectIdentifier.init)).count == parameters.count else { return nil }
        var offsets: [Int] = [], end = 0
        for parameter in parameters {
            offsets.append(end)
            end += (parameter.count + Self.alignment - 1) / Self.alignment * Self.alignment
        }
        self.device = device
        self.offsets = offsets
        shapes = parameters.map(\.shape)
        count = end
        values = Tensor.zeros([end], on: device)
        gradients = Tensor.zeros([end], on: device)
        members = parameters.map(WeakParameter.init)
        withoutGradient {
            for (index, parameter) in parameters.enumerated() {
                let value = view(of: values, parameter: index)
                value.assign(parameter.value)
                parameter.value = value
                parameter.value.bindGradient(to: view(of: gradients, parameter: index))
                parameter.arena = self
            }
        }
    }

    /// Parameter `index`'s part of `buffer` (one of the arena's flat buffers or `makeStateBuffer()`).
    public func view(of buffer: Tensor, parameter index: Int) -> Tensor {
        let count = shapes[index].reduce(1, *)
        return withoutGradient { buffer.slice(axis: 0, offsets[index]..<offsets[index] + count).reshape(shapes[index]) }
    }

    /// A zero buffer of the arena's layout, for optimizer state.
    public func makeStateBuffer() -> Tensor { Tensor.zeros([count], on: device) }

    /// The arena that holds exactly `parameters` (see `holds(_:)`), if one does.
    public static func holding(_ parameters: [Parameter]) -> ParameterArena? {
        guard let arena = parameters.first?.arena, arena.holds(parameters) else { return nil }
        return arena
    }

    /// Whether exactly `parameters`, in this order, are packed here and each still lives at its place
    /// (a parameter moved to another device or given a new tensor since no longer does).
    public func holds(_ parameters: [Parameter]) -> Bool {
        guard parameters.count == members.count else { return false }
        for (index, parameter) in parameters.enumerated() {
            guard members[index].parameter === parameter, parameter.value.storage === values.storage,
                  parameter.value.offset == offsets[index], parameter.value.isContiguous else { return false }
        }
        return true
    }

    /// Whether the last backward pass wrote every packed parameter's gradient (so a flat update
    /// skips none, as a per-parameter one would).
    public var allGradientsWritten: Bool {
        members.allSatisfy { $0.parameter?.gradient != nil }
    }
}

private struct WeakParameter {
    weak var parameter: Parameter?
    init(_ parameter: Parameter) { self.parameter = parameter }
}

extension Module {
    /// Packs every parameter into one `ParameterArena` on its device (see there), so optimizers
    /// built afterwards update them all in one launch. Call it after moving the module and before
    /// creating the optimizer. Returns nil, changing nothing, when the parameters are not all float32
    /// on one device.
    @discardableResult
    public func packParameters() -> ParameterArena? {
        ParameterArena(parameters())
    }
}
