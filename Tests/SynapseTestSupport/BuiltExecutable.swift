import Foundation

/// Finds an executable of this package that `swift build` (and so `swift test`) built.
public enum BuiltExecutable {
    /// The path of the product `name`: `$override` when that environment variable is set, else next to
    /// the test bundle (`.build/<triple>/<config>/`, where `swift build` puts it), else under
    /// `.build/debug` or `.build/release` of the package root; nil when none is executable.
    public static func path(_ name: String, override: String, packageRoot: URL) -> String? {
        if let path = ProcessInfo.processInfo.environment[override] { return path }
        var candidates: [URL] = []
        var bundle = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        for _ in 0..<4 {
            bundle.deleteLastPathComponent()
            candidates.append(bundle.appendingPathComponent(name))
        }
        candidates += [".build/debug", ".build/release"].map { packageRoot.appendingPathComponent($0).appendingPathComponent(name) }
        return candidates.map(\.path).first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// The first executable `name` on the `PATH` (`mpirun`), or nil.
    public static func onPath(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
