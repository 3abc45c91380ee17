import Foundation
import SynapseBackend
import SynapseIO
import SynapseJSON

// Reading CLBlast tuner output files (`clblast_*.json`). Kept apart from the OpenCL side of
// `CLBlastTuning` so the parser builds on its own (the fuzz target in Fuzz/tuning compiles it).

extension CLBlastTuning {
    /// One file written by a CLBlast tuner: the kernel it tuned and its best parameters.
    public struct TunerResult: Equatable, Sendable {
        public var kernel: String
        public var parameters: [String: Int]
        public var precision: Int
        /// The device the file was tuned on.
        public var device: String
        /// Time of the best configuration, in ms (lower is better).
        public var bestTime: Double
    }

    /// The largest tuner file read (real ones are a few hundred KiB at most).
    public static let maxTunerFileBytes = 64 << 20

    /// The largest parameter value accepted: CLBlast's are work-group sizes, vector widths and
    /// flags, all far smaller; a larger one can only be damage.
    public static let maxParameterValue = 1 << 16

    /// Parses a tuner's JSON output (with the strict parser safetensors headers use). `kernel_family` names the kernel (`xgemm_1` → `Xgemm`,
    /// `xgemm_direct_1` → `XgemmDirect`); `best_parameters` holds `NAME=value` pairs, of which
    /// `PRECISION` is dropped (it is not a kernel parameter). Names must be upper-case C
    /// identifiers (CLBlast's spelling), each given once, with values in `0...maxParameterValue`.
    public static func parseTunerOutput(_ data: Data, file: String) throws -> TunerResult {
        func bad(_ why: String) -> DeviceError { .unsupported("CLBlast tuner file \(file): \(why)") }
        let document: JSONValue
        do { document = try JSONValue.parse(ArraySlice(data)) } catch {
            throw bad("not JSON: \(error.message) at byte \(error.offset)")
        }
        guard case let .object(members) = document else { throw bad("not a JSON object") }
        let object = Dictionary(members, uniquingKeysWith: { first, _ in first })  // keys are unique
        func text(_ key: String) -> String? {
            if case let .string(value)? = object[key] { return value }
            return nil
        }
        func field(_ key: String) throws -> String {
            guard let value = text(key), !value.isEmpty else { throw bad("missing \"\(key)\"") }
            return value
        }
        let family = try field("kernel_family")
        let kernel = kernelName(family: family)
        guard !kernel.isEmpty else { throw bad("\"kernel_family\" \"\(family)\" names no kernel") }
        guard let precision = Int(try field("precision")) else { throw bad("\"precision\" is not a number") }
        var parameters: [String: Int] = [:]
        for pair in try field("best_parameters").split(separator: " ") {
            let parts = pair.split(separator: "=", omittingEmptySubsequences: false)
            guard parts.count == 2, isParameterName(parts[0]), let value = Int(parts[1]) else {
                throw bad("cannot read parameter \"\(pair)\" (expected NAME=value)")
            }
            guard (0...maxParameterValue).contains(value) else {
                throw bad("parameter \(parts[0])=\(value) is outside 0...\(maxParameterValue)")
            }
            guard parts[0] != "PRECISION" else { continue }
            guard parameters.updateValue(value, forKey: String(parts[0])) == nil else {
                throw bad("parameter \(parts[0]) is given more than once")
            }
        }
        guard !parameters.isEmpty else { throw bad("\"best_parameters\" is empty") }
        return TunerResult(kernel: kernel, parameters: parameters, precision: precision,
                           device: text("device") ?? "", bestTime: Double(text("best_time") ?? "") ?? .infinity)
    }

    /// Whether `name` is spelled like a CLBlast parameter: `A-Z`, digits and `_`, not starting with a digit.
    private static func isParameterName(_ name: Substring) -> Bool {
        guard let first = name.utf8.first, !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else { return false }
        return name.utf8.allSatisfy {
            (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0)
                || $0 == UInt8(ascii: "_")
        }
    }

    /// The CLBlast kernel a tuner family tunes: the variant number dropped, snake case to camel case.
    static func kernelName(family: String) -> String {
        var parts = family.split(separator: "_").map(String.init)
        if let last = parts.last, Int(last) != nil, parts.count > 1 { parts.removeLast() }
        return parts.map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }

    /// The bytes of a tuner file: it must be a regular file (a FIFO would block the read forever)
    /// of at most `maxTunerFileBytes`.
    static func readTunerFile(_ file: URL) throws -> Data {
        do {
            return Data(try HostFile.readAll(file.path, atMost: maxTunerFileBytes, what: "tuner file"))
        } catch let error as DataError {
            throw DeviceError.unsupported("CLBlast tuner file: \(error.description)")
        }
    }
}
