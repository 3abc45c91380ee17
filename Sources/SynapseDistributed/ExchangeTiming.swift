/// How long one step's gradient exchange took, and how much of it the caller waited for.
public struct ExchangeTiming: Sendable, Equatable {
    /// Time the communication thread spent on the step's buckets (their allreduces, and their
    /// copies between device and host when there is a `BucketTransfer`), summed over the buckets.
    public var total: Duration
    /// Time the caller spent blocked in `waitAll()`: the part of the exchange that backward did
    /// not hide.
    public var exposed: Duration

    public init(total: Duration, exposed: Duration) {
        self.total = total
        self.exposed = exposed
    }

    /// The part of the exchange that overlapped the caller's work (never negative).
    public var hidden: Duration { max(total - exposed, .zero) }
}

extension Duration {
    /// The duration in seconds.
    public var seconds: Double {
        let (whole, attoseconds) = components
        return Double(whole) + Double(attoseconds) * 1e-18
    }
}
