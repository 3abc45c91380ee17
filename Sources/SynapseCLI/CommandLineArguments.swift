/// What `synapse` does to its arguments before the parser sees them, and the hints it gives when
/// the parser refuses them.
enum CommandLineArguments {
    /// Joins an option and a negative number after it (`--lr -1` → `--lr=-1`), so the value reaches
    /// the option's own check ("--lr must be positive") instead of being taken for an option and
    /// reported as a missing value. Arguments after `--` are left alone.
    static func attachingNegativeNumbers(_ arguments: [String]) -> [String] {
        var result: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if argument == "--" { return result + arguments[index...] }
            if argument.hasPrefix("--"), !argument.contains("="), index + 1 < arguments.count,
               isNegativeNumber(arguments[index + 1]) {
                result.append(argument + "=" + arguments[index + 1])
                index += 2
            } else {
                result.append(argument)
                index += 1
            }
        }
        return result
    }

    /// `-1`, `-0.5`, `-.5`, `-1e-3`: a minus sign followed by a number.
    static func isNegativeNumber(_ text: String) -> Bool {
        text.hasPrefix("-") && text.count > 1 && Double(text) != nil
    }

    /// The error for a first argument that names no command (`synapse trian`), with the closest
    /// command name when one is near enough to be a typo; nil when `arguments` starts with a command
    /// or an option.
    static func unknownCommand(in arguments: [String], commands: [String]) -> String? {
        guard let first = arguments.first, !first.hasPrefix("-"), !commands.contains(first) else { return nil }
        let list = commands.map { "'\($0)'" }.joined(separator: ", ")
        if let close = closestCommand(to: first, among: commands) {
            return "unknown command '\(first)'; did you mean '\(close)'? (commands: \(list))"
        }
        return "unknown command '\(first)' (commands: \(list))"
    }

    /// The command `word` most likely mistypes: the nearest by edit distance (a swap of two
    /// neighbouring letters counts as one edit) when at most a third of its letters differ, or the
    /// only command it begins.
    static func closestCommand(to word: String, among commands: [String]) -> String? {
        let lowered = word.lowercased()
        let prefixed = commands.filter { $0.hasPrefix(lowered) }
        if prefixed.count == 1 { return prefixed[0] }
        let scored = commands.map { (command: $0, distance: editDistance(lowered, $0)) }
        guard let best = scored.min(by: { $0.distance < $1.distance }) else { return nil }
        return best.distance <= Swift.max(1, best.command.count / 3) ? best.command : nil
    }

    /// Optimal string alignment distance: insertions, deletions, substitutions and swaps of
    /// neighbouring characters, each costing one.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty || b.isEmpty { return a.count + b.count }
        var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { d[i][0] = i }
        for j in 0...b.count { d[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                d[i][j] = Swift.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    d[i][j] = Swift.min(d[i][j], d[i - 2][j - 2] + 1)
                }
            }
        }
        return d[a.count][b.count]
    }
}
