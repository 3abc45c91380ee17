import Foundation
import SynapseTestSupport
import Testing

/// An atomic save renames a new file over its target, which replaces whatever is there. Found by a
/// hostile run: as root, `--save /dev/null` replaced the system's /dev/null with a checkpoint. A
/// save now replaces only a regular file (or writes through a link to one).
@Suite struct SaveTargetTests {
    static let sample = SafeTensorsFile(["w": SafeTensor([1, 2, 3] as [Float], shape: [3])])

    @Test func aSaveDoesNotReplaceAFIFO() throws {
        let directory = try TestEnvironment.scratchDirectory()
        defer { TestEnvironment.remove(directory) }
        let path = directory + "/pipe"
        #expect(mkfifo(path, 0o600) == 0)
        expectDataError(mentions: [path, "not a regular file (a FIFO)"], { try Self.sample.write(to: path) },
                        matches: { if case .io = $0 { true } else { false } })
        var info = stat()
        #expect(lstat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFIFO, "the FIFO is still there")
        #expect(try TestEnvironment.listing(directory) == ["pipe"], "no temporary left behind")
    }

    @Test func aSaveDoesNotReplaceADanglingLink() throws {
        let directory = try TestEnvironment.scratchDirectory()
        defer { TestEnvironment.remove(directory) }
        let path = directory + "/loop"
        #expect(symlink("loop", path) == 0)
        expectDataError(mentions: [path, "symbolic link that leads to no file"], { try Self.sample.write(to: path) },
                        matches: { if case .io = $0 { true } else { false } })
    }

    @Test func aSaveThroughALinkReplacesTheFileAndKeepsTheLink() throws {
        let directory = try TestEnvironment.scratchDirectory()
        defer { TestEnvironment.remove(directory) }
        try Self.sample.write(to: directory + "/real.safetensors")
        #expect(symlink("real.safetensors", directory + "/latest.safetensors") == 0)
        let updated = SafeTensorsFile(["w": SafeTensor([4, 5] as [Float], shape: [2])])
        try updated.write(to: directory + "/latest.safetensors")
        #expect(try SafeTensorsFile(contentsOf: directory + "/real.safetensors") == updated)
        var info = stat()
        #expect(lstat(directory + "/latest.safetensors", &info) == 0 && (info.st_mode & S_IFMT) == S_IFLNK)
    }
}
