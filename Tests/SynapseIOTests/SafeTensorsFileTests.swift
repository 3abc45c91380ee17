import Foundation
import SynapseTestSupport
import Testing

/// safetensors round trips and layout.
@Suite struct SafeTensorsFileTests {
    static func sample() -> SafeTensorsFile {
        SafeTensorsFile([
            "conv1.weight": SafeTensor([0.5, -1.25, 3e-8, .infinity, -0.0, 42], shape: [2, 1, 3]),
            "labels": SafeTensor([Int32.min, -1, 0, 7, Int32.max], shape: [5]),
            "step": SafeTensor([Int64(1) << 40 + 3], shape: []),
            "empty": SafeTensor([Float](), shape: [0, 3]),
            "big": SafeTensor([Int64.min, Int64.max], shape: [2, 1]),
        ], metadata: ["format": "pt", "note": "quote \" backslash \\ newline \n ünïcode"])
    }

    @Test func roundTripsThroughAFile() throws {
        let directory = try TestEnvironment.scratchDirectory()
        defer { TestEnvironment.remove(directory) }
        let path = directory + "/model.safetensors"
        let original = Self.sample()
        try original.write(to: path)
        let read = try SafeTensorsFile(contentsOf: path)
        #expect(read == original)
        #expect(read.names == ["conv1.weight", "labels", "step", "empty", "big"])
        #expect(read.metadata == original.metadata)
        #expect(try read.floats(named: "conv1.weight") == [0.5, -1.25, 3e-8, .infinity, -0.0, 42])
        #expect(try read.int32s(named: "labels") == [Int32.min, -1, 0, 7, Int32.max])
        #expect(try read.int64s(named: "step") == [Int64(1) << 40 + 3])
        #expect(try read.tensor(named: "step").shape == [])
        #expect(try read.tensor(named: "step").elementCount == 1)
        #expect(try read.tensor(named: "empty").bytes.isEmpty)
        #expect(try read.int64s(named: "big") == [Int64.min, Int64.max])
        #expect(read.source == path)
    }

    @Test func headerIsPaddedToEightBytesAndDataIsContiguous() throws {
        let bytes = Self.sample().serialized()
        let headerLength = bytes[0..<8].reversed().reduce(0) { $0 << 8 | Int($1) }
        #expect(headerLength % 8 == 0)
        let header = String(decoding: bytes[8..<8 + headerLength], as: UTF8.self)
        #expect(header.hasPrefix("{\"__metadata__\":{"))
        #expect(header.contains("\"dtype\":\"F32\",\"shape\":[2,1,3],\"data_offsets\":[0,24]"))
        #expect(header.contains("\"step\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[44,52]}"))
        #expect(bytes.count == 8 + headerLength + 24 + 20 + 8 + 0 + 16)
        let json = try JSONSerialization.jsonObject(with: Data(bytes[8..<8 + headerLength])) as? [String: Any]
        #expect(json?.count == 6)
    }

    @Test func subscriptEditsKeepOrder() {
        var file = SafeTensorsFile()
        file["b"] = SafeTensor([Int32(1)], shape: [1])
        file["a"] = SafeTensor([Int32(2)], shape: [1])
        file["b"] = SafeTensor([Int32(3)], shape: [1])
        #expect(file.names == ["b", "a"])
        file["b"] = nil
        #expect(file.names == ["a"] && file.count == 1)
    }

    /// A file with a header written by hand and the given data bytes.
    static func file(header: String, data: [UInt8]) -> [UInt8] { safetensorsBytes(header: header, data: data) }

    @Test func readsEveryDTypeAndConverts() throws {
        let half: [UInt8] = [0x00, 0x3E, 0x00, 0xC0, 0x01, 0x00, 0x00, 0x7C]  // 1.5, -2, 2^-24, +inf
        let bf16: [UInt8] = [0xC0, 0x3F, 0x80, 0xBF]  // 1.5, -1
        let f64: [UInt8] = Array(withUnsafeBytes(of: (0.25 as Double).bitPattern.littleEndian, Array.init))
        let u8: [UInt8] = [0, 200, 255]
        let header = """
            {"h":{"dtype":"F16","shape":[4],"data_offsets":[0,8]},
             "b":{"dtype":"BF16","shape":[2],"data_offsets":[8,12]},
             "d":{"dtype":"F64","shape":[],"data_offsets":[12,20]},
             "u":{"dtype":"U8","shape":[3],"data_offsets":[20,23]}}
            """
        let file = try SafeTensorsFile(bytes: Self.file(header: header, data: half + bf16 + f64 + u8), file: "mixed")
        #expect(try file.floats(named: "h") == [1.5, -2, 0x1p-24, .infinity])
        #expect(try file.floats(named: "b") == [1.5, -1])
        #expect(try file.floats(named: "d") == [0.25])
        #expect(try file.floats(named: "u") == [0, 200, 255])
        #expect(try file.int32s(named: "u") == [0, 200, 255])
        #expect(try file.tensor(named: "h").dtype == .float16)
        expectDataError(mentions: ["mixed: h", "F16", "Int32"]) {
            _ = try file.int32s(named: "h")
        } matches: { if case .conversion = $0 { true } else { false } }
    }

    @Test func int64OutOfInt32RangeIsAnError() throws {
        let file = SafeTensorsFile(["x": SafeTensor([Int64(1) << 33], shape: [1])])
        expectDataError(mentions: ["x", "8589934592"]) {
            _ = try file.int32s(named: "x")
        } matches: { if case .conversion = $0 { true } else { false } }
    }

    @Test func rawInitChecksByteCount() throws {
        #expect(throws: DataError.self) { try SafeTensor(dtype: .float32, shape: [2], bytes: [0, 0, 0]) }
        #expect(throws: DataError.self) { try SafeTensor(dtype: .uint8, shape: [-1], bytes: []) }
        #expect(try SafeTensor(dtype: .uint8, shape: [3], bytes: [1, 2, 3]).elementCount == 3)
    }
}
