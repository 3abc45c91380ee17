#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A regular file opened for reading parts of it: the size is known before anything is read,
/// so a parser can check a header against it and read only the byte ranges the header covers.
///
/// Opening never blocks: the file is opened with `O_NONBLOCK` and refused unless it is a regular
/// file, so a FIFO, a directory or a device given as a data file is an error, not a hang.
package final class HostFileReader {
    /// The path, for error messages.
    package let path: String
    /// The file's size in bytes when it was opened.
    package let size: Int
    private let descriptor: Int32

    /// Opens `path` for reading.
    ///
    /// - Throws: `DataError.io` naming `path` if it cannot be opened or is not a regular file.
    package init(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw HostFile.failure(path, "open for reading") }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let error = HostFile.failure(path, "stat")
            close(fd)
            throw error
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            throw DataError.io(file: path, operation: "read",
                               reason: "not a regular file (\(Self.kind(of: info.st_mode)))")
        }
        // Regular files ignore O_NONBLOCK, but reads should not depend on that.
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        self.path = path
        self.size = Int(info.st_size)
        self.descriptor = fd
    }

    deinit { close(descriptor) }

    /// The `count` bytes at `offset`.
    ///
    /// - Throws: `DataError.truncated` if the file ends first (it shrank since it was opened),
    ///   `DataError.io` on a read error.
    package func read(at offset: Int, count: Int, what: String) throws -> [UInt8] {
        var done = 0
        var failure: DataError?
        let bytes = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            while done < count {
                let n = pread(descriptor, buffer.baseAddress! + done, count - done, off_t(offset + done))
                if n < 0 && errno == EINTR { continue }
                guard n >= 0 else { failure = HostFile.failure(path, "read"); break }
                if n == 0 { break }
                done += n
            }
            initialized = done
        }
        if let failure { throw failure }
        guard done == count else {
            throw DataError.truncated(file: path, what: what, expectedBytes: offset + count,
                                      actualBytes: offset + done)
        }
        return bytes
    }

    /// A name for a file type, for the "not a regular file" error.
    package static func kind(of mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFDIR: return "a directory"
        case S_IFIFO: return "a FIFO"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFSOCK: return "a socket"
        default: return "an unusual file type"
        }
    }
}

/// The host's memory, the bound on what a file may make us allocate.
package enum HostMemory {
    /// Physical memory in bytes (`Int.max` if the system does not say).
    static var physicalBytes: Int {
        let pages = sysconf(Int32(_SC_PHYS_PAGES)), pageSize = sysconf(Int32(_SC_PAGESIZE))
        guard pages > 0, pageSize > 0 else { return .max }
        return pages.multipliedReportingOverflow(by: pageSize).overflow ? .max : pages * pageSize
    }

    /// Throws unless `bytes` fit in physical memory: a header that asks for more is refused
    /// with a message rather than ending in a failed allocation (a trap).
    package static func requireFits(_ bytes: Int, file: String, what: String) throws {
        let limit = physicalBytes
        guard bytes <= limit else {
            throw DataError.malformed(
                file: file, reason: "\(what) needs \(bytes) bytes, more than this machine's \(limit)-byte memory")
        }
    }
}
