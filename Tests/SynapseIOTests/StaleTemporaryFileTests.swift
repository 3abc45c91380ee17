import Foundation
import SynapseTestSupport
import Testing

/// A save killed midway (SIGKILL, a second Ctrl-C, power loss) leaves its temporary file behind;
/// the next save of the same file removes it, but never one a live writer is still filling
/// (issue 13, case 9).
@Suite struct StaleTemporaryFileTests {
    static let sample = SafeTensorsFile(["w": SafeTensor([1, 2, 3] as [Float], shape: [3])])

    /// Creates `path` with some bytes, as a killed writer would have left it.
    static func leftover(_ path: String) throws {
        try TestEnvironment.write([UInt8](repeating: 0xAB, count: 4096), to: path)
    }

    @Test func aSaveRemovesTemporariesLeftByAKilledSaveOfTheSameFile() throws {
        let directory = try TestEnvironment.scratchDirectory()
        defer { TestEnvironment.remove(directory) }
        // Names as a writer with another pid made them, and as this pid would (a reused pid).
        let stale = [".ckpt.safetensors.tmp-999999-12345", ".ckpt.safetensors.tmp-\(getpid())-1"]
        for name in stale { try Self.leftover(directory + "/" + name) }
        try Self.sample.write(to: directory + "/ckpt.safetensors")
        #expect(try TestEnvironment.listing(directory) == ["ckpt.safetensors"])
    }

    @Test func startUpCanSweepBeforeTheFirstSave() throws {
        let directory = try TestEnvironment.scratchDirectory()
        defer { TestEnvironment.remove(directory) }
        try Self.leftover(directory + "/.ckpt.safetensors.tmp-999999-3")
        SafeTensorsFile.removeStaleTemporaries(of: directory + "/ckpt.safetensors")
        #expect(try TestEnvironment.listing(directory).isEmpty)
    }

    @Test func aTemporaryThatAWriterHoldsIsLeftAlone() throws {
        let directory = try TestEnvironment.scratchDirectory()
        defer { TestEnvironment.remove(directory) }
        let live = directory + "/.ckpt.safetensors.tmp-\(getpid())-777"
        try Self.leftover(live)
        // A writer holds its temporary locked until it is renamed (here: this test, on its own descriptor).
        let fd = open(live, O_RDWR | O_CLOEXEC)
        try #require(fd >= 0 && flock(fd, LOCK_EX) == 0)
        defer { close(fd) }
        try Self.sample.write(to: directory + "/ckpt.safetensors")
        #expect(try TestEnvironment.listing(directory) == [".ckpt.safetensors.tmp-\(getpid())-777", "ckpt.safetensors"])
        #expect(try SafeTensorsFile(contentsOf: directory + "/ckpt.safetensors") == Self.sample)
    }

    @Test func otherFilesAndOtherCheckpointsTemporariesAreLeftAlone() throws {
        let directory = try TestEnvironment.scratchDirectory()
        defer { TestEnvironment.remove(directory) }
        let others = [".other.safetensors.tmp-999999-1", ".ckpt.safetensors.tmp", "ckpt.safetensors.tmp-999999-1",
                      ".ckpt.safetensors.bak"]
        for name in others { try Self.leftover(directory + "/" + name) }
        // A directory with a temporary's name is not a file a writer left: not touched either.
        try FileManager.default.createDirectory(atPath: directory + "/.ckpt.safetensors.tmp-999999-2",
                                                withIntermediateDirectories: false)
        try Self.sample.write(to: directory + "/ckpt.safetensors")
        #expect(try TestEnvironment.listing(directory)
                == (others + [".ckpt.safetensors.tmp-999999-2", "ckpt.safetensors"]).sorted())
    }
}
