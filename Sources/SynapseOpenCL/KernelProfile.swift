import Foundation

/// Synchronous per-kernel profile (developer aid): with `SYNAPSE_OPENCL_PROFILE=1` every enqueue
/// waits for the device and its wall time is added under the kernel's name; the table is printed
/// to standard error at exit.
final class KernelProfile: @unchecked Sendable {
    static let shared: KernelProfile? = ProcessInfo.processInfo.environment["SYNAPSE_OPENCL_PROFILE"] == "1" ? KernelProfile() : nil
    private let lock = NSLock()
    private var totals: [String: (count: Int, nanoseconds: UInt64)] = [:]

    private init() {
        atexit { KernelProfile.shared?.printTable() }
    }

    func add(_ name: String, _ nanoseconds: UInt64) {
        lock.lock(); defer { lock.unlock() }
        let old = totals[name] ?? (0, 0)
        totals[name] = (old.count + 1, old.nanoseconds + nanoseconds)
    }

    func printTable() {
        lock.lock(); defer { lock.unlock() }
        let all = totals.values.reduce(0) { $0 + $1.nanoseconds }
        var text = "kernel profile (synchronous):\n"
        for (name, entry) in totals.sorted(by: { $0.value.nanoseconds > $1.value.nanoseconds }) {
            text += String(format: "%10.1f ms %6.1f%% %8d  %@\n", Double(entry.nanoseconds) / 1e6,
                           100 * Double(entry.nanoseconds) / Double(max(all, 1)), entry.count, name)
        }
        FileHandle.standardError.write(text.data(using: .utf8)!)
    }
}
