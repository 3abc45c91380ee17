import Foundation
import SynapseTestSupport
import Testing

/// Saving replaces the target in one step and never leaves a temporary file behind.
@Suite struct SafeTensorsAtomicWriteTests {
    @Test func replacesAnExistingFile() throws {
        let directory = try TestEnvironment.scratchDirectory()
        defer { TestEnvironment.remove(directory) }
        let path = directory + "/ckpt.safetensors"
        try SafeTensorsFile(["w": SafeTensor([1, 2, 3] as [Float], shape: [3])], metadata: ["step": "1"]).write(to: path)
        let newer = SafeTensorsFile(["w": SafeTensor([4, 5] as [Float], shape: [2])], metadata: ["step": "2"])
        try newer.write(to: path)
        #expect(try SafeTensorsFile(contentsOf: path) == newer)
        #expect(try TestEnvironment.listing(directory) == ["ckpt.safetensors"])
    }

    @Test func failedWriteIntoMissingDirectoryLeavesNothing() throws {
        let parent = try TestEnvironment.scratchDirectory()
        defer { TestEnvironment.remove(parent) }
        let path = parent + "/no-such-dir/ckpt.safetensors"
        expectDataError(mentions: [path, "No such file or directory"]) {
            try SafeTensorsFile(["w": SafeTensor([1] as [Float], shape: [1])]).write(to: path)
        } matches: { if case .io = $0 { true } else { false } }
        #expect(try TestEnvironment.listing(parent).isEmpty)
    }

    @Test func aDirectoryTargetIsRefusedAndKept() throws {
        // The target is a non-empty directory, which a rename would fail on (or, were it empty,
        // replace): it is refused before any temporary is written, and survives.
        let directory = try TestEnvironment.scratchDirectory()
        defer { TestEnvironment.remove(directory) }
        let target = directory + "/ckpt.safetensors"
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: false)
        try TestEnvironment.write([1], to: target + "/keep")
        expectDataError(mentions: [target, "not a regular file (a directory)"]) {
            try SafeTensorsFile(["w": SafeTensor([1] as [Float], shape: [1])]).write(to: target)
        } matches: { if case .io = $0 { true } else { false } }
        #expect(try TestEnvironment.listing(directory) == ["ckpt.safetensors"])
        #expect(try TestEnvironment.listing(target) == ["keep"])
    }
}
