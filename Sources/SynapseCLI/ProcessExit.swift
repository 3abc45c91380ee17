import Foundation
import Synapse

/// Ends `synapse` early (an error, an interrupt) without crashing in the OpenCL driver's teardown.
enum ProcessExit {
    /// Waits for the OpenCL devices' queued work and kernel builds (see
    /// `OpenCLDevice.finishAllBeforeExit`), then exits with `code`. When a device does not finish
    /// in time, skips the libraries' destructors, which would run under the busy driver.
    static func exit(_ code: Int32) -> Never {
        if OpenCLDevice.finishAllBeforeExit() { Foundation.exit(code) }
        fflush(nil)
        _exit(code)
    }
}
