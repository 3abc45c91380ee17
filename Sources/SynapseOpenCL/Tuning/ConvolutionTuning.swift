import Foundation
import SynapseBackend
import SynapseIO

/// Which algorithm each convolution problem runs with on one device: a tuned result from the
/// on-disk tuning file, else (with `tunesOnFirstUse`) one tuned now, else the device class's
/// untuned default. Thread-safe.
///
/// The file lives beside the compiled-program cache (`SYNAPSE_CACHE_DIR`, default
/// `~/.cache/synapse/kernels`) and is named after the device and driver it was measured on; one
/// that is damaged or was written for another device is ignored with a warning on standard error.
public final class ConvolutionTuning: @unchecked Sendable {
    /// Where results are read from and saved to (nil: kept in memory only).
    public let fileURL: URL?
    let deviceName: String, driver: String, deviceKind: DeviceKind
    private let lock = NSLock()
    private var file: ConvolutionTuningFile?
    private var chosen: [ConvolutionProblem: ConvolutionAlgorithm] = [:]
    private var onFirstUse = false
    /// Problems met while `collectingProblems` runs, in order, each once.
    private var collected: [ConvolutionProblem]?
    private var warned = false

    /// Results for a device of `deviceKind` named `deviceName` with `driver`, kept in `directory`
    /// (nil: in memory only). Devices make their own; tests make others in scratch directories.
    package init(deviceName: String, driver: String, deviceKind: DeviceKind, directory: URL?) {
        self.deviceName = deviceName
        self.driver = driver
        self.deviceKind = deviceKind
        fileURL = directory.map { Self.fileURL(in: $0, deviceName: deviceName, driver: driver) }
    }

    /// `convolution-tuning-<device>-<digest of name and driver>.json` in `directory`.
    static func fileURL(in directory: URL, deviceName: String, driver: String) -> URL {
        let digest = String(ProgramCacheEntry.digest(Array("\(deviceName)\u{0}\(driver)".utf8)), radix: 16)
        let readable = String(deviceName.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" }.prefix(40))
        return directory.appendingPathComponent("convolution-tuning-\(readable)-\(digest).json")
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

    /// The tuning result of `problem`, if there is one.
    public func result(for problem: ConvolutionProblem) -> ConvolutionTuningFile.Entry? {
        lock.lock(); defer { lock.unlock() }
        return loadedFile().entries[problem.key]
    }

    /// The algorithm `problem` runs with now, and whether it still needs tuning (`tunesOnFirstUse`
    /// set and no result yet).
    package func algorithm(for problem: ConvolutionProblem) -> (algorithm: ConvolutionAlgorithm, needsTuning: Bool) {
        lock.lock(); defer { lock.unlock() }
        if collected != nil, !collected!.contains(problem) { collected!.append(problem) }
        if let algorithm = chosen[problem] { return (algorithm, false) }
        if let entry = loadedFile().entries[problem.key], Self.isUsable(entry.algorithm, for: problem) {
            chosen[problem] = entry.algorithm
            return (entry.algorithm, false)
        }
        // Not remembered: switching `tunesOnFirstUse` on later still tunes it.
        return (ConvolutionCandidates.untuned(for: problem, deviceKind: deviceKind), onFirstUse)
    }

    /// Runs `body` and returns the convolution problems it met, in order, each once (what
    /// `synapse tune` tunes: the passes of one training step).
    public func collectingProblems(_ body: () throws -> Void) rethrows -> [ConvolutionProblem] {
        lock.lock(); collected = []; lock.unlock()
        defer { lock.lock(); collected = nil; lock.unlock() }
        try body()
        lock.lock(); defer { lock.unlock() }
        return collected ?? []
    }

    /// Records a tuning result and saves the file (write errors only warn: tuning is an optimisation).
    func record(_ entry: ConvolutionTuningFile.Entry, for problem: ConvolutionProblem) {
        lock.lock(); defer { lock.unlock() }
        var updated = loadedFile()
        updated.entries[problem.key] = entry
        file = updated
        chosen[problem] = entry.algorithm
        guard let fileURL else { return }
        do {
            try FileManager.default.createDirectory(at: fileURL.deletingLastPathComponent(), withIntermediateDirectories: true)
            try HostFile.writeAtomically(Array(updated.encoded()), to: fileURL.path)
        } catch {
            warn("cannot save convolution tuning to \(fileURL.path): \(error)")
        }
    }

    /// Forgets every choice made so far (tests; after the file changed on disk).
    func reload() {
        lock.lock(); defer { lock.unlock() }
        file = nil
        chosen = [:]
    }

    /// A recorded algorithm that this build can run for `problem` (a hand-edited file may name
    /// a direct blocking for a pass that has none, or one past the kernel's limits).
    private static func isUsable(_ algorithm: ConvolutionAlgorithm, for problem: ConvolutionProblem) -> Bool {
        guard case let .direct(blocking) = algorithm else { return true }
        return problem.directIsSupported && ConvolutionCandidates.fits(blocking, problem)
    }

    /// The file's contents, read once; an unusable file reads as empty, with one warning.
    private func loadedFile() -> ConvolutionTuningFile {
        if let file { return file }
        let empty = ConvolutionTuningFile(device: deviceName, driver: driver)
        guard let fileURL, FileManager.default.fileExists(atPath: fileURL.path) else {
            file = empty
            return empty
        }
        do {
            let data = Data(try HostFile.readAll(fileURL.path, atMost: ConvolutionTuningFile.maxBytes, what: "convolution tuning file"))
            let parsed = try ConvolutionTuningFile.parse(data)
            guard parsed.device == deviceName, parsed.driver == driver else {
                warn("ignoring convolution tuning file \(fileURL.path): it was measured on \(parsed.device) (driver \(parsed.driver)), not \(deviceName) (driver \(driver))")
                file = empty
                return empty
            }
            file = parsed
            return parsed
        } catch {
            warn("ignoring convolution tuning file \(fileURL.path): \(error)")
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
