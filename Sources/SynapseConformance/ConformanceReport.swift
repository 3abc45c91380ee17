import Foundation
import SynapseBackend

/// What `ConformanceRunner.run` found on one device: a row per primitive family (and per gradient
/// family), and every failed case with its details. Every number is measured in that run.
public struct ConformanceReport: Sendable, Codable {
    /// One line of the table: all cases of one family.
    public struct Row: Sendable, Codable {
        /// `unary.exp`, `conv2d`, `gradient.convolution`, `tensor-op.matmul`, …
        public var name: String
        public var check: ConformanceResult.Check
        public var cases: Int
        public var failedCases: Int
        public var maxAbsError: Double
        public var maxRelError: Double
        /// The loosest tolerance among the row's cases (each case is held to its own).
        public var tolerance: Tolerance
        public var passed: Bool
    }

    /// One failed case.
    public struct Failure: Sendable, Codable {
        public var row: String
        public var name: String
        public var problems: [String]
    }

    /// The checked device's spec (`opencl:0`) and name.
    public var device: String
    public var deviceName: String
    /// The reference device's spec (`cpu`).
    public var reference: String
    public var rows: [Row]
    public var failures: [Failure]
    /// Cases run.
    public var cases: Int
    /// True when at least one case ran and every case passed.
    public var passed: Bool
    /// Wall-clock time of the run.
    public var seconds: Double

    /// A report of `results`, rows in the order of `Primitive.allFamilyNames`, then gradient rows.
    public init(device: String, deviceName: String, reference: String, results: [ConformanceResult], seconds: Double) {
        self.device = device; self.deviceName = deviceName; self.reference = reference; self.seconds = seconds
        var order: [String] = Primitive.allFamilyNames
        for result in results where !order.contains(result.row) { order.append(result.row) }
        let byRow = Dictionary(grouping: results, by: \.row)
        rows = order.compactMap { name in
            guard let group = byRow[name], let first = group.first else { return nil }
            return Row(name: name, check: first.check, cases: group.count, failedCases: group.filter { !$0.passed }.count,
                       maxAbsError: group.map(\.maxAbsError).max() ?? 0, maxRelError: group.map(\.maxRelError).max() ?? 0,
                       tolerance: group.dropFirst().reduce(first.tolerance) { $0.union($1.tolerance) },
                       passed: group.allSatisfy(\.passed))
        }
        failures = results.filter { !$0.passed }.map { Failure(row: $0.row, name: $0.name, problems: $0.problems) }
        cases = results.count
        passed = !results.isEmpty && failures.isEmpty
    }

    /// The rows that failed, by name.
    public var failedRows: [String] { rows.filter { !$0.passed }.map(\.name) }

    /// The table `synapse check` prints: primitive, cases, max abs err, max rel err, tolerance, result.
    public var table: String {
        let header = ["primitive", "cases", "max abs err", "max rel err", "tolerance", "result"]
        let body = rows.map { row in
            [row.name, row.failedCases > 0 ? "\(row.failedCases)/\(row.cases) bad" : "\(row.cases)",
             Self.number(row.maxAbsError), Self.number(row.maxRelError), row.tolerance.description, row.passed ? "pass" : "FAIL"]
        }
        let widths = header.indices.map { column in ([header] + body).map { $0[column].count }.max() ?? 0 }
        return ([header] + body).map { cells in
            cells.enumerated().map { column, cell in
                let pad = String(repeating: " ", count: widths[column] - cell.count)
                return column == 1 ? pad + cell : cell + pad  // counts right-aligned
            }.joined(separator: "  ").trimmingSpaces
        }.joined(separator: "\n") + "\n"
    }

    /// One line per failed case (at most `limit`), with what went wrong.
    public func failureLines(limit: Int = 20) -> [String] {
        var lines = failures.prefix(limit).map { "\($0.name): \($0.problems.joined(separator: "; "))" }
        if failures.count > limit { lines.append("… and \(failures.count - limit) more failed cases") }
        return lines
    }

    /// What the rule behind the tolerance column is, for a line under the table.
    public static let toleranceRule = "an element passes when |result - reference| <= abs + rel * |reference|; "
        + "relative errors are large where the reference is near 0 and the abs term decides"

    /// `PASS: …` or `FAIL: …` naming the failed rows.
    public var verdict: String {
        let time = String(format: "%.1f s", seconds)
        if passed {
            let kinds: [(ConformanceResult.Check, String)] = [
                (.primitive, "primitives"), (.gradient, "gradient families"), (.tensorOp, "tensor-op families"),
            ]
            let summary = kinds.map { check, label in (rows.filter { $0.check == check }.count, label) }
                .filter { $0.0 > 0 }.map { "\($0.0) \($0.1)" }
            return "PASS: \(device) (\(deviceName)) matches \(reference) in all \(cases) cases: "
                + "\(summary.joined(separator: ", ")) (\(time))"
        }
        if cases == 0 { return "FAIL: no cases ran on \(device)" }
        return "FAIL: \(device) (\(deviceName)) fails \(failures.count) of \(cases) cases in \(failedRows.joined(separator: ", ")) (\(time))"
    }

    /// The report as one JSON document (non-finite errors as the strings `inf` and `nan`).
    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    static func number(_ value: Double) -> String {
        if value == 0 { return "0" }
        if !value.isFinite { return value.isNaN ? "nan" : "inf" }
        return String(format: "%.2e", value)
    }
}
