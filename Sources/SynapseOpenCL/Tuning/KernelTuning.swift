import Foundation
import SynapseBackend
import SynapseIO

/// Which algorithm each convolution pass and matrix product runs with on one device: a tuned
/// result from the on-disk tuning file, else (with `tunesOnFirstUse`) one tuned now, else the
/// device class's untuned default. Thread-safe.
///
/// The file lives beside the compiled-program cache (`SYNAPSE_CACHE_DIR`, default
/// `~/.cache/synapse/kernels`) and is named after the device and driver it was measured on; one
/// that is damaged or was written for another device is ignored with a warning on standard error.
public final class KernelTuning: @unchecked Sendable {
    /// Where results are read from and saved to (nil: kept in memory only).
    public let fileURL: URL?
    let deviceName: String, driver: String, deviceKind: DeviceKind
    private let lock = NSLock()
    private var file: TuningFile?
    /// Tuned choices already looked up, by problem key.
    private var chosen: [String: TunedAlgorithm] = [:]
    private var onFirstUse = false
    /// Problems met while `collectingProblems` runs, in order, each once.
    private var collected: [TunableProblem]?
    private var warned = false

    /// Results for a device of `deviceKind` named `deviceName` with `driver`, kept in `directory`
    /// (nil: in memory only). Devices make their own; tests make others in scratch directories.
    package init(deviceName: String, driver: String, deviceKind: DeviceKind, directory: URL?) {
        self.deviceName = deviceName
        self.driver = driver
        self.deviceKind = deviceKind
        fileURL = directory.map { Self.fileURL(in: $0, deviceName: deviceName, driver: driver) }
    }

    /// `kernel-tuning-<device>-<digest of name and driver>.json` in `directory`.
    static func fileURL(in directory: URL, deviceName: String, driver: String) -> URL {
        let digest = String(ProgramCacheEntry.digest(Array("\(deviceName)\u{0}\(driver)".utf8)), radix: 16)
        let readable = String(deviceName.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" }.prefix(40))
        return directory.appendingPathComponent("kernel-tuning-\(readable)-\(digest).json")
    }

    /// Whether problems without a tuning result are tuned when first met (`synapse train --tune`).
    public var tunesOnFirstUse: Bool {
        get { lock.lock(); defer { lock.unlock() }; return onFirstUse }
        set { lock.lock(); onFirstUse = newValue; lock.unlock() }
    }

    /// How many problems have a tuning result for this device and driver.
    public var tunedProblemCount: Int {
        lock.lock(); defer { lock.unlock() }
        return loadedFile().entries.count
    }

    /// The tuning result of the problem with `key`, if there is one.
    public func result(forKey key: String) -> TuningFile.Entry? {
        lock.lock(); defer { lock.unlock() }
        return loadedFile().entries[key]
    }

    /// The algorithm `problem` runs with now, and whether it still needs tuning (`tunesOnFirstUse`
    /// set and no result yet).
    package func algorithm(for problem: ConvolutionProblem) -> (algorithm: ConvolutionAlgorithm, needsTuning: Bool) {
        let (tuned, needsTuning) = lookUp(.convolution(problem)) { tuned in
            guard case let .convolution(algorithm) = tuned else { return false }
            return ConvolutionCandidates.canRun(algorithm, problem)
        }
        if case let .convolution(algorithm)? = tuned { return (algorithm, false) }
        return (ConvolutionCandidates.untuned(for: problem, deviceKind: deviceKind), needsTuning)
    }

    /// The algorithm `problem` runs with now, and whether it still needs tuning.
    package func algorithm(for problem: MatMulProblem) -> (algorithm: MatMulAlgorithm, needsTuning: Bool) {
        let (tuned, needsTuning) = lookUp(.matmul(problem)) { tuned in
            guard case let .matmul(algorithm) = tuned else { return false }
            guard case let .own(blocking) = algorithm else { return true }
            return GemmCandidates.fits(blocking)
        }
        if case let .matmul(algorithm)? = tuned { return (algorithm, false) }
        return (GemmCandidates.untuned(for: problem, deviceKind: deviceKind), needsTuning)
    }

    /// The usable tuned result of `problem` (a hand-edited file may name a kind or blocking this
    /// build cannot run there), else nil and whether it should be tuned now. Untuned lookups are
    /// not remembered, so switching `tunesOnFirstUse` on later still tunes them.
    private func lookUp(_ problem: TunableProblem, usable: (TunedAlgorithm) -> Bool) -> (TunedAlgorithm?, Bool) {
        lock.lock(); defer { lock.unlock() }
        if collected != nil, !collected!.contains(problem) { collected!.append(problem) }
        if let algorithm = chosen[problem.key] { return (algorithm, false) }
        if let entry = loadedFile().entries[problem.key], usable(entry.algorithm) {
            chosen[problem.key] = entry.algorithm
            return (entry.algorithm, false)
        }
        return (nil, onFirstUse)
    }

    /// Runs `body` and returns the problems it met, in order, each once (what `synapse tune`
    /// tunes: the convolution passes and products of one training step).
    public func collectingProblems(_ body: () throws -> Void) rethrows -> [TunableProblem] {
        lock.lock(); collected = []; lock.unlock()
        defer { lock.lock(); collected = nil; lock.unlock() }
        try body()
        lock.lock(); defer { lock.unlock() }
        return collected ?? []
    }

    /// Records a tuning result and saves the file (write errors only warn: tuning is an optimisation).
    func record(_ entry: TuningFile.Entry, for problem: TunableProblem) {
        lock.lock(); defer { lock.unlock() }
        var updated = loadedFile()
        updated.entries[problem.key] = entry
        file = updated
        chosen[problem.key] = entry.algorithm
        guard let fileURL else { return }
        do {
            try FileManager.default.createDirectory(at: fileURL.deletingLastPathComponent(), withIntermediateDirectories: true)
            try HostFile.writeAtomically(Array(updated.encoded()), to: fileURL.path)
        } catch {
            warn("cannot save kernel tuning to \(fileURL.path): \(error)")
        }
    }

    /// Forgets every choice made so far (tests; after the file changed on disk).
    func reload() {
        lock.lock(); defer { lock.unlock() }
        file = nil
        chosen = [:]
    }

    /// The file's contents, read once; an unusable file reads as empty, with one warning.
    private func loadedFile() -> TuningFile {
        if let file { return file }
        let empty = TuningFile(device: deviceName, driver: driver)
        guard let fileURL, FileManager.default.fileExists(atPath: fileURL.path) else {
            file = empty
            return empty
        }
        do {
            let data = Data(try HostFile.readAll(fileURL.path, atMost: TuningFile.maxBytes, what: "kernel tuning file"))
            let parsed = try TuningFile.parse(data)
            guard parsed.device == deviceName, parsed.driver == driver else {
                warn("ignoring kernel tuning file \(fileURL.path): it was measured on \(parsed.device) (driver \(parsed.driver)), not \(deviceName) (driver \(driver))")
                file = empty
                return empty
            }
            file = parsed
            return parsed
        } catch {
            warn("ignoring kernel tuning file \(fileURL.path): \(error)")
            file = empty
            return empty
        }
    }

    private func warn(_ message: String) {
        guard !warned else { return }
        warned = true
        FileHandle.standardError.write(Data("synapse: warning: \(message)\n".utf8))
    }
}
