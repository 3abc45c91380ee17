/// Why a distributed operation failed.
public enum DistributedError: Error, Equatable, CustomStringConvertible {
    /// An MPI call returned `code` (only with an error handler other than the default, which
    /// aborts the job instead).
    case mpi(function: String, code: Int32, message: String)
    /// MPI cannot give the thread level a communication thread needs.
    case threadLevel(provided: Int32, required: Int32)
    /// MPI was already finalised in this process; it cannot be started again.
    case finalized
    /// A rank number outside `0..<size`.
    case invalidRank(Int, size: Int)
    /// A buffer too long for one collective.
    case bufferTooLong(Int)
    /// The bucket list of a `GradientExchange` is unusable.
    case invalidBuckets(String)
    /// `submit` named a bucket that does not exist.
    case unknownBucket(Int, count: Int)
    /// `submit` named a bucket twice in one step.
    case bucketSubmittedTwice(Int)
    /// `waitAll` was called before these buckets were submitted (the other ranks would wait for
    /// them forever).
    case bucketsNotSubmitted([Int])
    /// The exchange was closed.
    case exchangeClosed

    public var description: String {
        switch self {
        case let .mpi(function, code, message): "\(function) failed with MPI error \(code): \(message)"
        case let .threadLevel(provided, required):
            "MPI provides thread level \(provided), but the gradient exchange thread needs \(required) (MPI_THREAD_SERIALIZED)"
        case .finalized: "MPI was already finalized in this process"
        case let .invalidRank(rank, size): "rank \(rank) is outside 0..<\(size)"
        case let .bufferTooLong(count): "a buffer of \(count) floats is too long for one MPI call"
        case let .invalidBuckets(reason): "invalid gradient buckets: \(reason)"
        case let .unknownBucket(index, count): "bucket \(index) does not exist (there are \(count))"
        case let .bucketSubmittedTwice(index): "bucket \(index) was submitted twice in one step"
        case let .bucketsNotSubmitted(missing):
            "waitAll before bucket(s) \(missing.map(String.init).joined(separator: ", ")) were submitted"
        case .exchangeClosed: "the gradient exchange is closed"
        }
    }
}
