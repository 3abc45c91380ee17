import Foundation

/// Number formatting for the tables: short, fixed-precision, human units.
enum Format {
    /// `812 µs`, `12.3 ms`, `1.42 s`.
    static func seconds(_ value: Double) -> String {
        if value < 1e-3 { return String(format: "%.0f µs", value * 1e6) }
        if value < 1 { return String(format: value < 0.1 ? "%.2f ms" : "%.1f ms", value * 1e3) }
        return String(format: "%.2f s", value)
    }

    /// `184.3 GFLOP/s`, `11.4k images/s`, `31.0 TFLOP/s`.
    static func rate(_ value: Double, unit: String) -> String {
        switch unit {
        case "GFLOP/s" where value >= 1000: return String(format: "%.1f TFLOP/s", value / 1000)
        case "GB/s" where value >= 1000: return String(format: "%.2f TB/s", value / 1000)
        case "images/s" where value >= 10_000: return String(format: "%.1fk img/s", value / 1000)
        case "images/s": return String(format: "%.0f img/s", value)
        default: return String(format: value >= 100 ? "%.0f %@" : "%.1f %@", value, unit)
        }
    }

    /// `1.5 GiB`, `312 MiB`, `48 KiB`.
    static func bytes(_ value: Int) -> String {
        let v = Double(value)
        let mebi = 1_048_576.0, gibi = 1_073_741_824.0
        if v >= gibi { return String(format: "%.1f GiB", v / gibi) }
        if v >= mebi { return String(format: "%.0f MiB", v / mebi) }
        return String(format: "%.0f KiB", v / 1024)
    }

    /// `1.23×`
    static func ratio(_ value: Double) -> String { String(format: "%.2f×", value) }

    /// Pads or truncates `text` to `width` characters, right-aligned when `right`.
    static func cell(_ text: String, _ width: Int, right: Bool = false) -> String {
        let length = text.count
        if length >= width { return text }
        let pad = String(repeating: " ", count: width - length)
        return right ? pad + text : text + pad
    }
}

/// Column layout of the results table: fixed widths so rows can print as cases finish.
struct ResultTable {
    static let columns: [(title: String, width: Int, right: Bool)] = [
        ("case", 42, false), ("shape", 48, false), ("median", 10, true), ("min", 10, true), ("max", 10, true),
        ("rate", 16, true), ("first run", 10, true), ("", 0, false),
    ]

    /// The header and a rule.
    static func header() -> String {
        let titles = row(columns.map(\.title))
        return titles + "\n" + String(repeating: "─", count: titles.count)
    }

    /// One result, with phases, memory and notes after the fixed columns.
    static func line(_ r: CaseResult) -> String {
        var extra: [String] = []
        if let phases = r.phases {
            extra.append(phases.map { "\($0.name) \(Format.seconds($0.medianSeconds))" }.joined(separator: " / "))
        }
        if r.suite == "train" { extra.append("peak \(Format.bytes(r.peakMemoryBytes))") }
        if let commands = r.facts?["commands/step"] {
            extra.append(String(format: "%.0f commands/step (%.0f kernels, %.0f GEMM calls), %.0f µs host enqueue/step", commands,
                                r.facts?["kernels/step"] ?? 0, r.facts?["library calls/step"] ?? 0,
                                r.facts?["host µs/step"] ?? 0))
        }
        if let gflop = r.facts?["GFLOP/step"], r.medianSeconds > 0 {
            extra.append(String(format: "%.1f GFLOP/s", gflop / r.medianSeconds))
        }
        if let nominal = r.facts?["nominalGBps"], nominal > 0 {
            extra.append(String(format: "%.0f%% of nominal %.0f GB/s", 100 * r.rate / nominal, nominal))
        }
        let builds = r.kernelBuildsFirstRun ?? 0, loads = r.kernelCacheLoadsFirstRun ?? 0
        if builds + loads > 0 { extra.append("first run: \(builds) programs built, \(loads) from cache") }
        if r.driverAllocationsTimed > 0 { extra.append("\(r.driverAllocationsTimed) pool misses while timed") }
        if r.iterations < 3 { extra.append("\(r.iterations) runs") }
        return row([r.id, r.shape, Format.seconds(r.medianSeconds), Format.seconds(r.minSeconds),
                    Format.seconds(r.maxSeconds), Format.rate(r.rate, unit: r.rateUnit),
                    Format.seconds(r.firstRunSeconds), extra.joined(separator: "; ")])
    }

    private static func row(_ cells: [String]) -> String {
        zip(cells, columns).map { Format.cell($0, $1.width, right: $1.right) }.joined(separator: "  ")
            .trimmingCharacters(in: .whitespaces)
    }
}
