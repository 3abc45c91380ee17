#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole-file reads and crash-safe whole-file writes with POSIX calls, so failures carry the
/// system's reason (`No such file or directory`, `Permission denied`) and the path.
enum HostFile {
    /// Whether a regular file (or a link to one) exists at `path`.
    static func exists(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
    }

    /// Reads the whole file at `path`.
    static func readAll(_ path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw failure(path, "open for reading") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw failure(path, "stat") }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw DataError.io(file: path, operation: "read", reason: "not a regular file")
        }
        let size = Int(info.st_size)
        var bytes = [UInt8](repeating: 0, count: size)
        var done = 0
        try bytes.withUnsafeMutableBytes { buffer in
            while done < size {
                let n = read(fd, buffer.baseAddress! + done, size - done)
                if n < 0 && errno == EINTR { continue }
                guard n >= 0 else { throw failure(path, "read") }
                if n == 0 { break }  // the file shrank while we read
                done += n
            }
        }
        if done < size { bytes.removeSubrange(done...) }
        return bytes
    }

    /// Replaces the file at `path` with `bytes` so that a crash at any moment leaves either the
    /// old file or the complete new one: write a temporary file in the same directory, flush it
    /// to disk, then rename it over the target (rename is atomic within one file system).
    /// On failure the temporary file is removed and the old file is untouched.
    static func writeAtomically(_ bytes: [UInt8], to path: String) throws {
        let directory = directoryName(path)
        let base = path.split(separator: "/").last.map(String.init) ?? path
        let temporary = directory + "/." + base + ".tmp-\(getpid())-\(UInt32.random(in: 0 ... .max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw failure(path, "create temporary file \(temporary)") }
        var closed = false
        do {
            try bytes.withUnsafeBytes { buffer in
                var done = 0
                while done < buffer.count {
                    let n = write(fd, buffer.baseAddress! + done, buffer.count - done)
                    if n < 0 && errno == EINTR { continue }
                    guard n > 0 else { throw failure(path, "write temporary file \(temporary)") }
                    done += n
                }
            }
            guard fsync(fd) == 0 else { throw failure(path, "fsync temporary file \(temporary)") }
            closed = true
            guard close(fd) == 0 else { throw failure(path, "close temporary file \(temporary)") }
            guard rename(temporary, path) == 0 else {
                throw failure(path, "rename \(temporary) over it")
            }
        } catch {
            if !closed { close(fd) }
            unlink(temporary)
            throw error
        }
        // Make the rename itself durable; a failure here cannot un-write the file, so ignore it.
        let dirFD = open(directory, O_RDONLY | O_CLOEXEC)
        if dirFD >= 0 {
            _ = fsync(dirFD)
            close(dirFD)
        }
    }

    /// The directory part of `path` (`.` for a bare name, `/` for a file in the root).
    static func directoryName(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let head = String(path[..<slash])
        return head.isEmpty ? "/" : head
    }

    /// A `DataError.io` for the current `errno`.
    private static func failure(_ path: String, _ operation: String) -> DataError {
        let reason = String(cString: strerror(errno))
        return DataError.io(file: path, operation: operation, reason: reason)
    }
}
