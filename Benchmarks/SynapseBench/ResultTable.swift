/// The results table: fixed columns, so rows print as cases finish, and at most `maxWidth`
/// characters a line. Each case gets one row (case, median, spread, rate, first run) and, when
/// there is more to say (phases, peak memory, commands per step, program builds), an indented
/// second line. Everything else (shape, min and max, every fact) is in the `--json` report.
struct ResultTable {
    /// The widest line the table prints.
    static let maxWidth = 100

    /// Width of the case column: the longest id of the run, within bounds.
    let caseWidth: Int

    init(ids: [String]) {
        caseWidth = Swift.min(Swift.max(ids.map(\.count).max() ?? 0, 20), 44)
    }

    private var columns: [(title: String, width: Int, right: Bool)] {
        [("case", caseWidth, false), ("median", 9, true), ("spread", 7, true), ("rate", 14, true), ("first run", 9, true)]
    }

    /// The header and a rule.
    func header() -> String {
        let titles = row(columns.map(\.title))
        return titles + "\n" + String(repeating: "─", count: titles.count)
    }

    /// A case that did not run, and why.
    func note(_ id: String, _ text: String) -> String {
        Format.clip(Format.cell(id, caseWidth) + "  " + text)
    }

    /// One result: its row, then its details on an indented line.
    func lines(_ r: CaseResult) -> String {
        let spread = r.medianSeconds > 0 ? String(format: "±%.0f%%", 50 * (r.maxSeconds - r.minSeconds) / r.medianSeconds) : "–"
        let main = row([r.id, Format.seconds(r.medianSeconds), spread, Format.rate(r.rate, unit: r.rateUnit),
                        Format.seconds(r.firstRunSeconds)])
        let details = Self.details(r)
        return details.isEmpty ? main : main + "\n" + Format.clip("    " + details.joined(separator: "; "))
    }

    /// Phases, memory and notes, most useful first.
    static func details(_ r: CaseResult) -> [String] {
        var extra: [String] = []
        if let phases = r.phases {
            extra.append(phases.map { "\($0.name) \(Format.seconds($0.medianSeconds))" }.joined(separator: " / "))
        }
        if r.suite == "train" { extra.append("peak \(Format.bytes(r.peakMemoryBytes))") }
        if let gflop = r.facts?["GFLOP/step"], r.medianSeconds > 0 {
            extra.append(String(format: "%.1f GFLOP/s", gflop / r.medianSeconds))
        }
        if let nominal = r.facts?["nominalGBps"], nominal > 0 {
            extra.append(String(format: "%.0f%% of nominal %.0f GB/s", 100 * r.rate / nominal, nominal))
        }
        if let commands = r.facts?["commands/step"] {
            extra.append(String(format: "%.0f commands/step, %.0f µs enqueue", commands, r.facts?["host µs/step"] ?? 0))
        }
        let builds = r.kernelBuildsFirstRun ?? 0, loads = r.kernelCacheLoadsFirstRun ?? 0
        if builds + loads > 0 { extra.append("first run: \(builds) programs built, \(loads) cached") }
        if r.driverAllocationsTimed > 0 { extra.append("\(r.driverAllocationsTimed) pool misses timed") }
        if r.iterations < 3 { extra.append("\(r.iterations) runs") }
        return extra
    }

    private func row(_ cells: [String]) -> String {
        Format.clip(zip(cells, columns).map { Format.cell($0, $1.width, right: $1.right) }.joined(separator: "  ")
            .trimmingCharacters(in: .whitespaces))
    }
}
