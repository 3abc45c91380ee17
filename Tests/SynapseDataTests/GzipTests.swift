import SynapseTestSupport
import Testing

/// zlib round trips and the edge cases of gzip streams.
@Suite struct GzipTests {
    @Test func roundTripsIncludingEmptyAndLarge() throws {
        for size in [0, 1, 1000, 3_000_000] {
            let bytes = (0..<size).map { UInt8(truncatingIfNeeded: $0 * 7 + $0 / 251) }
            let packed = Gzip.compress(bytes)
            #expect(Gzip.isGzip(packed))
            #expect(try Gzip.decompress(packed, file: "mem.gz") == bytes)
        }
    }

    @Test func concatenatedMembersAreOneStream() throws {
        let joined = Gzip.compress([1, 2, 3]) + Gzip.compress([4, 5])
        #expect(try Gzip.decompress(joined, file: "two.gz") == [1, 2, 3, 4, 5])
    }

    @Test func trailingGarbageAndMissingMagicAreErrors() {
        expectDataError(mentions: ["junk.gz", "trailing"]) {
            _ = try Gzip.decompress(Gzip.compress([1, 2, 3]) + [0x00, 0x01], file: "junk.gz")
        } matches: { if case .corruptGzip = $0 { true } else { false } }
        expectDataError(mentions: ["plain.gz", "magic"]) {
            _ = try Gzip.decompress([0x00, 0x00, 0x08, 0x01], file: "plain.gz")
        } matches: { if case .corruptGzip = $0 { true } else { false } }
    }

    @Test func outputLimitStopsGzipBombs() {
        let packed = Gzip.compress([UInt8](repeating: 0, count: 1 << 20))
        expectDataError(mentions: ["bomb.gz", "exceeds"]) {
            _ = try Gzip.decompress(packed, file: "bomb.gz", maxOutputBytes: 1 << 16)
        } matches: { if case .corruptGzip = $0 { true } else { false } }
    }
}
