import Dispatch
import Foundation

/// Turns the first Ctrl-C (SIGINT) into a stop request that the training loop checks after each
/// step; a second Ctrl-C quits at once.
final class StopSignal: @unchecked Sendable {
    private let lock = NSLock()
    private var requested = false
    private let source: DispatchSourceSignal

    init() {
        signal(SIGINT, SIG_IGN)
        source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler { [unowned self] in
            lock.lock()
            let again = requested
            requested = true
            lock.unlock()
            if again {
                StandardError.write("\nsynapse: interrupted\n")
                exit(130)
            }
            StandardError.write("\nsynapse: stopping after this step (Ctrl-C again to quit now)\n")
        }
        source.resume()
    }

    /// Whether Ctrl-C has been pressed.
    var isRequested: Bool {
        lock.lock(); defer { lock.unlock() }
        return requested
    }
}
