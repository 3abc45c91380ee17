import SynapseBackend
import SynapseCore

extension Module {
    /// Moves every parameter and buffer to `device` (copying through the host), keeping the
    /// `Parameter`/`Buffer` boxes so references to them stay valid. Gradients are dropped.
    /// An optimizer's state follows its parameters on its next step.
    public func move(to device: any Device) throws {
        for (_, parameter) in namedParameters() where parameter.value.device !== device {
            parameter.value = try parameter.value.to(device)
        }
        for (_, buffer) in namedBuffers() where buffer.value.device !== device {
            buffer.value = try buffer.value.to(device)
        }
    }

    /// The device of the first parameter or buffer (nil for a module that holds none).
    public var device: (any Device)? {
        namedParameters().first?.parameter.value.device ?? namedBuffers().first?.buffer.value.device
    }
}
