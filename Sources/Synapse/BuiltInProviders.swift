import SynapseBackend
import SynapseCPU
import SynapseOpenCL
import SynapseRegistration

/// Registers the CPU and OpenCL providers with `Devices`. Called once when the program loads (by
/// the constructor in `Sources/SynapseRegistration`); registering again replaces them, so calling
/// it by hand is harmless.
@_cdecl("synapse_register_builtin_providers")
public func registerBuiltInDeviceProviders() {
    Devices.register(CPUDeviceProvider())
    Devices.register(OpenCLDeviceProvider())
}
