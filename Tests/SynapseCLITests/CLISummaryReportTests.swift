import Foundation
import SynapseTestSupport
import Testing

/// `synapse summary`, `synapse report`, and `synapse train --log-dir` / `--quiet`.
@Suite struct CLISummaryReportTests {
    @Test func summaryOfLeNet5() throws {
        let result = try CLI.run(["summary", "--model", "lenet5", "--device", "cpu"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("61,706"), "\(result.stdout)")
        for layer in ["conv1", "conv2", "fc1", "fc2", "fc3"] { #expect(result.stdout.contains(layer)) }
        #expect(result.stdout.contains("Training step at batch 128 on cpu: peak device memory"))

        let json = try CLI.run(["summary", "--model", "lenet5", "--device", "cpu", "--batch-size", "8", "--json"])
        let record = try #require(try CLI.records(json.stdout).first)
        #expect((record["parameters"] as? NSNumber)?.intValue == 61_706)
        #expect((record["batchSize"] as? NSNumber)?.intValue == 8)
        #expect((record["stepPeakMemoryBytes"] as? NSNumber)?.intValue ?? 0 > 61_706 * 4)
        #expect((record["layers"] as? [[String: Any]])?.count == 5)
    }

    @Test func summaryRefusesBadOptionsInOneLine() throws {
        expectOneLineError(try CLI.run(["summary", "--model", "resnet"]), mentions: ["resnet"])
        expectOneLineError(try CLI.run(["summary", "--batch-size", "0", "--device", "cpu"]), mentions: ["--batch-size"])
    }

    @Test func reportOfADirectoryWithoutLogsNamesTheFile() throws {
        let directory = NSTemporaryDirectory() + "synapse-report-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        expectOneLineError(try CLI.run(["report", directory]), mentions: [directory + "/metrics.csv"])
    }

    @Test(.enabled(if: FashionMNISTFiles.shouldRun, "Fashion-MNIST not installed"))
    func logDirAndQuiet() throws {
        let data = try FashionMNISTFiles.directory()
        let directory = NSTemporaryDirectory() + "synapse-log-\(UUID().uuidString)/run"
        defer { try? FileManager.default.removeItem(atPath: (directory as NSString).deletingLastPathComponent) }
        let train = try CLI.run(["train", "--device", "cpu", "--data-dir", data, "--limit-train", "640", "--limit-test", "200",
                                 "--batch-size", "64", "--epochs", "2", "--log-dir", directory, "--quiet"])
        try #require(train.status == 0, "\(train.stderr)")
        // --quiet: the final summary alone.
        #expect(train.stdout.split(separator: "\n").count == 1 && train.stdout.hasPrefix("done: best test acc"), "\(train.stdout)")
        #expect(train.stderr.isEmpty, "\(train.stderr)")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory)
        for name in ["metrics.csv", "config.json", "summary.json", "report.html"] { #expect(files.contains(name), "\(files)") }
        #expect(files.contains { $0.hasPrefix("events.out.tfevents.") })

        try FileManager.default.removeItem(atPath: directory + "/report.html")
        let report = try CLI.run(["report", directory])
        #expect(report.status == 0 && report.stdout == "wrote \(directory)/report.html\n", "\(report.stderr)")
        #expect(FileManager.default.fileExists(atPath: directory + "/report.html"))

        // A log directory that is a file: one line naming it, before any training.
        let file = directory + "/metrics.csv"
        expectOneLineError(try CLI.run(["train", "--device", "cpu", "--data-dir", data, "--log-dir", file]),
                           mentions: [file, "not a directory"])
    }

    /// Not on a terminal, stdout keeps its plain format: the start lines, one line per epoch (no
    /// training accuracy, which only the terminal display adds) and the summary, with no redraws.
    @Test(.enabled(if: FashionMNISTFiles.shouldRun, "Fashion-MNIST not installed"))
    func plainOutputIsStable() throws {
        let data = try FashionMNISTFiles.directory()
        let train = try CLI.run(["train", "--device", "cpu", "--data-dir", data, "--limit-train", "640", "--limit-test", "200",
                                 "--batch-size", "64", "--epochs", "1"])
        try #require(train.status == 0, "\(train.stderr)")
        let lines = train.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 4, "\(train.stdout)")
        #expect(lines.first?.hasPrefix("training lenet5 (61706 parameters) on cpu") == true)
        #expect(lines.count > 2 && lines[2].hasPrefix("epoch 1/1  train loss ") && lines[2].contains("  test acc ")
                && !lines[2].contains("train acc"))
        #expect(lines.last?.hasPrefix("done: best test acc") == true)
        #expect(!train.stdout.contains("\r") && !train.stdout.contains("\u{1B}") && !train.stderr.contains("\u{1B}"))
    }
}
