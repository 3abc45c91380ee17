import Foundation
import Testing

/// The README's examples work on a fresh clone without a GPU: every `synapse` and `synapse-bench`
/// line of its `sh` blocks runs, in order, in an empty folder (so `--save` needs no `runs/`), with
/// fewer steps and images; the library example is the consumer package's code.
@Suite struct ReadmeCommandTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// A command line of the README: its words, and the file its stdout is redirected to, if any.
    struct Command: CustomStringConvertible {
        var words: [String]
        var redirect: String?
        var description: String { words.joined(separator: " ") + (redirect.map { " > \($0)" } ?? "") }
    }

    /// Every `synapse …` / `synapse-bench …` line in a ```sh block of `readme`, comments removed.
    static func commands(in readme: String) -> [Command] {
        var inShell = false, found: [Command] = []
        for line in readme.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("```") { inShell = line == "```sh"; continue }
            guard inShell, line.hasPrefix("synapse ") || line.hasPrefix("synapse-bench ") else { continue }
            var text = String(line)
            if let comment = text.range(of: " #") { text = String(text[..<comment.lowerBound]) }
            var redirect: String?
            if let arrow = text.range(of: " > ") {
                redirect = text[arrow.upperBound...].trimmingCharacters(in: .whitespaces)
                text = String(text[..<arrow.lowerBound])
            }
            found.append(Command(words: text.split(separator: " ").map(String.init), redirect: redirect))
        }
        return found
    }

    /// `command`'s arguments made cheap: few steps, images and timed runs. Later options win, so the
    /// README's own values are overridden consistently (a resumed run gets the same caps as its start).
    /// AlexNet 2012 is only parsed: `--epochs 0` must be the first thing refused.
    static func cheapArguments(_ command: Command) -> (arguments: [String], parseOnly: Bool) {
        let arguments = Array(command.words.dropFirst())
        if command.words[0] == "synapse-bench" {
            return (arguments + ["--quick", "--iterations", "1", "--warmup", "0", "--max-seconds", "0.05"], false)
        }
        switch arguments.first {
        case "train" where zip(arguments, arguments.dropFirst()).contains { $0 == "--model" && $1 == "alexnet" }:
            return (arguments + ["--epochs", "0"], true)
        case "train":
            return (arguments + ["--steps", "2", "--limit-train", "256", "--limit-test", "64", "--batch-size", "16"], false)
        case "eval":
            return (arguments + ["--limit-test", "64", "--batch-size", "16"], false)
        default:
            return (arguments, false)
        }
    }

    @Test("the README's command lines are found and need no GPU")
    func commandsNeedNoGPU() throws {
        let readme = try String(contentsOf: Self.root.appendingPathComponent("README.md"), encoding: .utf8)
        let commands = Self.commands(in: readme)
        let names = Set(commands.compactMap { $0.words.dropFirst().first })
        #expect(names.isSuperset(of: ["devices", "check", "train", "eval", "--version"]), "README commands: \(names)")
        #expect(commands.contains { $0.words[0] == "synapse-bench" })
        for command in commands {
            for (option, value) in zip(command.words, command.words.dropFirst()) where option == "--device" {
                #expect(value == "cpu" || value == "opencl", "\(command): a fresh clone without a GPU has no \(value)")
            }
        }
    }

    @Test("every README command runs in an empty folder", .enabled(if: FashionMNISTFiles.shouldRun, "Fashion-MNIST not installed"))
    func commandsRun() throws {
        let readme = try String(contentsOf: Self.root.appendingPathComponent("README.md"), encoding: .utf8)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("readme-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for command in Self.commands(in: readme) {
            let (arguments, parseOnly) = Self.cheapArguments(command)
            let result = try BenchOutputTests.run(arguments, in: folder, binary: command.words[0])
            if parseOnly {
                expectOneLineError(result, mentions: ["--epochs"])
                continue
            }
            try #require(result.status == 0, "\(command) failed:\n\(result.stderr)")
            if let redirect = command.redirect {
                try result.stdout.write(to: folder.appendingPathComponent(redirect), atomically: true, encoding: .utf8)
                #expect(try CLI.records(result.stdout).count > 1, "\(command): stdout is not JSON lines")
            }
        }
    }

    @Test("the README's library example is the consumer package's main.swift, with its products")
    func libraryExample() throws {
        let readme = try String(contentsOf: Self.root.appendingPathComponent("README.md"), encoding: .utf8)
        let consumer = Self.root.appendingPathComponent("Examples/TrainOneStep")
        let main = try String(contentsOf: consumer.appendingPathComponent("Sources/TrainOneStep/main.swift"), encoding: .utf8)
        #expect(readme.contains("```swift\n" + main + "```"), "README does not quote Examples/TrainOneStep's main.swift")
        let manifest = try String(contentsOf: consumer.appendingPathComponent("Package.swift"), encoding: .utf8)
        let products = readme.split(separator: "\n").filter { $0.contains(".product(name:") }
        #expect(!products.isEmpty)
        for line in products { #expect(manifest.contains(line), "Package.swift lacks \(line)") }
    }
}
