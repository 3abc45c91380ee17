import SynapseTestSupport
import Testing

/// The header is read as strictly as the format allows (issue 13, case 11): where readers could
/// disagree on what a file holds (a repeated key, bytes that are not UTF-8), the file is refused
/// with an error naming the file and the entry, rather than one reading picked silently.
@Suite struct SafeTensorsStrictHeaderTests {
    static let name = "strict.safetensors"
    static let entry = #""dtype":"U8","shape":[8],"data_offsets":[0,8]"#

    /// A file whose header is `header` (raw bytes, so invalid UTF-8 can be written) and 8 data bytes.
    static func file(_ header: [UInt8]) -> [UInt8] {
        let length = UInt64(header.count)
        return (0..<8).map { UInt8(truncatingIfNeeded: length >> UInt64(8 * $0)) } + header + [UInt8](repeating: 7, count: 8)
    }

    func expectInvalid(_ header: String, key: String, mentions: [String],
                       sourceLocation: SourceLocation = #_sourceLocation) {
        expectInvalid(Array(header.utf8), key: key, mentions: mentions, sourceLocation: sourceLocation)
    }

    func expectInvalid(_ header: [UInt8], key: String, mentions: [String],
                       sourceLocation: SourceLocation = #_sourceLocation) {
        expectDataError(mentions: [Self.name, "'\(key)'"] + mentions, sourceLocation: sourceLocation, {
            _ = try SafeTensorsFile(bytes: Self.file(header), file: Self.name)
        }, matches: { if case .invalidHeader(_, key, _) = $0 { true } else { false } })
    }

    @Test func aRepeatedFieldInsideAnEntryIsRefused() {
        // Python's reader takes the last "dtype", a first-wins reader the first: two different tensors.
        expectInvalid(#"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8],"dtype":"U8"}}"#,
                      key: "w", mentions: ["\"dtype\"", "more than once"])
        expectInvalid(#"{"w":{"dtype":"U8","shape":[8],"shape":[2,4],"data_offsets":[0,8]}}"#,
                      key: "w", mentions: ["\"shape\"", "more than once"])
        expectInvalid(#"{"w":{"dtype":"U8","shape":[8],"data_offsets":[0,8],"data_offsets":[0,8]}}"#,
                      key: "w", mentions: ["\"data_offsets\"", "more than once"])
    }

    @Test func aRepeatedMetadataKeyIsRefused() {
        // A repeated synapse.epoch once made a resume start at the wrong epoch.
        expectInvalid(#"{"__metadata__":{"synapse.epoch":"1","synapse.epoch":"8"},"w":{\#(Self.entry)}}"#,
                      key: "__metadata__", mentions: ["\"synapse.epoch\"", "more than once"])
    }

    @Test func aRepeatedKeyNestedInAnIgnoredFieldIsRefusedToo() {
        expectInvalid(#"{"w":{\#(Self.entry),"extra":{"a":1,"a":2}}}"#, key: "w", mentions: ["\"a\"", "\"extra\""])
    }

    @Test func aRepeatedTensorNameIsRefused() {
        expectInvalid(#"{"w":{\#(Self.entry)},"w":{\#(Self.entry)}}"#, key: "w", mentions: ["more than once"])
    }

    @Test func invalidUTF8IsRefusedNotReplaced() {
        // 0xFF never occurs in UTF-8; C3 28 is a broken two-byte sequence; ED A0 80 encodes a surrogate.
        for bad: [UInt8] in [[0xFF], [0xC3, 0x28], [0xED, 0xA0, 0x80], [0xC0, 0xAF]] {
            let name = Array(#"{"w"#.utf8) + bad + Array(#"":{"#.utf8) + Array(Self.entry.utf8) + Array("}}".utf8)
            expectDataError(mentions: [Self.name, "UTF-8"], {
                _ = try SafeTensorsFile(bytes: Self.file(name), file: Self.name)
            }, matches: { if case .malformed = $0 { true } else { false } })
            let metadata = Array(#"{"__metadata__":{"note":"x"#.utf8) + bad + Array(#""},"w":{"#.utf8)
                + Array(Self.entry.utf8) + Array("}}".utf8)
            expectDataError(mentions: [Self.name, "UTF-8"], {
                _ = try SafeTensorsFile(bytes: Self.file(metadata), file: Self.name)
            }, matches: { if case .malformed = $0 { true } else { false } })
        }
    }

    @Test func validNonASCIINamesStillRoundTrip() throws {
        let original = SafeTensorsFile(["poids.é": SafeTensor([1] as [Float], shape: [1]),
                                        "层.🧠": SafeTensor([2] as [Float], shape: [1])],
                                       metadata: ["note": "ünïcode \u{10FFFF}"])
        let read = try SafeTensorsFile(bytes: original.serialized(), file: Self.name)
        #expect(read == original)
        // Escaped forms decode to the same names, surrogate pairs included.
        let escaped = #"{"\u00e9":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"# +
            #""\ud83e\udde0":{"dtype":"U8","shape":[7],"data_offsets":[1,8]}}"#
        #expect(try SafeTensorsFile(bytes: Self.file(Array(escaped.utf8)), file: Self.name).names == ["é", "🧠"])
    }

    @Test func sizesThatOverflowInAnyOrderAreRefusedEvenWithAZero() {
        // 0 × 2^62 × 4 is 0 bytes, but code multiplying 2^62 × 4 first overflows.
        expectInvalid(#"{"w":{"dtype":"U8","shape":[0,4611686018427387904,4],"data_offsets":[0,0]},"v":{\#(Self.entry)}}"#,
                      key: "w", mentions: ["too large"])
        expectInvalid(#"{"w":{"dtype":"F64","shape":[2305843009213693952,0],"data_offsets":[0,0]},"v":{\#(Self.entry)}}"#,
                      key: "w", mentions: ["too large"])
    }

    @Test func numbersFollowTheJSONGrammar() {
        for offsets in ["[00,8]", "[+0,8]", "[0.,8]", "[0,8e]", "[-,8]", "[0,0x8]", "[.5,8]", "[0,NaN]"] {
            let header = #"{"w":{"dtype":"U8","shape":[8],"data_offsets":\#(offsets)}}"#
            expectDataError(mentions: [Self.name, "not valid JSON"], {
                _ = try SafeTensorsFile(bytes: Self.file(Array(header.utf8)), file: Self.name)
            }, matches: { if case .malformed = $0 { true } else { false } })
        }
    }
}
