import Foundation
import SynapseIO

/// The on-disk cache of compiled programs: one `ProgramCacheEntry` file per kernel file and build
/// key, named `<file>-<digest of the key>.bin`.
///
/// Everything about it is best effort: an entry that cannot be read, is damaged or belongs to
/// another build is reported as `unusable` (the caller compiles and stores a fresh one over it), and
/// a directory that cannot be written only costs a compile next time. Entries are replaced by
/// renaming a complete temporary file over them, so a reader never sees half an entry from this
/// code; what a crash or a full disk leaves behind fails the entry's checks instead of reaching the
/// driver.
struct ProgramCache {
    let directory: URL

    /// What the cache holds for one program.
    enum Lookup {
        /// A binary whose header matches the build key and whose checksum is right.
        case found([UInt8])
        /// No entry.
        case absent
        /// An entry that must not reach the driver, and why.
        case unusable(String)
    }

    /// The entry file of `file` (`elementwise.cl`) built with `key`.
    func url(file: String, key: String) -> URL {
        let digest = String(ProgramCacheEntry.digest(Array(key.utf8)), radix: 16)
        let base = (file as NSString).deletingPathExtension
        return directory.appendingPathComponent("\(base)-\(String(repeating: "0", count: 16 - digest.count))\(digest).bin")
    }

    /// The verified binary of `file` for `key`, if the cache holds a good one.
    func lookup(file: String, key: String) -> Lookup {
        let url = url(file: file, key: key)
        var info = stat()
        if lstat(url.path, &info) != 0 && errno == ENOENT { return .absent }
        let data: Data
        do {
            // A regular file of at most an entry's size, else unusable (a FIFO is refused, not waited on).
            data = Data(try HostFile.readAll(url.path, atMost: ProgramCacheEntry.headerSize + ProgramCacheEntry.maximumBinarySize,
                                             what: "program cache entry"))
        } catch {
            return .unusable(String(describing: error))
        }
        do {
            let entry = try ProgramCacheEntry(decoding: data)
            guard entry.matches(key: key) else { return .unusable("built for another program, device or driver") }
            guard !entry.binary.isEmpty else { return .unusable("empty binary") }
            return .found(entry.binary)
        } catch {
            return .unusable(String(describing: error))
        }
    }

    /// Writes (or replaces) the entry of `file` for `key`. Failures are ignored.
    func store(_ binary: [UInt8], file: String, key: String) {
        let url = url(file: file, key: key)
        let manager = FileManager.default
        guard (try? manager.createDirectory(at: directory, withIntermediateDirectories: true)) != nil else { return }
        removeStaleTemporaries(of: url)
        let temporary = directory.appendingPathComponent("\(url.lastPathComponent).\(getpid())-\(UUID().uuidString).tmp")
        guard (try? ProgramCacheEntry(key: key, binary: binary).encoded().write(to: temporary)) != nil else {
            try? manager.removeItem(at: temporary)
            return
        }
        if rename(temporary.path, url.path) != 0 { try? manager.removeItem(at: temporary) }
    }

    /// Removes temporary files of `entry` left by processes that no longer run (killed mid-write).
    private func removeStaleTemporaries(of entry: URL) {
        let prefix = entry.lastPathComponent + "."
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return }
        for name in names where name.hasPrefix(prefix) && name.hasSuffix(".tmp") {
            let owner = name.dropFirst(prefix.count).prefix { $0 != "-" }
            guard let pid = pid_t(owner), pid != getpid(), kill(pid, 0) != 0, errno == ESRCH else { continue }
            try? FileManager.default.removeItem(at: directory.appendingPathComponent(name))
        }
    }
}
