import Dispatch
import Foundation

/// Turns the first Ctrl-C (SIGINT) or termination request (SIGTERM) into a stop request that the
/// training loop checks after each step (it then saves and exits with 128 + the signal number); a
/// second signal quits at once — except while a checkpoint is being written: then it waits for
/// the write to finish, so the file on disk is always a whole checkpoint and no temporary is left.
final class StopSignal: @unchecked Sendable {
    private let lock = NSLock()
    private var received: Int32?
    /// Held while a checkpoint is written; a second signal takes it before quitting.
    private let saving = NSLock()
    private var sources: [DispatchSourceSignal] = []

    init() {
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [unowned self] in handle(number) }
            source.resume()
            sources.append(source)
        }
    }

    private func handle(_ number: Int32) {
        lock.lock()
        let first = received == nil
        if first { received = number }
        lock.unlock()
        guard first else {
            // Taken and never released: the process ends once a write in progress is done.
            let waited = !saving.try()
            if waited { saving.lock() }
            StandardError.write(waited ? "\nsynapse: interrupted after the checkpoint being written was complete\n"
                                       : "\nsynapse: interrupted\n")
            // At once, and without the libraries' destructors, which could crash under a busy
            // OpenCL driver: nothing is left to save.
            fflush(nil)
            _exit(128 + number)
        }
        let again = number == SIGINT ? "Ctrl-C" : "SIGTERM"
        StandardError.write("\nsynapse: stopping after this step (\(again) again to quit now)\n")
    }

    /// Whether Ctrl-C or SIGTERM has been received.
    var isRequested: Bool {
        lock.lock(); defer { lock.unlock() }
        return received != nil
    }

    /// The exit status of a run the signal stopped: 130 for Ctrl-C, 143 for SIGTERM.
    var exitCode: Int32 {
        lock.lock(); defer { lock.unlock() }
        return 128 + (received ?? SIGINT)
    }

    /// Runs `write` (a checkpoint save) so that a second signal waits for it to finish.
    func whileSaving(_ write: () throws -> Void) throws {
        saving.lock(); defer { saving.unlock() }
        try write()
    }
}
