import Foundation
import Synapse

/// Human-readable numbers for the terminal.
enum Format {
    /// `1.5 GiB`, `256 MiB`, `12 KiB`, `100 B`.
    static func bytes(_ count: Int) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(count), unit = 0
        while value >= 1024 && unit < units.count - 1 { value /= 1024; unit += 1 }
        return unit == 0 ? "\(count) B" : String(format: value < 10 ? "%.2f" : "%.1f", value) + " " + units[unit]
    }

    /// `1:02:03`, `4:05`, `0:07`.
    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "?" }
        let total = Int(seconds.rounded())
        let (h, m, s) = (total / 3600, total / 60 % 60, total % 60)
        return h > 0 ? String(format: "%d:%02d:%02d", h, m, s) : String(format: "%d:%02d", m, s)
    }

    /// `12,345` style rates without a locale: `12.3k` above 10 000.
    static func rate(_ perSecond: Double) -> String {
        perSecond >= 10_000 ? String(format: "%.1fk", perSecond / 1000) : String(format: "%.0f", perSecond)
    }

    static func fixed(_ value: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", value) }
}

extension Format {
    /// `61,706`: thousands separated by commas, whatever the locale.
    static func grouped(_ value: Int) -> String { ModelSummary.grouped(value) }

    /// `text` broken into lines of at most `width` columns: at the double spaces between fields
    /// first, then between words, then anywhere; continuation lines are indented two spaces.
    static func wrap(_ text: String, width: Int) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            let indent = String(line.prefix { $0 == " " })
            return wrapLine(String(line.dropFirst(indent.count)), width: width - indent.count)
                .split(separator: "\n", omittingEmptySubsequences: false).map { indent + $0 }.joined(separator: "\n")
        }.joined(separator: "\n")
    }

    private static func wrapLine(_ text: String, width: Int) -> String {
        let width = Swift.max(width, 8)
        var lines: [String] = []
        var current = ""
        for field in text.components(separatedBy: "  ") where !field.isEmpty {
            if current.isEmpty || current.count + 2 + field.count <= width {
                current += (current.isEmpty ? "" : "  ") + field
                if current.count <= width { continue }
            } else if field.count + 2 <= width {
                lines.append(current)
                current = "  " + field
                continue
            } else {
                current += "  " + field
            }
            // Too long even alone: break between words, then anywhere.
            var rest = current
            current = ""
            while rest.count > width {
                let head = rest.prefix(width)
                let cut = head.lastIndex(of: " ").map { head.distance(from: head.startIndex, to: $0) } ?? width
                let at = cut > 2 ? cut : width
                lines.append(String(rest.prefix(at)))
                rest = "  " + rest.dropFirst(at).drop { $0 == " " }
            }
            current = rest
        }
        if !current.isEmpty { lines.append(current) }
        return lines.joined(separator: "\n")
    }
}
