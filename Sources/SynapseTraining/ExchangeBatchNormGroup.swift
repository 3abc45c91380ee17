import Synapse
import SynapseDistributed

/// The ranks of a data-parallel job as a batch-norm group (`--sync-batchnorm`): each sum is one
/// allreduce, run through the gradient exchange so that it takes the same place among the buckets'
/// allreduces on every rank (a backward pass may have buckets in flight).
final class ExchangeBatchNormGroup: BatchNormGroup, @unchecked Sendable {
    let communicator: any Communicator
    let exchange: GradientExchange

    init(communicator: any Communicator, exchange: GradientExchange) {
        self.communicator = communicator
        self.exchange = exchange
    }

    var rank: Int { communicator.rank }
    var size: Int { communicator.size }

    func sum(_ values: UnsafeMutableBufferPointer<Float>) throws {
        try exchange.perform { try communicator.allreduce(values, .sum) }
    }
}
