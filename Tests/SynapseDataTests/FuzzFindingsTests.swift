import SynapseTestSupport
import Testing

/// Inputs scripts/fuzz.sh found that crashed a parser, kept as tests (issue 13, fuzz targets).
@Suite struct FuzzFindingsTests {
    @Test func idxSizesThatOverflowBeforeAZeroDimension() {
        // fuzz-idx: float32, dims [6120034, 1677721602, 218365952, 0]. The data is empty, but
        // elementCount (6120034 × 1677721602 × …) overflowed in floatValues(): a trap.
        let bytes: [UInt8] = [0x00, 0x00, 0x0D, 0x04, 0x00, 0x5D, 0x62, 0x62, 0x64, 0x00, 0x00, 0x02,
                              0x0D, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]
        expectDataError(mentions: ["fuzz.idx", "[6120034, 1677721602, 218365952, 0]", "too large"], {
            _ = try IDXFile(bytes: bytes, file: "fuzz.idx").floatValues()
        }, matches: { if case .malformed = $0 { true } else { false } })
    }
}
