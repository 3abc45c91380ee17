import Foundation
import SynapseTestSupport
import Testing

/// Files that are not regular files, or far larger than their header says (issue 13, case 5):
/// refused at once with an error naming the file, without hanging and without reading them.
@Suite struct SpecialAndOversizedFileTests {
    static let thirtyGiB = 30 << 30

    /// Physical memory as the reader sees it (`sysconf`).
    static var physicalMemory: Int { sysconf(Int32(_SC_PHYS_PAGES)) * sysconf(Int32(_SC_PAGESIZE)) }

    /// Writes `prefix` to `path` and extends it with a hole to `size` bytes: no disk space is used.
    static func sparseFile(_ path: String, prefix: [UInt8], size: Int) throws {
        try TestEnvironment.write(prefix, to: path)
        try #require(truncate(path, off_t(size)) == 0, "cannot make a sparse \(size)-byte file: \(String(cString: strerror(errno)))")
    }

    /// Runs `read` on a FIFO nobody writes to. Should `read` block in `open`, a watchdog opens the
    /// writing end after 60 s (a hang guard, not a time limit: a correct reader never waits), so
    /// the test ends and fails instead of hanging.
    func expectRefusesFIFO(sourceLocation: SourceLocation = #_sourceLocation,
                           _ read: @escaping @Sendable (String) throws -> Void) throws {
        let directory = try TestEnvironment.scratchDirectory()
        defer { TestEnvironment.remove(directory) }
        let fifo = directory + "/checkpoint.safetensors"
        try #require(mkfifo(fifo, 0o600) == 0)
        let watchdog = Watchdog()
        DispatchQueue.global().asyncAfter(deadline: .now() + 60) { watchdog.unblock(fifo) }
        expectDataError(mentions: [fifo, "not a regular file", "FIFO"], sourceLocation: sourceLocation, {
            try read(fifo)
        }, matches: { if case .io = $0 { true } else { false } })
        #expect(!watchdog.finish(), "opening the FIFO blocked until a writer appeared", sourceLocation: sourceLocation)
    }

    @Test func aFIFOAsACheckpointIsRefusedWithoutBlocking() throws {
        try expectRefusesFIFO { _ = try SafeTensorsFile(contentsOf: $0) }
    }

    @Test func aFIFOAsAnIDXFileIsRefusedWithoutBlocking() throws {
        try expectRefusesFIFO { _ = try IDXFile(contentsOf: $0) }
    }

    @Test func aDirectoryIsNamedAsSuch() throws {
        let directory = try TestEnvironment.scratchDirectory()
        defer { TestEnvironment.remove(directory) }
        expectDataError(mentions: [directory, "not a regular file", "directory"], {
            _ = try SafeTensorsFile(contentsOf: directory)
        }, matches: { if case .io = $0 { true } else { false } })
    }

    @Test func aThirtyGigabyteFileOfZerosIsRefusedFromItsHeader() throws {
        let directory = try TestEnvironment.scratchDirectory()
        defer { TestEnvironment.remove(directory) }
        let path = directory + "/zeros.safetensors"
        try Self.sparseFile(path, prefix: [], size: Self.thirtyGiB)
        // Header length 0: an empty header, which is not JSON. Only 8 bytes are read to know it.
        expectDataError(mentions: [path, "not valid JSON"], {
            _ = try SafeTensorsFile(contentsOf: path)
        }, matches: { if case .malformed = $0 { true } else { false } })
    }

    @Test func aFileLargerThanItsHeaderSaysIsRefusedUnread() throws {
        let directory = try TestEnvironment.scratchDirectory()
        defer { TestEnvironment.remove(directory) }
        let path = directory + "/padded.safetensors"
        let valid = SafeTensorsFile(["w": SafeTensor([1, 2] as [Float], shape: [2])]).serialized()
        try Self.sparseFile(path, prefix: valid, size: Self.thirtyGiB)
        expectDataError(mentions: [path, "\(Self.thirtyGiB - valid.count) bytes after the last tensor"], {
            _ = try SafeTensorsFile(contentsOf: path)
        }, matches: { if case .malformed = $0 { true } else { false } })
        // The same file at its true size reads fine.
        try #require(truncate(path, off_t(valid.count)) == 0)
        #expect(try SafeTensorsFile(contentsOf: path).floats(named: "w") == [1, 2])
    }

    @Test func tensorsLargerThanMemoryAreRefusedBeforeAllocating() throws {
        let directory = try TestEnvironment.scratchDirectory()
        defer { TestEnvironment.remove(directory) }
        let path = directory + "/huge.safetensors"
        let size = Self.physicalMemory + (1 << 30)
        let header = #"{"w":{"dtype":"U8","shape":[\#(size)],"data_offsets":[0,\#(size)]}}"#
        let prefix = safetensorsBytes(header: header, data: [])
        try Self.sparseFile(path, prefix: prefix, size: prefix.count + size)
        expectDataError(mentions: [path, "\(size) bytes", "memory"], {
            _ = try SafeTensorsFile(contentsOf: path)
        }, matches: { if case .malformed = $0 { true } else { false } })
    }

    @Test func anIDXFileLargerThanItsHeaderSaysIsRefusedUnread() throws {
        let directory = try TestEnvironment.scratchDirectory()
        defer { TestEnvironment.remove(directory) }
        let path = directory + "/train-images-idx3-ubyte"
        let valid = IDXFile(elementType: .uint8, dimensions: [2, 3, 4], data: [UInt8](repeating: 9, count: 24)).serialized()
        try Self.sparseFile(path, prefix: valid, size: Self.thirtyGiB)
        expectDataError(mentions: [path, "\(Self.thirtyGiB - valid.count) unexpected bytes"], {
            _ = try IDXFile(contentsOf: path)
        }, matches: { if case .malformed = $0 { true } else { false } })
        // Asking for fewer items does not excuse a size that disagrees with the header.
        expectDataError(mentions: [path, "unexpected bytes"], {
            _ = try IDXFile(contentsOf: path, maxItems: 1)
        }, matches: { if case .malformed = $0 { true } else { false } })
    }

    @Test func anIDXFileLargerThanMemoryIsRefusedBeforeAllocating() throws {
        let directory = try TestEnvironment.scratchDirectory()
        defer { TestEnvironment.remove(directory) }
        let path = directory + "/train-images-idx3-ubyte"
        let count = Self.physicalMemory / 784 + (1 << 20)
        let header = IDXFile(elementType: .uint8, dimensions: [0, 28, 28], data: []).serialized()
        let prefix = header.prefix(4) + [UInt8(count >> 24 & 0xFF), UInt8(count >> 16 & 0xFF),
                                         UInt8(count >> 8 & 0xFF), UInt8(count & 0xFF)] + header.suffix(8)
        try Self.sparseFile(path, prefix: Array(prefix), size: 16 + count * 784)
        expectDataError(mentions: [path, "memory", "[\(count), 28, 28]"], {
            _ = try IDXFile(contentsOf: path)
        }, matches: { if case .malformed = $0 { true } else { false } })
        // The first items of the same file are readable.
        #expect(try IDXFile(contentsOf: path, maxItems: 3).dimensions == [3, 28, 28])
    }
}

/// Unblocks a reader stuck opening a FIFO, and says whether it had to.
private final class Watchdog: @unchecked Sendable {
    private let lock = NSLock()
    private var finished = false
    private var fired = false

    /// Opens the FIFO's writing end (which lets a blocked reader's `open` return), unless finished.
    func unblock(_ fifo: String) {
        lock.lock()
        defer { lock.unlock() }
        guard !finished else { return }
        fired = true
        let fd = open(fifo, O_WRONLY | O_NONBLOCK)
        if fd >= 0 { close(fd) }
    }

    /// Marks the test done; returns whether the watchdog had fired.
    func finish() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        finished = true
        return fired
    }
}
