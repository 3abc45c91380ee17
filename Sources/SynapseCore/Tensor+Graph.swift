import SynapseBackend

extension Tensor {
    /// Marks `result` as produced by `op` from `inputs` when a gradient must flow through it.
    static func record(_ result: Tensor, _ op: Op, _ inputs: [Tensor], saved: [Tensor] = []) -> Tensor {
        if TensorContext.isGradientEnabled && inputs.contains(where: \.requiresGradient) {
            result.requiresGradient = true
            result.node = Node(op: op, inputs: inputs, saved: saved)
        }
        return result
    }

    /// The device all `tensors` share; traps naming both devices when they differ.
    static func commonDevice(_ op: String, _ tensors: [Tensor]) -> any Device {
        let device = tensors[0].device
        for tensor in tensors.dropFirst() where tensor.device !== device {
            fatalError("\(op): tensors are on different devices, \(device.info.spec) and \(tensor.device.info.spec); move one with to(_:)")
        }
        return device
    }

    /// Traps unless this is a float tensor.
    func requireFloat(_ op: String) {
        ensure(dtype == .float32, "\(op): expects float32, got \(dtype) tensor of shape \(shape)")
    }
}
