#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole-file reads and crash-safe whole-file writes with POSIX calls, so failures carry the
/// system's reason (`No such file or directory`, `Permission denied`) and the path.
package enum HostFile {
    /// Whether a regular file (or a link to one) exists at `path`.
    package static func exists(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
    }

    /// Reads the whole regular file at `path` (never blocking on a FIFO; see `HostFileReader`),
    /// refusing unread a file over `limit` bytes (`what` names such a file in the message).
    ///
    /// - Throws: `DataError.io` if it cannot be read or is not a regular file, `DataError.malformed`
    ///   if it is larger than `limit` or than physical memory.
    package static func readAll(_ path: String, atMost limit: Int = .max, what: String = "file") throws -> [UInt8] {
        let file = try HostFileReader(path)
        guard file.size <= limit else {
            throw DataError.malformed(file: path, reason: "\(file.size) bytes is more than a \(what)'s \(limit)-byte limit")
        }
        try HostMemory.requireFits(file.size, file: path, what: "reading the whole file")
        return try file.read(at: 0, count: file.size, what: "file")
    }

    /// Replaces the file at `path` with `bytes` so that a crash at any moment leaves either the
    /// old file or the complete new one: write a temporary file in the same directory, flush it
    /// to disk, then rename it over the target (rename is atomic within one file system).
    /// On failure the temporary file is removed and the old file is untouched.
    ///
    /// The temporary file is `.<name>.tmp-<pid>-<random>`, locked (`flock`) by its writer until
    /// renamed. Temporaries of the same target that nobody holds locked were left by a writer
    /// that died mid-save (SIGKILL, power loss); they are removed first, so a crash costs at most
    /// one stale temporary until the next save.
    package static func writeAtomically(_ bytes: [UInt8], to requested: String) throws {
        let path = try saveTarget(for: requested)
        removeStaleTemporaries(of: path)
        let (fd, temporary) = try createLockedTemporary(for: path)
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
            // Renamed while still open and locked, so no other writer can mistake it for stale.
            guard rename(temporary, path) == 0 else {
                throw failure(path, "rename \(temporary) over it")
            }
        } catch {
            unlink(temporary)
            close(fd)
            throw error
        }
        // The data is flushed and renamed: a late close error cannot undo that, so ignore it.
        close(fd)
        // Make the rename itself durable; a failure here cannot un-write the file, so ignore it.
        let dirFD = open(directoryName(path), O_RDONLY | O_CLOEXEC)
        if dirFD >= 0 {
            _ = fsync(dirFD)
            close(dirFD)
        }
    }

    /// The file a save to `path` replaces: `path` itself when nothing is there or a regular file is,
    /// the file a symbolic link leads to when that is a regular file (the link is kept). Anything
    /// else would be replaced by the rename — as root even `/dev/null` — so it is refused:
    /// a directory, a device, a FIFO, a socket, a link that leads nowhere.
    package static func saveTarget(for path: String) throws -> String {
        var info = stat()
        guard lstat(path, &info) == 0 else {
            if errno == ENOENT { return path }
            throw failure(path, "inspect the save target")
        }
        var target = path
        if (info.st_mode & S_IFMT) == S_IFLNK {
            guard let resolved = realpath(path, nil) else {
                throw DataError.io(file: path, operation: "save", reason: "a symbolic link that leads to no file")
            }
            target = String(cString: resolved)
            free(resolved)
            guard stat(target, &info) == 0 else { throw failure(target, "inspect the save target") }
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw DataError.io(file: path, operation: "save over it", reason: "not a regular file (\(HostFileReader.kind(of: info.st_mode)))")
        }
        return target
    }

    /// The prefix of every temporary file `writeAtomically` makes for `path`.
    package static func temporaryPrefix(of path: String) -> String {
        "." + (path.split(separator: "/").last.map(String.init) ?? path) + ".tmp-"
    }

    /// Creates and locks a new temporary file beside `path`; returns its descriptor and path.
    private static func createLockedTemporary(for path: String) throws -> (Int32, String) {
        let stem = directoryName(path) + "/" + temporaryPrefix(of: path) + "\(getpid())-"
        while true {
            let temporary = stem + String(UInt32.random(in: 0 ... .max))
            let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw failure(path, "create temporary file \(temporary)") }
            // Where flock is unsupported the file goes unlocked, and sweeps leave it alone too.
            while flock(fd, LOCK_EX) != 0 && errno == EINTR {}
            // Another writer's sweep may have taken it for stale between open and flock.
            var info = stat()
            if fstat(fd, &info) == 0 && info.st_nlink > 0 { return (fd, temporary) }
            close(fd)
        }
    }

    /// Removes the temporary files of `path` whose writer is gone: those no process holds locked.
    /// Best effort: anything that cannot be opened, locked or matched is left alone.
    package static func removeStaleTemporaries(of path: String) {
        let directory = directoryName(path)
        let prefix = temporaryPrefix(of: path)
        for name in entries(of: directory) where name.hasPrefix(prefix) {
            let candidate = directory + "/" + name
            let fd = open(candidate, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
            guard fd >= 0 else { continue }
            defer { close(fd) }
            var opened = stat(), named = stat()
            guard fstat(fd, &opened) == 0, (opened.st_mode & S_IFMT) == S_IFREG,
                  flock(fd, LOCK_EX | LOCK_NB) == 0,
                  lstat(candidate, &named) == 0, named.st_dev == opened.st_dev, named.st_ino == opened.st_ino
            else { continue }
            unlink(candidate)
        }
    }

    /// The names in `directory` (without `.` and `..`); empty if it cannot be listed.
    private static func entries(of directory: String) -> [String] {
        guard let stream = opendir(directory) else { return [] }
        defer { closedir(stream) }
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// The directory part of `path` (`.` for a bare name, `/` for a file in the root).
    package static func directoryName(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let head = String(path[..<slash])
        return head.isEmpty ? "/" : head
    }

    /// A `DataError.io` for the current `errno`.
    package static func failure(_ path: String, _ operation: String) -> DataError {
        let reason = String(cString: strerror(errno))
        return DataError.io(file: path, operation: operation, reason: reason)
    }
}
