import Foundation
import SynapseJSON

/// The on-disk record of tuned kernels for one device and driver, convolution passes and matrix
/// products alike: JSON of the form
///
///     {"format": "synapse-kernel-tuning", "version": 1, "device": "…", "driver": "…",
///      "entries": {"forward n256 c1 28x28 oc6 k5x5 s1x1 p2x2 d1x1 g1":
///                  {"algorithm": "direct", "outputsPerItem": 3, "columnsPerItem": 10, "groupSize": 32,
///                   "slices": 1, "milliseconds": 6.1, "defaultMilliseconds": 7.2, "libraryMilliseconds": 48.0},
///                  "matmul NT b1 256x120x400":
///                  {"algorithm": "gemm", "rowsPerItem": 4, "columnsPerItem": 8, "groupSize": 16, …}}}
///
/// Algorithms: `im2col` and `direct` for convolutions, `clblast` and `gemm` for products.
///
/// Parsed strictly (the fuzzed JSON parser of safetensors headers), so a damaged file is refused
/// as a whole with the reason, and its owner ignores it with a warning.
public struct TuningFile: Sendable, Equatable {
    /// The winner of one problem and what it was measured against.
    public struct Entry: Sendable, Equatable {
        public var algorithm: TunedAlgorithm
        /// Median time of the winner, of the untuned default, and of the CLBlast-based algorithm
        /// (im2col + CLBlast, or CLBlast's SGEMM; nil when not measured), in milliseconds.
        public var milliseconds: Double
        public var defaultMilliseconds: Double?
        public var libraryMilliseconds: Double?

        public init(algorithm: TunedAlgorithm, milliseconds: Double, defaultMilliseconds: Double? = nil,
                    libraryMilliseconds: Double? = nil) {
            self.algorithm = algorithm
            self.milliseconds = milliseconds
            self.defaultMilliseconds = defaultMilliseconds
            self.libraryMilliseconds = libraryMilliseconds
        }
    }

    public static let format = "synapse-kernel-tuning"
    public static let version = 1
    /// The largest file read; a real one holds a few hundred entries of ~250 bytes.
    public static let maxBytes = 16 << 20
    /// Bounds of every blocking value (work per item, group size, slices).
    public static let blockingRange = 1...4096

    public var device: String
    public var driver: String
    /// Entries by `ConvolutionProblem.key`.
    public var entries: [String: Entry]

    public init(device: String, driver: String, entries: [String: Entry] = [:]) {
        self.device = device
        self.driver = driver
        self.entries = entries
    }

    /// Why a file cannot be used.
    public struct ParseError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Parses a tuning file.
    public static func parse(_ data: Data) throws -> TuningFile {
        func bad(_ why: String) -> ParseError { ParseError(description: why) }
        guard data.count <= maxBytes else { throw bad("larger than \(maxBytes) bytes") }
        let document: JSONValue
        do { document = try JSONValue.parse(ArraySlice(data)) } catch {
            throw bad("not JSON: \(error.message) at byte \(error.offset)")
        }
        guard case let .object(members) = document else { throw bad("not a JSON object") }
        let object = Dictionary(members, uniquingKeysWith: { first, _ in first })
        guard case let .string(format)? = object["format"], format == Self.format else {
            throw bad("not a Synapse convolution tuning file (\"format\" is not \"\(Self.format)\")")
        }
        guard object["version"]?.integer == Self.version else {
            throw bad("version \(object["version"]?.summary ?? "missing"), this build reads version \(Self.version)")
        }
        guard case let .string(device)? = object["device"], case let .string(driver)? = object["driver"] else {
            throw bad("\"device\" and \"driver\" must be strings")
        }
        guard case let .object(entryList)? = object["entries"] else { throw bad("\"entries\" must be an object") }
        var entries: [String: Entry] = [:]
        for (key, value) in entryList {
            do { entries[key] = try entry(value) } catch let error as ParseError {
                throw bad("entry \"\(key)\": \(error.description)")
            }
        }
        return TuningFile(device: device, driver: driver, entries: entries)
    }

    private static func entry(_ value: JSONValue) throws -> Entry {
        func bad(_ why: String) -> ParseError { ParseError(description: why) }
        guard case let .object(members) = value else { throw bad("not an object") }
        let object = Dictionary(members, uniquingKeysWith: { first, _ in first })
        func integer(_ key: String) throws -> Int {
            guard let number = object[key]?.integer, blockingRange.contains(number) else {
                throw bad("\"\(key)\" must be an integer in \(blockingRange), got \(object[key]?.summary ?? "nothing")")
            }
            return number
        }
        func time(_ key: String, required: Bool) throws -> Double? {
            guard let value = object[key] else {
                if required { throw bad("\"\(key)\" is missing") }
                return nil
            }
            guard case let .number(text) = value, let number = Double(text), number.isFinite, number >= 0 else {
                throw bad("\"\(key)\" must be a non-negative number of milliseconds, got \(value.summary)")
            }
            return number
        }
        let algorithm: TunedAlgorithm
        switch object["algorithm"] {
        case .string("im2col")?:
            algorithm = .convolution(.im2colGEMM)
        case .string("direct")?:
            algorithm = .convolution(.direct(DirectConvolutionBlocking(
                outputsPerItem: try integer("outputsPerItem"), columnsPerItem: try integer("columnsPerItem"),
                groupSize: try integer("groupSize"), slices: try integer("slices"))))
        case .string("clblast")?:
            algorithm = .matmul(.clblast)
        case .string("gemm")?:
            algorithm = .matmul(.own(GemmBlocking(rowsPerItem: try integer("rowsPerItem"),
                                                  columnsPerItem: try integer("columnsPerItem"),
                                                  groupSize: try integer("groupSize"))))
        default:
            throw bad("\"algorithm\" must be \"im2col\", \"direct\", \"clblast\" or \"gemm\", got \(object["algorithm"]?.summary ?? "nothing")")
        }
        return Entry(algorithm: algorithm, milliseconds: try time("milliseconds", required: true)!,
                     defaultMilliseconds: try time("defaultMilliseconds", required: false),
                     libraryMilliseconds: try time("libraryMilliseconds", required: false))
    }

    /// The file's JSON text, entries sorted by key.
    public func encoded() -> Data {
        func quoted(_ text: String) -> String {
            var out = "\""
            for scalar in text.unicodeScalars {
                switch scalar {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
                default: out.unicodeScalars.append(scalar)
                }
            }
            return out + "\""
        }
        func number(_ value: Double) -> String { String(format: "%.4f", value) }
        var lines: [String] = []
        for key in entries.keys.sorted() {
            let entry = entries[key]!
            var fields: [String]
            switch entry.algorithm {
            case .convolution(.im2colGEMM):
                fields = ["\"algorithm\": \"im2col\""]
            case .matmul(.clblast):
                fields = ["\"algorithm\": \"clblast\""]
            case let .matmul(.own(b)):
                fields = ["\"algorithm\": \"gemm\"", "\"rowsPerItem\": \(b.rowsPerItem)",
                          "\"columnsPerItem\": \(b.columnsPerItem)", "\"groupSize\": \(b.groupSize)"]
            case let .convolution(.direct(b)):
                fields = ["\"algorithm\": \"direct\"", "\"outputsPerItem\": \(b.outputsPerItem)",
                          "\"columnsPerItem\": \(b.columnsPerItem)", "\"groupSize\": \(b.groupSize)", "\"slices\": \(b.slices)"]
            }
            fields.append("\"milliseconds\": \(number(entry.milliseconds))")
            if let value = entry.defaultMilliseconds { fields.append("\"defaultMilliseconds\": \(number(value))") }
            if let value = entry.libraryMilliseconds { fields.append("\"libraryMilliseconds\": \(number(value))") }
            lines.append("    \(quoted(key)): {" + fields.joined(separator: ", ") + "}")
        }
        let text = "{\"format\": \(quoted(Self.format)), \"version\": \(Self.version), \"device\": \(quoted(device)), "
            + "\"driver\": \(quoted(driver)),\n \"entries\": {\n" + lines.joined(separator: ",\n") + "\n}}\n"
        return Data(text.utf8)
    }
}
