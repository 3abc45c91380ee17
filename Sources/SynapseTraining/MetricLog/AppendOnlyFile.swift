#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SynapseIO

/// A file opened for appending (created if missing), written with POSIX calls so that a failure
/// names the file and the system's reason. Each `append` reaches the file before it returns, so a
/// reader (TensorBoard, `tail -f`) sees every record as it is written.
final class AppendOnlyFile {
    let path: String
    private let descriptor: Int32

    /// Opens `path` for appending. Throws `DataError.io` naming it when it cannot be opened.
    init(_ path: String) throws {
        self.path = path
        descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw HostFile.failure(path, "open for appending") }
    }

    deinit { close(descriptor) }

    /// Creates `path` and any missing parents, like `mkdir -p`. Throws `DataError.io` naming the
    /// directory that cannot be made (or that exists as something else).
    static func makeDirectory(_ path: String) throws {
        var prefix = path.hasPrefix("/") ? "/" : ""
        for part in path.split(separator: "/") {
            prefix += (prefix.isEmpty || prefix.hasSuffix("/") ? "" : "/") + part
            var info = stat()
            if stat(prefix, &info) == 0 {
                guard (info.st_mode & S_IFMT) == S_IFDIR else {
                    throw DataError.io(file: prefix, operation: "use it as a log directory", reason: "it is not a directory")
                }
                continue
            }
            guard mkdir(prefix, 0o755) == 0 || errno == EEXIST else {
                throw HostFile.failure(prefix, "create the log directory")
            }
        }
    }

    /// The file's size in bytes now.
    var size: Int {
        var info = stat()
        return fstat(descriptor, &info) == 0 ? Int(info.st_size) : 0
    }

    /// Writes all of `bytes` at the end of the file. Throws `DataError.io` naming the file.
    func append(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { buffer in
            var done = 0
            while done < buffer.count {
                let n = write(descriptor, buffer.baseAddress! + done, buffer.count - done)
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { throw HostFile.failure(path, "write") }
                done += n
            }
        }
    }
}
