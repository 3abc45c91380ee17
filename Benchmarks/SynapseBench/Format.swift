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

    /// Pads `text` to `width` characters, right-aligned when `right` (longer text is left whole).
    static func cell(_ text: String, _ width: Int, right: Bool = false) -> String {
        let length = text.count
        if length >= width { return text }
        let pad = String(repeating: " ", count: width - length)
        return right ? pad + text : text + pad
    }

    /// `line` cut to `width` characters, the last one `…` when anything was cut.
    static func clip(_ line: String, to width: Int = ResultTable.maxWidth) -> String {
        line.count <= width ? line : String(line.prefix(width - 1)) + "…"
    }
}
