/// A parsed JSON value, as strict as RFC 8259 and no more, for safetensors headers.
///
/// Written here rather than taken from Foundation so that untrusted headers are parsed the
/// same way on every platform: object keys keep their order (the writer's tensor order),
/// numbers keep their text (so `3`, `3.0` and `1e400` can be told apart and integers are
/// exact), strings must be valid UTF-8, a key may appear only once per object, nesting depth is
/// bounded, and every syntax error says at which byte it was found.
package indirect enum JSONValue: Equatable {
    /// An object's members in document order; keys are unique (the parser rejects duplicates).
    case object([(key: String, value: JSONValue)])
    /// An array.
    case array([JSONValue])
    /// A string, unescaped.
    case string(String)
    /// A number, as written.
    case number(String)
    /// `true` or `false`.
    case bool(Bool)
    /// `null`.
    case null

    package static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case let (.object(a), .object(b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        case let (.array(a), .array(b)): return a == b
        case let (.string(a), .string(b)), let (.number(a), .number(b)): return a == b
        case let (.bool(a), .bool(b)): return a == b
        case (.null, .null): return true
        default: return false
        }
    }

    /// The value as an `Int` if it is a number written as an integer that fits.
    package var integer: Int? {
        guard case let .number(text) = self else { return nil }
        return Int(text)
    }

    /// A short name of the value's kind for error messages.
    package var kind: String {
        switch self {
        case .object: return "an object"
        case .array: return "an array"
        case .string: return "a string"
        case .number: return "a number"
        case .bool: return "a boolean"
        case .null: return "null"
        }
    }

    /// The value itself for numbers (`1.5`), else its kind, for error messages.
    package var summary: String {
        if case let .number(text) = self { return text }
        return kind
    }

    /// Why a document is not JSON, with the byte offset where parsing stopped.
    package struct SyntaxError: Error {
        /// Offset into the parsed bytes.
        package let offset: Int
        /// What was expected or wrong there.
        package let message: String
        /// Set when the error is a key repeated within one object.
        package var duplicate: DuplicateKey? = nil
    }

    /// A key that appears twice in one object: RFC 8259 leaves the meaning open (readers differ
    /// on which value wins), so the parser refuses rather than picking one. Keys compare as Swift
    /// strings, as in the dictionaries they end up in: canonically equivalent spellings (`é` and
    /// `e` + U+0301) are the same key.
    package struct DuplicateKey: Equatable {
        /// The keys of the objects enclosing the repeated one, outermost first (`[]` at the top).
        package let path: [String]
        /// The repeated key.
        package let key: String
    }

    /// Parses one JSON document; surrounding whitespace is allowed, anything else is an error.
    package static func parse(_ bytes: ArraySlice<UInt8>, maxDepth: Int = 64) throws(SyntaxError) -> JSONValue {
        var parser = JSONParser(bytes: bytes, maxDepth: maxDepth)
        let value = try parser.value(depth: 0)
        parser.skipWhitespace()
        guard parser.atEnd else { throw parser.error("unexpected text after the JSON value") }
        return value
    }
}

/// Recursive-descent parser state behind `JSONValue.parse`.
private struct JSONParser {
    let bytes: ArraySlice<UInt8>
    let maxDepth: Int
    var index: Int
    /// The keys of the objects being parsed, outermost first, for duplicate-key errors.
    var path: [String] = []

    init(bytes: ArraySlice<UInt8>, maxDepth: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
        self.index = bytes.startIndex
    }

    var atEnd: Bool { index >= bytes.endIndex }

    func error(_ message: String) -> JSONValue.SyntaxError {
        JSONValue.SyntaxError(offset: index - bytes.startIndex, message: message)
    }

    mutating func skipWhitespace() {
        while index < bytes.endIndex, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
    }

    mutating func expect(_ byte: UInt8) throws(JSONValue.SyntaxError) {
        skipWhitespace()
        guard index < bytes.endIndex, bytes[index] == byte else {
            throw error("expected '\(Character(Unicode.Scalar(byte)))'")
        }
        index += 1
    }

    mutating func value(depth: Int) throws(JSONValue.SyntaxError) -> JSONValue {
        guard depth <= maxDepth else { throw error("nesting deeper than \(maxDepth)") }
        skipWhitespace()
        guard index < bytes.endIndex else { throw error("unexpected end of input") }
        switch bytes[index] {
        case UInt8(ascii: "{"):
            index += 1
            var members: [(key: String, value: JSONValue)] = []
            var keys = Set<String>()
            skipWhitespace()
            if index < bytes.endIndex, bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
            repeat {
                skipWhitespace()
                guard index < bytes.endIndex, bytes[index] == UInt8(ascii: "\"") else {
                    throw error("expected a string key")
                }
                let keyStart = index
                let key = try string()
                guard keys.insert(key).inserted else {
                    index = keyStart
                    var failure = error("duplicate key \"\(key)\"")
                    failure.duplicate = JSONValue.DuplicateKey(path: path, key: key)
                    throw failure
                }
                try expect(UInt8(ascii: ":"))
                path.append(key)
                members.append((key, try value(depth: depth + 1)))
                path.removeLast()
                skipWhitespace()
            } while try separator(closing: UInt8(ascii: "}"))
            return .object(members)
        case UInt8(ascii: "["):
            index += 1
            var elements: [JSONValue] = []
            skipWhitespace()
            if index < bytes.endIndex, bytes[index] == UInt8(ascii: "]") { index += 1; return .array(elements) }
            repeat {
                elements.append(try value(depth: depth + 1))
                skipWhitespace()
            } while try separator(closing: UInt8(ascii: "]"))
            return .array(elements)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
        default: throw error("unexpected character")
        }
    }

    /// After a member or element: `,` continues (true), `closing` ends (false).
    mutating func separator(closing: UInt8) throws(JSONValue.SyntaxError) -> Bool {
        guard index < bytes.endIndex else { throw error("unexpected end of input") }
        let byte = bytes[index]
        index += 1
        if byte == UInt8(ascii: ",") { return true }
        if byte == closing { return false }
        index -= 1
        throw error("expected ',' or '\(Character(Unicode.Scalar(closing)))'")
    }

    mutating func literal(_ word: String) throws(JSONValue.SyntaxError) {
        for byte in word.utf8 {
            guard index < bytes.endIndex, bytes[index] == byte else { throw error("invalid literal") }
            index += 1
        }
    }

    mutating func number() throws(JSONValue.SyntaxError) -> String {
        let start = index
        func digits(_ parser: inout JSONParser) -> Int {
            let from = parser.index
            while parser.index < parser.bytes.endIndex,
                  (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(parser.bytes[parser.index]) { parser.index += 1 }
            return parser.index - from
        }
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        let leadingZero = index < bytes.endIndex && bytes[index] == UInt8(ascii: "0")
        let intDigits = digits(&self)
        guard intDigits > 0, !(leadingZero && intDigits > 1) else { throw error("invalid number") }
        if index < bytes.endIndex, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard digits(&self) > 0 else { throw error("invalid number: digits expected after '.'") }
        }
        if index < bytes.endIndex, bytes[index] | 0x20 == UInt8(ascii: "e") {
            index += 1
            if index < bytes.endIndex, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard digits(&self) > 0 else { throw error("invalid number: exponent digits expected") }
        }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    /// A string literal, unescaped. Its raw bytes must be valid UTF-8: decoding would otherwise
    /// replace bad sequences with U+FFFD, and two readers would see different names.
    mutating func string() throws(JSONValue.SyntaxError) -> String {
        let start = index
        index += 1  // opening quote
        var utf8: [UInt8] = []
        while true {
            guard index < bytes.endIndex else { throw error("unterminated string") }
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                let text = String(decoding: utf8, as: UTF8.self)
                // Valid UTF-8 decodes and re-encodes to the same bytes; a replaced sequence does not.
                guard text.utf8.elementsEqual(utf8) else {
                    index = start
                    throw error("invalid UTF-8 in string")
                }
                return text
            case UInt8(ascii: "\\"):
                guard index < bytes.endIndex else { throw error("unterminated string") }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(escape)
                case UInt8(ascii: "b"): utf8.append(0x08)
                case UInt8(ascii: "f"): utf8.append(0x0C)
                case UInt8(ascii: "n"): utf8.append(0x0A)
                case UInt8(ascii: "r"): utf8.append(0x0D)
                case UInt8(ascii: "t"): utf8.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800..<0xDC00).contains(scalar) {  // high surrogate: a low one must follow
                        try literal("\\u")
                        let low = try hex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw error("invalid surrogate pair") }
                        scalar = 0x10000 + (scalar - 0xD800) << 10 + (low - 0xDC00)
                    }
                    guard let unicode = Unicode.Scalar(scalar) else { throw error("invalid \\u escape") }
                    utf8.append(contentsOf: String(Character(unicode)).utf8)
                default:
                    throw error("invalid escape")
                }
            case 0..<0x20:
                throw error("control character in string")
            default:
                utf8.append(byte)
            }
        }
    }

    mutating func hex4() throws(JSONValue.SyntaxError) -> UInt32 {
        guard index + 4 <= bytes.endIndex else { throw error("invalid \\u escape") }
        var value: UInt32 = 0
        for byte in bytes[index..<index + 4] {
            guard let digit = Character(Unicode.Scalar(byte)).hexDigitValue else {
                throw error("invalid \\u escape")
            }
            value = value << 4 | UInt32(digit)
        }
        index += 4
        return value
    }
}
