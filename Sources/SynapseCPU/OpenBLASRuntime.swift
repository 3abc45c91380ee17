#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// OpenBLAS's extensions beyond CBLAS (version string, thread count), looked up at run time so the
/// backend still builds and runs against another CBLAS that lacks them.
enum OpenBLASRuntime {
    /// `name` in the running process (OpenBLAS is linked in), or nil.
    static func symbol(_ name: String) -> UnsafeMutableRawPointer? {
        guard let process = dlopen(nil, RTLD_NOW) else { return nil }
        return dlsym(process, name)
    }

    /// `OpenBLAS 0.3.21` from `openblas_get_config()`, or `OpenBLAS` when the library does not say,
    /// followed by the kernel family in use (`OpenBLAS 0.3.21 SkylakeX`) when it says which.
    static var description: String {
        OpenBLASCore.current.map { "\(versionDescription) \($0)" } ?? versionDescription
    }

    /// `OpenBLAS 0.3.21` from `openblas_get_config()`, or `OpenBLAS` when the library does not say.
    static let versionDescription: String = {
        typealias GetConfig = @convention(c) () -> UnsafeMutablePointer<CChar>?
        guard let address = symbol("openblas_get_config"),
              let config = unsafeBitCast(address, to: GetConfig.self)() else { return "OpenBLAS" }
        // The configuration reads like "OpenBLAS 0.3.21 NO_AFFINITY Haswell MAX_THREADS=64".
        let words = String(cString: config).split(separator: " ")
        guard words.count >= 2, words[0] == "OpenBLAS" else { return "OpenBLAS" }
        return "OpenBLAS \(words[1])"
    }()

    /// Asks OpenBLAS to use `count` threads per call (no-op when the library has no such switch).
    static func setThreadCount(_ count: Int) {
        typealias SetThreads = @convention(c) (Int32) -> Void
        guard let address = symbol("openblas_set_num_threads") else { return }
        unsafeBitCast(address, to: SetThreads.self)(Int32(count))
    }
}
