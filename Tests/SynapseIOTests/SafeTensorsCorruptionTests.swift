import Foundation
import SynapseTestSupport
import Testing

/// Untrusted safetensors input: every malformed file gives a DataError naming file and key.
@Suite struct SafeTensorsCorruptionTests {
    static let name = "bad.safetensors"
    static let eight = [UInt8](repeating: 0, count: 8)

    func expectRejected(_ bytes: [UInt8], mentions: [String], sourceLocation: SourceLocation = #_sourceLocation,
                        matches: (DataError) -> Bool) {
        expectDataError(mentions: [Self.name] + mentions, sourceLocation: sourceLocation, {
            _ = try SafeTensorsFile(bytes: bytes, file: Self.name)
        }, matches: matches)
    }

    func expectHeader(_ header: String, data: [UInt8] = eight, key: String, mentions: [String] = [],
                      sourceLocation: SourceLocation = #_sourceLocation) {
        expectRejected(SafeTensorsFileTests.file(header: header, data: data), mentions: ["'\(key)'"] + mentions,
                       sourceLocation: sourceLocation) {
            if case .invalidHeader(_, key, _) = $0 { true } else { false }
        }
    }

    @Test func shorterThanEightBytes() {
        expectRejected([1, 0, 0], mentions: ["truncated", "header length"]) {
            if case .truncated(_, _, 8, 3) = $0 { true } else { false }
        }
    }

    @Test func headerLengthBeyondFileOrAbsurd() {
        var bytes = SafeTensorsFileTests.file(header: "{}", data: [])
        bytes[0] = 200
        expectRejected(bytes, mentions: ["208", "10"]) {
            if case .truncated(_, _, 208, 10) = $0 { true } else { false }
        }
        let absurd: [UInt8] = [0, 0, 0, 0, 0, 1, 0, 0] + Array("{}".utf8)
        expectRejected(absurd, mentions: ["1099511627776", "limit"]) {
            if case .malformed = $0 { true } else { false }
        }
        expectRejected([UInt8](repeating: 0xFF, count: 16), mentions: ["18446744073709551615"]) {
            if case .malformed = $0 { true } else { false }
        }
    }

    @Test func invalidJSONOrNotAnObject() {
        expectRejected(SafeTensorsFileTests.file(header: "{\"a\": {", data: []), mentions: ["not valid JSON", "byte 7"]) {
            if case .malformed = $0 { true } else { false }
        }
        expectRejected(SafeTensorsFileTests.file(header: "[1, 2]", data: []), mentions: ["an array", "not a JSON object"]) {
            if case .malformed = $0 { true } else { false }
        }
        expectRejected(SafeTensorsFileTests.file(header: "{} x", data: []), mentions: ["after the JSON value"]) {
            if case .malformed = $0 { true } else { false }
        }
        expectRejected(SafeTensorsFileTests.file(header: "", data: []), mentions: ["end of input"]) {
            if case .malformed = $0 { true } else { false }
        }
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        expectRejected(SafeTensorsFileTests.file(header: deep, data: []), mentions: ["nesting"]) {
            if case .malformed = $0 { true } else { false }
        }
    }

    @Test func unknownDType() {
        let header = #"{"w":{"dtype":"F8_E4M3","shape":[8],"data_offsets":[0,8]}}"#
        expectRejected(SafeTensorsFileTests.file(header: header, data: Self.eight), mentions: ["'w'", "F8_E4M3", "F32"]) {
            if case .unknownDType(_, "w", "F8_E4M3") = $0 { true } else { false }
        }
    }

    @Test func badShapes() {
        expectHeader(#"{"w":{"dtype":"U8","shape":[-8],"data_offsets":[0,8]}}"#, key: "w", mentions: ["negative", "-8"])
        expectHeader(#"{"w":{"dtype":"U8","shape":[8.0],"data_offsets":[0,8]}}"#, key: "w", mentions: ["integers", "8.0"])
        expectHeader(#"{"w":{"dtype":"U8","shape":"8","data_offsets":[0,8]}}"#, key: "w", mentions: ["array"])
        expectHeader(#"{"w":{"dtype":"F64","shape":[4294967296,4294967296],"data_offsets":[0,8]}}"#,
                     key: "w", mentions: ["too large"])
    }

    @Test func badOffsets() {
        expectHeader(#"{"w":{"dtype":"U8","shape":[9],"data_offsets":[0,9]}}"#, key: "w", mentions: ["outside", "8-byte"])
        expectHeader(#"{"w":{"dtype":"U8","shape":[0],"data_offsets":[8,0]}}"#, key: "w", mentions: ["reversed"])
        expectHeader(#"{"w":{"dtype":"U8","shape":[8],"data_offsets":[0]}}"#, key: "w", mentions: ["two non-negative"])
        expectHeader(#"{"w":{"dtype":"U8","shape":[8],"data_offsets":[-1,7]}}"#, key: "w", mentions: ["two non-negative"])
        expectHeader(#"{"a":{"dtype":"U8","shape":[6],"data_offsets":[0,6]},"b":{"dtype":"U8","shape":[4],"data_offsets":[4,8]}}"#,
                     key: "b", mentions: ["overlap", "'a'"])
        expectHeader(#"{"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},"b":{"dtype":"U8","shape":[4],"data_offsets":[4,8]}}"#,
                     key: "b", mentions: ["gap"])
    }

    @Test func byteLengthMustMatchShapeTimesDTypeSize() {
        expectHeader(#"{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, key: "w", mentions: ["8 bytes", "needs 12"])
    }

    @Test func trailingBytesAfterLastTensor() {
        let header = #"{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#
        expectRejected(SafeTensorsFileTests.file(header: header, data: Self.eight), mentions: ["4 bytes after"]) {
            if case .malformed = $0 { true } else { false }
        }
    }

    @Test func missingFieldsDuplicatesAndBadMetadata() {
        expectHeader(#"{"w":{"shape":[8],"data_offsets":[0,8]}}"#, key: "w", mentions: ["missing \"dtype\""])
        expectHeader(#"{"w":{"dtype":"U8","shape":[8]}}"#, key: "w", mentions: ["missing \"data_offsets\""])
        expectHeader(#"{"w":[1]}"#, key: "w", mentions: ["an array"])
        expectHeader(#"{"w":{"dtype":"U8","shape":[8],"data_offsets":[0,8]},"w":{"dtype":"U8","shape":[8],"data_offsets":[0,8]}}"#,
                     key: "w", mentions: ["more than once"])
        expectHeader(#"{"__metadata__":{"step":3},"w":{"dtype":"U8","shape":[8],"data_offsets":[0,8]}}"#,
                     key: "__metadata__", mentions: ["'step'", "string"])
    }

    @Test func missingKeyNamesFileAndAvailableKeys() throws {
        let directory = try TestEnvironment.scratchDirectory()
        defer { TestEnvironment.remove(directory) }
        let path = directory + "/weights.safetensors"
        try SafeTensorsFile(["fc.weight": SafeTensor([1, 2] as [Float], shape: [2])]).write(to: path)
        let file = try SafeTensorsFile(contentsOf: path)
        expectDataError(mentions: [path, "'fc.bias'", "fc.weight"]) {
            _ = try file.tensor(named: "fc.bias")
        } matches: { if case .missingTensor(path, "fc.bias", ["fc.weight"]) = $0 { true } else { false } }
    }

    @Test func unreadableFileIsAnIOError() throws {
        let directory = try TestEnvironment.scratchDirectory()
        defer { TestEnvironment.remove(directory) }
        let path = directory + "/absent.safetensors"
        expectDataError(mentions: [path, "No such file"]) {
            _ = try SafeTensorsFile(contentsOf: path)
        } matches: { if case .io = $0 { true } else { false } }
    }
}
