import Foundation
import SynapseVersion
import Testing

/// The small things a new user trips over first: a mistyped command, a negative value, the version.
@Suite struct CLIPaperCutTests {
    @Test("a mistyped command gets a suggestion")
    func mistypedCommand() throws {
        expectOneLineError(try CLI.run(["trian"]), mentions: ["unknown command 'trian'", "did you mean 'train'?"])
        expectOneLineError(try CLI.run(["devcies"]), mentions: ["did you mean 'devices'?"])
        expectOneLineError(try CLI.run(["ev"]), mentions: ["did you mean 'eval'?"])
        let far = try CLI.run(["fly"])
        expectOneLineError(far, mentions: ["unknown command 'fly'", "'train'", "'eval'"])
        #expect(!far.stderr.contains("did you mean"), "\(far.stderr)")
    }

    @Test("a negative value reaches the option's own check instead of reading as a missing value")
    func negativeValues() throws {
        expectOneLineError(try CLI.run(["train", "--device", "cpu", "--lr", "-1"]), mentions: ["--lr", "must be positive"])
        expectOneLineError(try CLI.run(["train", "--device", "cpu", "--lr", "-0.5"]), mentions: ["--lr", "-0.5"])
        expectOneLineError(try CLI.run(["train", "--device", "cpu", "--momentum", "-0.9"]), mentions: ["--momentum", "[0, 1)"])
        expectOneLineError(try CLI.run(["train", "--device", "cpu", "--epochs", "-3"]), mentions: ["--epochs", "-3"])
        let missing = try CLI.run(["train", "--device", "cpu", "--lr"])
        expectOneLineError(missing, mentions: ["--lr"])
    }

    @Test("--version names the release and the commit the binary was built from")
    func version() throws {
        let result = try CLI.run(["--version"])
        #expect(result.status == 0, "\(result.stderr)")
        let line = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(line == "synapse \(SynapseVersion.number) (rev \(SynapseVersion.shortRevision))")
        if let head = Self.gitHead() {
            #expect(SynapseVersion.revision == head, "embedded \(SynapseVersion.revision), checkout at \(head)")
            #expect(line.hasSuffix("(rev \(head.prefix(7)))"), "\(line)")
        }
    }

    /// `git rev-parse HEAD` of this checkout, or nil without git or `.git` (a tarball).
    static func gitHead() -> String? {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        guard FileManager.default.fileExists(atPath: root.appendingPathComponent(".git").path) else { return nil }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "-C", root.path, "rev-parse", "HEAD"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
