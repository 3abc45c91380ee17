import Foundation
import Testing

/// The README's XOR example must stay word for word the test that runs on every device.
@Test("README quotes the XOR test word for word")
func readmeQuotesXORTest() throws {
    let testsFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    let root = testsFolder.deletingLastPathComponent().deletingLastPathComponent()
    let source = try String(contentsOf: testsFolder.appendingPathComponent("XORTests.swift"), encoding: .utf8)
    let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
    let start = try #require(source.range(of: "@Test(\"A 2-layer MLP learns XOR\""))
    let test = source[start.lowerBound...].trimmingCharacters(in: .whitespacesAndNewlines)
    #expect(readme.contains("```swift\n" + test + "\n```"))
}
