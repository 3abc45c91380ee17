import Foundation
import SynapseIO

/// `report.html`: a self-contained page (inline CSS and SVG, nothing fetched) with plots of loss
/// and accuracy per epoch, the training loss by step, the run's configuration and its result,
/// made from the files a `MetricLogger` wrote.
public enum TrainingReport {
    /// Reads `metrics.csv` (and `config.json`, `summary.json` when present) in `directory` and
    /// writes `report.html` there; returns its path.
    ///
    /// - Throws: `DataError` naming the file that is missing or malformed.
    @discardableResult
    public static func write(directory: String) throws -> String {
        let csvPath = directory + "/metrics.csv"
        let rows = try MetricsCSV.parse(String(decoding: try HostFile.readAll(csvPath), as: UTF8.self), file: csvPath)
        let start: RunStart? = try decodeIfPresent(directory + "/config.json")
        let summary: RunSummary? = try decodeIfPresent(directory + "/summary.json")
        let path = directory + "/report.html"
        try HostFile.writeAtomically(Array(html(rows: rows, start: start, summary: summary).utf8), to: path)
        return path
    }

    /// The page for `rows`, with the configuration and result when known.
    public static func html(rows: [MetricRow], start: RunStart?, summary: RunSummary?) -> String {
        // A resumed run appends: keep the last row written for each epoch.
        var byEpoch: [Int: MetricRow] = [:]
        for row in rows where row.kind == .epoch { byEpoch[row.epoch] = row }
        let epochs = byEpoch.keys.sorted().compactMap { byEpoch[$0] }
        func series(_ name: String, _ color: String, _ value: (MetricRow) -> Double?) -> SVGLineChart.Series {
            .init(name: name, color: color, points: epochs.compactMap { row in value(row).map { (Double(row.epoch), $0) } })
        }
        var loss = SVGLineChart(title: "Loss per epoch", xLabel: "epoch", series: [
            series("train loss", "#1f77b4", \.trainLoss), series("test loss", "#d62728", \.testLoss),
        ])
        loss.wholeX = true
        var accuracy = SVGLineChart(title: "Accuracy per epoch", xLabel: "epoch", series: [
            series("train accuracy", "#1f77b4", \.trainAccuracy), series("test accuracy", "#d62728", \.testAccuracy),
        ])
        accuracy.yFormat = { String(format: "%.4g%%", $0 * 100) }
        accuracy.wholeX = true
        let steps = rows.filter { $0.kind == .step }
        let stepLoss = SVGLineChart(title: "Training loss by step (running mean of the epoch)", xLabel: "step", series: [
            .init(name: "train loss", color: "#2ca02c",
                  points: steps.compactMap { row in row.trainLoss.map { (Double(row.globalStep), $0) } }),
        ])

        let name = start.map { "\($0.model) on \($0.device)" } ?? "training run"
        var page = """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <title>Synapse report: \(SVGLineChart.escape(name))</title>
        <style>
        body { font-family: sans-serif; margin: 24px; color: #222; max-width: 1340px; }
        h1 { font-size: 22px; } h2 { font-size: 17px; margin-top: 28px; }
        .charts { display: flex; flex-wrap: wrap; gap: 16px; }
        svg.chart { border: 1px solid #ddd; background: #fff; font-size: 12px; }
        svg .title { font-weight: bold; font-size: 13px; } svg .grid { stroke: #eee; }
        svg .frame { fill: none; stroke: #999; } svg .ytick { text-anchor: end; dominant-baseline: middle; }
        svg .xtick, svg .xlabel { text-anchor: middle; }
        table { border-collapse: collapse; font-size: 13px; } td, th { border: 1px solid #ddd; padding: 3px 8px; text-align: left; }
        td.number { text-align: right; font-variant-numeric: tabular-nums; }
        </style>
        </head>
        <body>
        <h1>Synapse report: \(SVGLineChart.escape(name))</h1>

        """
        if let summary { page += "<p>\(SVGLineChart.escape(resultLine(summary)))</p>\n" }
        page += "<div class=\"charts\">\n\(loss.svg)\n\(accuracy.svg)\n"
        if !steps.isEmpty { page += stepLoss.svg + "\n" }
        page += "</div>\n"
        if let start { page += "<h2>Configuration</h2>\n" + table(configuration(start)) }
        page += "<h2>Epochs</h2>\n" + epochTable(epochs)
        return page + "</body>\n</html>\n"
    }

    private static func configuration(_ s: RunStart) -> [(String, String)] {
        [("model", "\(s.model) (\(s.parameters) parameters)"), ("device", "\(s.device) (\(s.deviceName))"),
         ("data", "\(s.dataset): \(s.trainExamples) train / \(s.testExamples) test images"),
         ("batch size", "\(s.batchSize) (\(s.stepsPerEpoch) steps per epoch)"), ("epochs", "\(s.epochs)"),
         ("optimizer", "\(s.optimizer), learning rate \(s.learningRate)"), ("seed", "\(s.seed)"),
         ("started at", s.startEpoch > 0 || s.startBatch > 0 ? "epoch \(s.startEpoch + 1), step \(s.startBatch)" : "the beginning")]
    }

    private static func resultLine(_ s: RunSummary) -> String {
        var text = s.interrupted ? "Stopped early" : "Done"
        if let best = s.bestAccuracy, let final = s.finalAccuracy {
            text += String(format: ": best test accuracy %.2f%%, final %.2f%%", best * 100, final * 100)
        }
        return text + String(format: "; %d epoch(s) in %.1f s", s.epochsCompleted, s.totalSeconds)
    }

    private static func table(_ rows: [(String, String)]) -> String {
        "<table>\n" + rows.map { "<tr><th>\(SVGLineChart.escape($0.0))</th><td>\(SVGLineChart.escape($0.1))</td></tr>\n" }.joined()
            + "</table>\n"
    }

    private static func epochTable(_ epochs: [MetricRow]) -> String {
        func cell(_ value: Double?, _ format: String, scale: Double = 1) -> String {
            "<td class=\"number\">\(value.map { String(format: format, $0 * scale) } ?? "")</td>"
        }
        var html = "<table>\n<tr><th>epoch</th><th>train loss</th><th>train acc</th><th>test loss</th><th>test acc</th>"
            + "<th>learning rate</th><th>img/s</th><th>seconds</th></tr>\n"
        for row in epochs {
            html += "<tr><td class=\"number\">\(row.epoch)</td>" + cell(row.trainLoss, "%.4f") + cell(row.trainAccuracy, "%.2f%%", scale: 100)
                + cell(row.testLoss, "%.4f") + cell(row.testAccuracy, "%.2f%%", scale: 100) + cell(row.learningRate, "%.6g")
                + cell(row.imagesPerSecond, "%.0f") + cell(row.seconds, "%.1f") + "</tr>\n"
        }
        return html + "</table>\n"
    }

    private static func decodeIfPresent<Value: Decodable>(_ path: String) throws -> Value? {
        guard HostFile.exists(path) else { return nil }
        do {
            return try JSONDecoder().decode(Value.self, from: Data(try HostFile.readAll(path, atMost: 1 << 20)))
        } catch let error as DataError {
            throw error
        } catch {
            throw DataError.malformed(file: path, reason: "not the JSON a Synapse run writes")
        }
    }
}
