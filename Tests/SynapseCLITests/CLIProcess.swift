import Foundation
import SynapseTestSupport
import Testing

/// Runs the built `synapse` executable as a subprocess.
///
/// The binary is looked for next to the test bundle (`.build/<triple>/<config>/synapse`, where
/// `swift build` puts it), then under `.build/debug` and `.build/release`; `SYNAPSE_BINARY`
/// overrides. `swift test` builds it along with the tests.
enum CLI {
    /// In CI (`CI` set) missing data or devices fail rather than skip.
    static var isCI: Bool { ProcessInfo.processInfo.environment["CI"] != nil }

    static let binary = BuiltExecutable.path(
        "synapse", override: "SYNAPSE_BINARY",
        packageRoot: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent())

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        var stderrLines: [String] { stderr.split(separator: "\n").map(String.init) }
    }

    /// Runs `synapse arguments…` to completion. `environment` entries are added to (or, with a nil
    /// value, removed from) the current environment.
    static func run(_ arguments: [String], environment: [String: String?] = [:]) throws -> Result {
        let process = try start(arguments, environment: environment)
        return try process.finish()
    }

    /// A running `synapse` process.
    final class Running: @unchecked Sendable {
        let process = Process()
        private let outPipe = Pipe(), errPipe = Pipe()
        private var out = Data(), err = Data()
        private let group = DispatchGroup()

        init(_ arguments: [String], environment: [String: String?]) throws {
            guard let binary = CLI.binary else {
                throw CLIError("the synapse executable was not found; run `swift build` first or set SYNAPSE_BINARY")
            }
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = arguments
            var env = ProcessInfo.processInfo.environment
            env["SYNAPSE_DEVICE"] = nil
            for (key, value) in environment { env[key] = value }
            process.environment = env
            process.standardOutput = outPipe
            process.standardError = errPipe
            process.standardInput = FileHandle.nullDevice
            try process.run()
            for (pipe, isOut) in [(outPipe, true), (errPipe, false)] {
                group.enter()
                DispatchQueue.global().async {
                    let data = pipe.fileHandleForReading.readDataToEndOfFile()
                    if isOut { self.out = data } else { self.err = data }
                    self.group.leave()
                }
            }
        }

        func finish() throws -> Result {
            process.waitUntilExit()
            group.wait()
            return Result(status: process.terminationStatus, stdout: String(decoding: out, as: UTF8.self),
                          stderr: String(decoding: err, as: UTF8.self))
        }
    }

    static func start(_ arguments: [String], environment: [String: String?] = [:]) throws -> Running {
        try Running(arguments, environment: environment)
    }

    /// The JSON objects of a `--json` run's stdout, one per line.
    static func records(_ stdout: String) throws -> [[String: Any]] {
        try stdout.split(separator: "\n").map { line in
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw CLIError("not a JSON object: \(line)")
            }
            return object
        }
    }
}

struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Checks a failed run: non-zero status and exactly one stderr line `synapse: error: …` containing
/// every string in `mentions`, with no crash trace.
func expectOneLineError(_ result: CLI.Result, mentions: [String], sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(result.status != 0, "exit status 0; stdout: \(result.stdout)", sourceLocation: sourceLocation)
    #expect(result.stderrLines.count == 1, "stderr has \(result.stderrLines.count) lines:\n\(result.stderr)",
            sourceLocation: sourceLocation)
    let line = result.stderrLines.first ?? ""
    #expect(line.hasPrefix("synapse: error: "), "stderr: \(line)", sourceLocation: sourceLocation)
    for text in mentions {
        #expect(line.contains(text), "\"\(line)\" does not mention \(text)", sourceLocation: sourceLocation)
    }
}
