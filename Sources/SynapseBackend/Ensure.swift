/// Stops the program with `message` when `condition` is false: for programmer errors such as
/// mismatched shapes. Unlike `precondition`, whose message optimised builds drop, the message is
/// printed in release builds too, so a mistake in a release binary still says what it was.
@inline(__always)
public func ensure(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
                   file: StaticString = #fileID, line: UInt = #line) {
    if !condition() { fatalError(message(), file: file, line: line) }
}
