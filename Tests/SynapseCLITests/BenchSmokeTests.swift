import Foundation
import SynapseTestSupport
import Testing

/// Runs the built `synapse-bench --quick` on the CPU and on OpenCL and checks that it exits 0 and
/// writes a JSON report with the fields other tools rely on. Never checks timings: the machines
/// are shared, and a smoke test must not fail because a neighbour is busy.
///
/// The binary is looked up next to the test bundle (the build products directory, which `swift
/// build` / `swift test` fill), then under `.build/release` and `.build/debug` of this checkout;
/// `SYNAPSE_BENCH_BINARY` overrides both.
@Suite("synapse-bench smoke")
struct BenchSmokeTests {
    @Test("--quick on the CPU writes a complete report; --compare and --list work")
    func quickCPU() throws {
        let directory = try BenchSmoke.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let json = directory.appendingPathComponent("cpu.json").path

        let run = try BenchSmoke.run(["--quick", "--device", "cpu", "--json", json])
        try #require(run.status == 0, "synapse-bench --quick --device cpu failed:\n\(run.output)")
        try BenchSmoke.checkReport(at: json, spec: "cpu")

        let compared = try BenchSmoke.run(["--quick", "--device", "cpu", "--filter", "gemm.square", "--iterations", "1",
                                           "--warmup", "0", "--compare", json])
        #expect(compared.status == 0, "--compare failed:\n\(compared.output)")
        #expect(compared.output.contains("speedup"), "--compare printed no comparison table:\n\(compared.output)")

        let listed = try BenchSmoke.run(["--list", "--device", "cpu"])
        #expect(listed.status == 0 && listed.output.contains("gemm.square.1024"), "--list failed:\n\(listed.output)")
    }

    @Test("--quick on OpenCL writes a complete report", .enabled(if: !TestDevices.openCLSpecs.isEmpty))
    func quickOpenCL() throws {
        let directory = try BenchSmoke.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let json = directory.appendingPathComponent("opencl.json").path

        let run = try BenchSmoke.run(["--quick", "--device", "opencl", "--json", json])
        try #require(run.status == 0, "synapse-bench --quick --device opencl failed:\n\(run.output)")
        try BenchSmoke.checkReport(at: json, spec: "opencl")
    }

    @Test("a bad --filter and a bad --compare file fail with a message")
    func badArguments() throws {
        let filter = try BenchSmoke.run(["--device", "cpu", "--filter", "no-such-case", "--list"])
        #expect(filter.status != 0 && filter.output.contains("no-such-case"), "\(filter.output)")

        let directory = try BenchSmoke.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let bogus = directory.appendingPathComponent("bogus.json")
        try Data("{\"not\": \"a report\"}".utf8).write(to: bogus)
        let compare = try BenchSmoke.run(["--quick", "--device", "cpu", "--filter", "softmax.128x10", "--compare", bogus.path])
        #expect(compare.status != 0 && compare.output.contains("bogus.json"), "\(compare.output)")
    }
}

/// Locating, running and checking the `synapse-bench` binary.
enum BenchSmoke {
    static let suites: Set<String> = ["gemm", "conv", "pool", "softmax", "elementwise", "train"]
    static let rateUnits: Set<String> = ["GFLOP/s", "GB/s", "images/s"]

    /// The built `synapse-bench`, or a failure saying how to build it.
    static func binary() throws -> URL {
        let environment = ProcessInfo.processInfo.environment
        if let path = environment["SYNAPSE_BENCH_BINARY"], !path.isEmpty { return URL(fileURLWithPath: path) }
        var directories: [URL] = []
        if let executable = Bundle.main.executableURL { directories.append(executable.deletingLastPathComponent()) }
        directories.append(Bundle.main.bundleURL)
        directories.append(Bundle.main.bundleURL.deletingLastPathComponent())
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        directories += ["release", "debug"].map { root.appendingPathComponent(".build/\($0)") }
        let candidates = directories.map { $0.appendingPathComponent("synapse-bench") }
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw SmokeFailure("synapse-bench not found (looked in \(candidates.map(\.path))); run `swift build` first")
        }
        return found
    }

    /// Runs the binary with `arguments`; returns its exit status and stdout+stderr.
    static func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = try binary()
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("synapse-bench-smoke-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Parses the report at `path` and checks its structure (never its timings).
    static func checkReport(at path: String, spec: String) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        guard let report = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw SmokeFailure("\(path) is not a JSON object")
        }
        #expect(report["schema"] as? String == "synapse-bench/1")

        let environment = try #require(report["environment"] as? [String: Any], "no environment in \(path)")
        for key in ["deviceName", "deviceSpec", "driverVersion", "gemmLibrary", "date", "buildConfiguration"] {
            #expect(!((environment[key] as? String) ?? "").isEmpty, "environment.\(key) missing or empty")
        }
        #expect((environment["deviceSpec"] as? String)?.hasPrefix(spec) == true)
        #expect((environment["iterations"] as? Int ?? 0) >= 1)
        #expect(environment["quick"] as? Bool == true)
        if FileManager.default.fileExists(atPath: "/proc/loadavg") {
            #expect((environment["loadAverageBefore"] as? [Double])?.count == 3, "load average not recorded")
        }

        #expect((report["failed"] as? [Any])?.isEmpty == true, "failed cases: \(report["failed"] ?? "?")")
        let results = try #require(report["results"] as? [[String: Any]], "no results in \(path)")
        #expect(Set(results.compactMap { $0["suite"] as? String }) == suites, "not every suite ran")
        for result in results {
            let id = result["id"] as? String ?? "?"
            let median = result["medianSeconds"] as? Double ?? -1
            let low = result["minSeconds"] as? Double ?? -1, high = result["maxSeconds"] as? Double ?? -1
            #expect(low >= 0 && low <= median && median <= high, "\(id): min/median/max inconsistent")
            #expect((result["firstRunSeconds"] as? Double ?? -1) >= 0, "\(id): no first-run time")
            #expect((result["iterations"] as? Int ?? 0) >= 1, "\(id): no timed iterations")
            #expect(rateUnits.contains(result["rateUnit"] as? String ?? ""), "\(id): unexpected rate unit")
            #expect((result["rate"] as? Double) != nil && (result["work"] as? Double ?? 0) > 0, "\(id): no rate/work")
            #expect(result["peakMemoryBytes"] is Int, "\(id): no peak memory")
            if result["suite"] as? String == "train" {
                #expect((result["phases"] as? [Any]) != nil || spec != "cpu", "\(id): CPU training step not split into phases")
            }
        }
    }
}

/// A smoke-test failure with its explanation.
private struct SmokeFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
