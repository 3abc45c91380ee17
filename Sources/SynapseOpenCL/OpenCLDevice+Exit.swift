import CSynapseOpenCL
import Foundation

/// Ending the process while the driver still works.
///
/// `exit()` runs the static destructors of the OpenCL driver, LLVM and CLBlast on the exiting
/// thread, while queued commands keep the driver's own threads busy: PoCL compiles a kernel's
/// work-group function when the kernel first runs, and LLVM destroyed under such a compile
/// segfaults. A failed step leaves exactly that behind (an out-of-memory error thrown while the
/// parameter initialisation is still queued), so a program that exits early calls
/// `finishAllBeforeExit()` first. An `atexit` handler cannot do it: LLVM registers some of its
/// destructors during the compile, after any handler of ours, and those run first.
extension OpenCLDevice {
    /// Waits until no kernel build is in flight and every queued command of every device created
    /// so far has finished, then keeps other threads from starting driver work until the process
    /// ends (they block). Returns false when that took longer than `timeout` (a hung device, a
    /// thread stuck holding a device): then the driver is still busy, and the caller should end
    /// the process without running destructors (`_exit`).
    @discardableResult
    public static func finishAllBeforeExit(timeout: TimeInterval = 30) -> Bool {
        let deadline = Date(timeIntervalSinceNow: timeout)
        let done = DispatchSemaphore(value: 0)
        let drain = Thread {
            for device in createdDevices(before: deadline) { device.finishBeforeExit(deadline: deadline) }
            done.signal()
        }
        drain.start()
        return done.wait(timeout: .now() + timeout) == .success
    }

    /// Waits for a kernel build in flight and for every queued command, then keeps the build and
    /// queue locks. A lock not obtained before `deadline` is skipped.
    private func finishBeforeExit(deadline: Date) {
        kernels.holdBuildsForExit(before: deadline)
        guard queueLock.lock(before: deadline) else { return }
        clFinish(queue)
    }
}
