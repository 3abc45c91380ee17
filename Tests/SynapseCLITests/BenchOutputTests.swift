import Foundation
import SynapseVersion
import Testing

/// `synapse-bench`'s output: `--json -` writes the report to stdout and nothing else there, the
/// table fits 100 columns, and a run outside the checkout still reports the build's revision.
@Suite struct BenchOutputTests {
    /// Cases with the longest ids and the most details (training phases, convolution passes).
    static let filter = "conv.alexnet.conv4.backward-weight,train.lenet5,elementwise.add,gemm.square.256"

    @Test("--json - writes the JSON report to stdout, the table to stderr, every table line ≤ 100 columns")
    func jsonToStandardOutput() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bench-output-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try Self.run(["--quick", "--device", "cpu", "--filter", Self.filter, "--iterations", "1",
                                   "--warmup", "0", "--json", "-"], in: directory)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("-").path),
                "--json - wrote a file named '-'")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any],
                                  "stdout is not one JSON document:\n\(result.stdout)")
        #expect(report["schema"] as? String == "synapse-bench/1")
        let environment = report["environment"] as? [String: Any] ?? [:]
        if SynapseVersion.revision != "unknown" {
            #expect(environment["gitRevision"] as? String == SynapseVersion.shortRevision,
                    "run outside the checkout, the report lost the revision the binary was built from")
        }
        let ids = (report["results"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
        #expect(ids.contains { $0.hasPrefix("train.lenet5") } && ids.contains { $0.hasPrefix("conv.alexnet.conv4") })
        #expect(result.stderr.contains("[train]"), "the table is not on stderr:\n\(result.stderr)")
        for line in result.stderr.split(separator: "\n") {
            #expect(line.count <= 100, "\(line.count) columns: \(line)")
        }
    }

    @Test("a negative --iterations, --warmup or --max-seconds reaches its check")
    func negativeValues() throws {
        for (option, message) in [("--iterations", "at least 1"), ("--warmup", "must not be negative"),
                                  ("--max-seconds", "must be positive")] {
            let result = try Self.run(["--device", "cpu", option, "-1", "--list"], in: FileManager.default.temporaryDirectory)
            #expect(result.status != 0)
            #expect(result.stderr.contains(option) && result.stderr.contains(message), "\(option): \(result.stderr)")
        }
    }

    /// Runs the built `binary` (`synapse-bench`, or `synapse`, from where the tests find `synapse`) in
    /// `directory`; stdout and stderr apart.
    static func run(_ arguments: [String], in directory: URL, binary name: String = "synapse-bench") throws -> CLI.Result {
        let synapse = try #require(CLI.binary, "synapse was not built")
        let binary = URL(fileURLWithPath: synapse).deletingLastPathComponent().appendingPathComponent(name).path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.currentDirectoryURL = directory
        var environment = ProcessInfo.processInfo.environment
        environment["SYNAPSE_DEVICE"] = nil
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        nonisolated(unsafe) var errData = Data()
        let reader = DispatchQueue(label: "stderr")
        reader.async { errData = err.fileHandleForReading.readDataToEndOfFile() }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        reader.sync {}
        return CLI.Result(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                          stderr: String(decoding: errData, as: UTF8.self))
    }
}
