import Foundation

/// `--compare`: each case of this run beside the same case of a saved run, with the ratios.
///
/// `speedup` is baseline median time ÷ this median time (above 1 means faster now). Cases missing
/// from either side are listed, not guessed.
enum Comparison {
    /// Loads a report written by `--json`, with a readable error for files that are not one.
    static func load(_ path: String) throws -> BenchReport {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw BenchError.badBaseline("cannot read baseline '\(path)': \(error.localizedDescription)")
        }
        do {
            return try JSONDecoder().decode(BenchReport.self, from: data)
        } catch {
            throw BenchError.badBaseline("baseline '\(path)' is not a synapse-bench JSON report: \(error)")
        }
    }

    /// The comparison table as text.
    static func table(current: BenchReport, baseline: BenchReport, baselinePath: String) -> String {
        let b = baseline.environment, c = current.environment
        var lines = ["", "Compared with \(baselinePath): \(b.deviceSpec) (\(b.deviceName)), \(b.date), "
                     + "rev \(b.gitRevision ?? "?"), load \(load(b.loadAverageBefore))"]
        if b.deviceName != c.deviceName { lines.append("note: different devices — ratios compare machines, not code") }
        if b.buildConfiguration != c.buildConfiguration {
            lines.append("note: baseline is a \(b.buildConfiguration) build, this run \(c.buildConfiguration)")
        }
        let widths = [ResultTable(ids: current.results.map(\.id)).caseWidth - 4, 9, 9, 7, 12, 12]  // ≤ 100 columns
        func row(_ cells: [String]) -> String {
            Format.clip(zip(cells, widths).enumerated().map { Format.cell($1.0, $1.1, right: $0 > 0) }
                .joined(separator: "  "))
        }
        lines.append(row(["case", "now", "baseline", "speedup", "rate now", "rate before"]))
        lines.append(String(repeating: "─", count: widths.reduce(0, +) + 2 * (widths.count - 1)))
        let base = Dictionary(baseline.results.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var missing: [String] = []
        for r in current.results {
            guard let old = base[r.id] else { missing.append(r.id); continue }
            let speedup = r.medianSeconds > 0 ? old.medianSeconds / r.medianSeconds : 0
            lines.append(row([r.id, Format.seconds(r.medianSeconds), Format.seconds(old.medianSeconds),
                              Format.ratio(speedup), Format.rate(r.rate, unit: r.rateUnit),
                              Format.rate(old.rate, unit: old.rateUnit)]))
        }
        let currentIDs = Set(current.results.map(\.id))
        let onlyBaseline = baseline.results.map(\.id).filter { !currentIDs.contains($0) }
        if !missing.isEmpty { lines.append("not in the baseline: \(missing.joined(separator: ", "))") }
        if !onlyBaseline.isEmpty {
            lines.append(onlyBaseline.count <= 8 ? "only in the baseline: \(onlyBaseline.joined(separator: ", "))"
                                                 : "\(onlyBaseline.count) baseline cases were not run this time")
        }
        return lines.joined(separator: "\n")
    }

    /// `0.12 0.30 0.41`, or `?`.
    static func load(_ values: [Double]?) -> String {
        values.map { $0.map { String(format: "%.2f", $0) }.joined(separator: " ") } ?? "?"
    }
}
