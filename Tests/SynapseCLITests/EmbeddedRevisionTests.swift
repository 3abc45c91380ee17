import Foundation
import SynapseVersion
import Testing

/// The revision a build embeds (`EmbedRevisionTool`, run by the `EmbedRevision` plugin): read from
/// the files under `.git` the way git resolves HEAD, "unknown" without them.
@Suite struct EmbeddedRevisionTests {
    /// The tool, built beside `synapse` for the plugin; nil when this build put it elsewhere.
    static let tool: String? = CLI.binary.map {
        URL(fileURLWithPath: $0).deletingLastPathComponent().appendingPathComponent("EmbedRevisionTool-tool").path
    }.flatMap { FileManager.default.isExecutableFile(atPath: $0) ? $0 : nil }

    static let commit = "0123456789abcdef0123456789abcdef01234567"

    /// Runs the tool on `folders` and returns the revision it embedded.
    static func embedded(_ folders: [String]) throws -> String {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("revision-\(UUID().uuidString).swift")
        defer { try? FileManager.default.removeItem(at: output) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(tool))
        process.arguments = [output.path] + folders
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let source = try String(contentsOf: output, encoding: .utf8)
        let line = try #require(source.split(separator: "\n").first { $0.hasPrefix("let embeddedRevision = ") })
        return String(line.dropFirst("let embeddedRevision = ".count)).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
    }

    /// A git folder at `path` with HEAD `head` and the given files (relative path → contents).
    static func gitFolder(_ path: URL, head: String, files: [String: String]) throws {
        try FileManager.default.createDirectory(at: path, withIntermediateDirectories: true)
        try (head + "\n").write(to: path.appendingPathComponent("HEAD"), atomically: true, encoding: .utf8)
        for (name, text) in files {
            let file = path.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: file, atomically: true, encoding: .utf8)
        }
    }

    @Test("a branch's loose ref, a packed ref, a detached HEAD, a worktree's common folder; unknown without .git",
          .enabled(if: tool != nil, "EmbedRevisionTool was not built beside synapse"))
    func resolution() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("git-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }

        let loose = root.appendingPathComponent("loose")
        try Self.gitFolder(loose, head: "ref: refs/heads/main", files: ["refs/heads/main": Self.commit + "\n"])
        #expect(try Self.embedded([loose.path, loose.path]) == Self.commit)

        let packed = root.appendingPathComponent("packed")
        try Self.gitFolder(packed, head: "ref: refs/heads/main",
                           files: ["packed-refs": "# pack-refs with: peeled fully-peeled sorted\n\(Self.commit) refs/heads/main\n"])
        #expect(try Self.embedded([packed.path, packed.path]) == Self.commit)

        let detached = root.appendingPathComponent("detached")
        try Self.gitFolder(detached, head: Self.commit, files: [:])
        #expect(try Self.embedded([detached.path, detached.path]) == Self.commit)

        // A linked worktree: HEAD in its own folder, the branch's ref in the common one.
        let worktree = root.appendingPathComponent("common/worktrees/feature")
        try Self.gitFolder(worktree, head: "ref: refs/heads/feature", files: [:])
        try Self.gitFolder(root.appendingPathComponent("common"), head: "ref: refs/heads/main",
                           files: ["refs/heads/feature": Self.commit + "\n"])
        #expect(try Self.embedded([worktree.path, root.appendingPathComponent("common").path]) == Self.commit)

        #expect(try Self.embedded([]) == "unknown", "a tree without .git")
        let broken = root.appendingPathComponent("broken")
        try Self.gitFolder(broken, head: "ref: refs/heads/gone", files: [:])
        #expect(try Self.embedded([broken.path, broken.path]) == "unknown", "a branch without a commit")
    }
}
