import Foundation
import Synapse

/// One invocation: prints the environment, runs the selected cases in order, prints each row as
/// it finishes, and collects the report. A case that throws is recorded as failed and the run goes on.
struct BenchRun {
    let device: any Device
    let requested: String?
    let options: BenchOptions
    let selection: CaseSelection

    func run(_ cases: [BenchCase]) throws -> BenchReport {
        var environment = RunEnvironment(device: device, requested: requested, options: options)
        Console.line(BenchRun.header(environment))
        let harness = Harness(device: device, iterations: options.iterations, warmup: options.warmup,
                              maxSeconds: options.maxSeconds)
        let buildsBefore = harness.kernelBuilds
        var report = BenchReport(environment: environment, results: [], skipped: [], failed: [])
        var suite = ""
        let table = ResultTable(ids: cases.map(\.id))
        for benchCase in cases {
            if benchCase.suite != suite {
                suite = benchCase.suite
                Console.line("\n[\(suite)]\n" + table.header())
            }
            if let reason = selection.skipReason(benchCase) {
                report.skipped.append(SkippedCase(id: benchCase.id, reason: reason))
                Console.line(table.note(benchCase.id, "skipped: \(reason)"))
                continue
            }
            do {
                let result = try harness.measure(benchCase)
                report.results.append(result)
                Console.line(table.lines(result))
            } catch {
                try? ExecutionLatch.checkFailure(on: device)   // clear a sticky failure so later cases start clean
                device.trimPool()
                report.failed.append(SkippedCase(id: benchCase.id, reason: "\(error)"))
                Console.line(Format.cell(benchCase.id, table.caseWidth) + "  FAILED: \(error)")  // whole: it is the diagnosis
            }
        }
        environment.loadAverageAfter = RunEnvironment.loadAverage()
        if let before = buildsBefore, let after = harness.kernelBuilds {
            environment.kernelBuildsFromSource = after.buildsFromSource - before.buildsFromSource
            environment.kernelBuildsFromBinary = after.buildsFromBinary - before.buildsFromBinary
        }
        report.environment = environment
        Console.line("\n\(report.results.count) cases run, \(report.skipped.count) skipped, \(report.failed.count) failed; "
                     + "load average after: \(Comparison.load(environment.loadAverageAfter))"
                     + (environment.kernelBuildsFromSource.map {
                         "; OpenCL programs built from source: \($0), from the disk cache: \(environment.kernelBuildsFromBinary ?? 0)"
                     } ?? ""))
        return report
    }

    /// The lines that say where and how the numbers were taken.
    static func header(_ e: RunEnvironment) -> String {
        var lines = [
            "synapse-bench  \(e.date)  rev \(e.gitRevision ?? "unknown")  \(e.buildConfiguration) build",
            "device   \(e.deviceSpec): \(e.deviceName) (\(e.deviceKind), \(e.vendor), \(e.platform))",
            "driver   \(e.driverVersion)   GEMM: \(e.gemmLibrary)   compute units: \(e.computeUnits)   host cores: \(e.hostCores)",
            "load     \(Comparison.load(e.loadAverageBefore)) (1/5/15 min)",
            "runs     \(e.iterations) timed, \(e.warmup) warm-up, ≤ \(Format.seconds(e.maxSecondsPerCase)) timed per case"
                + (e.quick ? ", quick sizes" : ""),
        ]
        if e.buildConfiguration == "debug" {
            lines.append("WARNING: debug build; numbers are meaningless (use swift build -c release)")
        }
        if let load = e.loadAverageBefore?.first, load > 0.1 * Double(e.hostCores), e.deviceKind != "gpu" {
            lines.append("note: the host is busy (load \(String(format: "%.2f", load))); CPU numbers will be noisy")
        }
        return lines.map { Format.clip($0) }.joined(separator: "\n")
    }
}

/// `--list`: suites, their cases with shapes, and which would be skipped.
enum Listing {
    static func text(cases: [BenchCase], selection: CaseSelection, device: any Device) -> String {
        var lines = ["Cases for \(device.info.spec) (\(device.info.name)):"]
        for suite in Suites.all {
            let members = cases.filter { $0.suite == suite.name }
            guard !members.isEmpty else { continue }
            lines.append("\n\(suite.name): \(suite.summary)")
            for c in members {
                let skip = selection.skipReason(c).map { "  [skipped: \($0)]" } ?? ""
                lines.append("  \(Format.cell(c.id, 44)) \(c.shape)\(skip)")
            }
        }
        return lines.joined(separator: "\n")
    }
}
