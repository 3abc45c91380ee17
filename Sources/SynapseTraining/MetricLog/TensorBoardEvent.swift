/// The protobuf encoding of the two TensorBoard messages a scalar log needs, written by hand
/// (`tensorflow/core/util/event.proto`, `summary.proto`):
///
///     message Event { double wall_time = 1; int64 step = 2; string file_version = 3; Summary summary = 5; }
///     message Summary { repeated Value value = 1; }
///     message Summary.Value { string tag = 1; float simple_value = 2; }
enum TensorBoardEvent {
    /// The first event of every file, naming the format version TensorBoard expects.
    static func fileVersion(wallTime: Double) -> [UInt8] {
        double(field: 1, wallTime) + bytes(field: 3, Array("brain.Event:2".utf8))
    }

    /// An event holding one scalar per (tag, value) at `step`.
    static func scalars(_ values: [(tag: String, value: Float)], step: Int, wallTime: Double) -> [UInt8] {
        let summary = values.flatMap { tag, value in
            bytes(field: 1, bytes(field: 1, Array(tag.utf8)) + float(field: 2, value))
        }
        return double(field: 1, wallTime) + varint(field: 2, UInt64(bitPattern: Int64(step))) + bytes(field: 5, summary)
    }

    // MARK: Wire format

    private static func key(_ field: Int, _ wireType: UInt64) -> [UInt8] { varint(UInt64(field) << 3 | wireType) }

    private static func varint(field: Int, _ value: UInt64) -> [UInt8] { key(field, 0) + varint(value) }

    private static func double(field: Int, _ value: Double) -> [UInt8] {
        key(field, 1) + TFRecord.littleEndian(value.bitPattern)
    }

    private static func float(field: Int, _ value: Float) -> [UInt8] {
        key(field, 5) + TFRecord.littleEndian(value.bitPattern)
    }

    private static func bytes(field: Int, _ value: [UInt8]) -> [UInt8] {
        key(field, 2) + varint(UInt64(value.count)) + value
    }

    static func varint(_ value: UInt64) -> [UInt8] {
        var value = value, result: [UInt8] = []
        while value >= 0x80 {
            result.append(UInt8(value & 0x7F) | 0x80)
            value >>= 7
        }
        return result + [UInt8(value)]
    }
}
