/// Failures a device reports, each readable on its own.
public enum DeviceError: Error, CustomStringConvertible, Equatable {
    /// An OpenCL call failed: `status` is the code, `name` its symbol (`CL_OUT_OF_RESOURCES`).
    case openCL(status: Int32, name: String, operation: String)
    /// A kernel file did not compile; `log` is the compiler's build log.
    case kernelBuild(file: String, device: String, log: String)
    /// A kernel the code asked for is not in any kernel file.
    case missingKernel(name: String)
    /// No device matches what was asked for; `available` lists what exists, `expected` the spec
    /// forms when the request was not one of them.
    case noDevice(requested: String, available: [String], expected: String? = nil)
    /// The device could not provide `bytes` more bytes.
    case outOfMemory(bytes: Int, device: String, detail: String)
    /// A primitive this backend cannot run with these arguments.
    case unsupported(String)
    /// A library call (BLAS, CLBlast) failed.
    case library(name: String, status: Int32, operation: String)

    public var description: String {
        switch self {
        case let .openCL(status, name, operation):
            return "OpenCL error \(name) (\(status)) while \(operation)"
        case let .kernelBuild(file, device, log):
            return "OpenCL kernel file \(file) failed to build for \(device):\n\(log)"
        case let .missingKernel(name):
            return "OpenCL kernel '\(name)' is not defined in any file of Kernels/"
        case let .noDevice(requested, available, expected):
            let list = available.isEmpty ? "none" : available.joined(separator: ", ")
            let forms = expected.map { " (expected \($0))" } ?? ""
            return "no device matches '\(requested)'\(forms); available: \(list)"
        case let .outOfMemory(bytes, device, detail):
            let size = bytes > 0 ? " \(bytes) bytes" : ""
            return "out of memory on \(device): could not allocate\(size) (\(detail))"
        case let .unsupported(what):
            return "unsupported: \(what)"
        case let .library(name, status, operation):
            return "\(name) failed with status \(status) while \(operation)"
        }
    }
}
