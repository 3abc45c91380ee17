/// One backend's devices, as the registry (`Devices`) sees them: a backend registers a provider,
/// and specs that start with its `backend` name resolve through it, so nothing above the backends
/// imports a concrete backend.
public protocol DeviceProvider: Sendable {
    /// The first part of the specs it answers (`cpu`, `opencl`).
    var backend: String { get }
    /// The spec forms it understands, for error messages (`opencl`, `opencl:N`, `opencl:P:D`).
    var specForms: [String] { get }
    /// The device tensors go to when nobody chose one, if this backend has one that costs no
    /// discovery (the CPU); nil otherwise.
    var hostDevice: (any Device)? { get }
    /// Every device, in the order `synapse devices` lists them. Throws when discovery fails, with
    /// the reason (no driver, a platform that failed to enumerate, …).
    func devices() throws -> [any Device]
    /// The device that the spec's arguments after the backend name select (`[]` for `opencl`, `["1"]`
    /// for `opencl:1`), or nil when the arguments are well-formed but match no device. Throws
    /// `DeviceError.noDevice` for arguments it cannot read.
    func device(arguments: [String]) throws -> (any Device)?
}
