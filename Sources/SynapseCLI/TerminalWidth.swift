import Foundation

/// The width of the terminal a stream goes to, read afresh on every call so a resized window
/// takes effect at the next redraw.
enum TerminalWidth {
    /// Columns of the terminal on `descriptor`, else on stdout, else `$COLUMNS`, else 80.
    static func columns(of descriptor: Int32) -> Int {
        if let columns = ioctlColumns(descriptor) ?? ioctlColumns(1) { return columns }
        if let text = ProcessInfo.processInfo.environment["COLUMNS"], let columns = Int(text), columns > 0 { return columns }
        return 80
    }

    private static func ioctlColumns(_ descriptor: Int32) -> Int? {
        var size = winsize()
        guard ioctl(descriptor, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return nil }
        return Int(size.ws_col)
    }
}
