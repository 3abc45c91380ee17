import CSynapseOpenCL
import Foundation

/// The `cl_khr_command_buffer` entry points of one platform, looked up once (extension functions
/// are not exported by the ICD loader; `clGetExtensionFunctionAddressForPlatform` finds them).
struct CommandBufferFunctions: @unchecked Sendable {
    let create: clCreateCommandBufferKHR_fn
    let finalize: clFinalizeCommandBufferKHR_fn
    let release: clReleaseCommandBufferKHR_fn
    let enqueue: clEnqueueCommandBufferKHR_fn
    let ndRange: clCommandNDRangeKernelKHR_fn

    /// The functions, or nil when the device lacks the extension or the platform one of them.
    init?(platform: cl_platform_id, device: cl_device_id) {
        guard let extensions = try? OpenCLDevice.string(device, CL_DEVICE_EXTENSIONS),
              extensions.split(separator: " ").contains("cl_khr_command_buffer") else { return nil }
        func function<T>(_ name: String, as type: T.Type) -> T? {
            guard let address = clGetExtensionFunctionAddressForPlatform(platform, name) else { return nil }
            return unsafeBitCast(address, to: type)
        }
        guard let create = function("clCreateCommandBufferKHR", as: clCreateCommandBufferKHR_fn.self),
              let finalize = function("clFinalizeCommandBufferKHR", as: clFinalizeCommandBufferKHR_fn.self),
              let release = function("clReleaseCommandBufferKHR", as: clReleaseCommandBufferKHR_fn.self),
              let enqueue = function("clEnqueueCommandBufferKHR", as: clEnqueueCommandBufferKHR_fn.self),
              let ndRange = function("clCommandNDRangeKernelKHR", as: clCommandNDRangeKernelKHR_fn.self) else { return nil }
        (self.create, self.finalize, self.release, self.enqueue, self.ndRange) = (create, finalize, release, enqueue, ndRange)
    }
}
