import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import SynapseTestSupport
import SynapseTraining
import Testing

/// `report.html`: self-contained (nothing fetched from anywhere), with well-formed SVG plots.
@Suite struct TrainingReportTests {
    static let rows: [MetricRow] = [
        MetricRow(kind: .step, epoch: 1, step: 10, globalStep: 10, trainLoss: 1.9, trainAccuracy: 0.4, learningRate: 0.1),
        MetricRow(kind: .epoch, epoch: 1, step: 20, globalStep: 20, trainLoss: 1.2, trainAccuracy: 0.55, testLoss: 0.9,
                  testAccuracy: 0.66, learningRate: 0.1, imagesPerSecond: 900, seconds: 2.5),
        MetricRow(kind: .step, epoch: 2, step: 10, globalStep: 30, trainLoss: 0.8, trainAccuracy: 0.7, learningRate: 0.05),
        MetricRow(kind: .epoch, epoch: 2, step: 20, globalStep: 40, trainLoss: 0.7, trainAccuracy: 0.74, testLoss: 0.65,
                  testAccuracy: 0.75, learningRate: 0.05, imagesPerSecond: 950, seconds: 2.4),
    ]

    @Test func theReportIsSelfContainedAndItsSVGIsWellFormed() throws {
        let html = TrainingReport.html(rows: Self.rows, start: nil, summary: nil)
        for external in ["http:", "https:", "//", "src=", "href=", "<script", "url(", "@import", "<link"] {
            #expect(!html.contains(external), "the report refers to something outside it: \(external)")
        }
        let charts = Self.elements("svg", in: html)
        #expect(charts.count == 3, "loss, accuracy and step-loss charts")
        for chart in charts {
            #if canImport(FoundationXML) || canImport(Darwin)
            let document = try XMLDocument(xmlString: chart, options: [])
            #expect(document.rootElement()?.name == "svg")
            #else
            #expect(chart.hasSuffix("</svg>"))
            #endif
        }
        // Two lines (train and test) in each per-epoch chart, one in the step chart.
        #expect(charts.map { $0.components(separatedBy: "<polyline").count - 1 } == [2, 2, 1])
        #expect(html.contains("75.00%") && html.contains("0.6500"), "the epoch table holds the test accuracy and loss")
    }

    @Test func writingReadsTheLogDirectoryAndNamesAMissingTable() throws {
        let directory = try TestEnvironment.scratchDirectory()
        defer { TestEnvironment.remove(directory) }
        expectFailure(mentions: [directory + "/metrics.csv"]) { try TrainingReport.write(directory: directory) }
        _ = try MetricLogTests.loggedRun(into: directory)
        try FileManager.default.removeItem(atPath: directory + "/report.html")
        let path = try TrainingReport.write(directory: directory)
        let html = try String(contentsOfFile: path, encoding: .utf8)
        #expect(html.contains("lenet5") && html.contains("Configuration") && html.contains("seed"))
        #expect(Self.elements("svg", in: html).count == 3)
    }

    /// The complete `<name …>…</name>` elements of `html`, in order.
    static func elements(_ name: String, in html: String) -> [String] {
        html.components(separatedBy: "<\(name) ").dropFirst().compactMap { rest in
            rest.range(of: "</\(name)>").map { "<\(name) " + rest[..<$0.upperBound] }
        }
    }
}
