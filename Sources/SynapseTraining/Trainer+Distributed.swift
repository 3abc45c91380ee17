import Synapse
import SynapseDistributed

extension Trainer {
    /// Builds the trainer of one rank of a data-parallel job: the model and optimizer as
    /// `init(configuration:device:data:)` builds them, the training batches cut to this rank's
    /// slices, and the test set on rank 0 only. Call `distribute(over:)` next (after `resume`).
    public static func rank(of communicator: any Communicator, configuration: TrainingConfiguration,
                            device: any Device, data: TrainingData? = nil) throws -> Trainer {
        try configuration.validate()
        let shard = try GlobalBatchShard(communicator)
        let full = try data ?? TrainingData.make(configuration, device: device)
        return try Trainer(configuration: configuration, device: device, data: try full.sharded(shard))
    }

    /// Makes this trainer one rank of a data-parallel job over `communicator`: broadcasts rank 0's
    /// parameters and buffers now, and from the next step on, sums the ranks' gradients (each
    /// scaled by its share of the global batch) in buckets of at most `bucketElements` floats
    /// overlapped with backward, before the optimizer step, so every rank takes the global batch's step.
    /// With `syncBatchNorm`, batch norm normalises over the global batch (PyTorch's `SyncBatchNorm`)
    /// instead of each rank's slice. The trainer's data must be sharded
    /// (`TrainingData.sharded(_:)`, or `Trainer.rank(of:…)`), its model packed
    /// (`Module.packParameters()`).
    ///
    /// Only rank 0 should report, evaluate and save: give the others no `onRecord` output and no
    /// `checkpointPath`. Call `finish()` on every rank at the end.
    ///
    /// - Throws: `TrainingError.invalidOption` when the data is not sharded for this communicator
    ///   or the model is not packed; a communicator failure.
    @discardableResult
    public func distribute(over communicator: any Communicator, bucketElements: Int = DistributedTraining.bucketElements,
                           syncBatchNorm: Bool = false) throws -> DistributedTraining {
        guard let source = data.train as? ShardedBatchSource,
              source.shard == (try GlobalBatchShard(communicator)) else {
            throw TrainingError.invalidOption(
                option: "distribute", reason: "the training data is not sharded for rank \(communicator.rank) of \(communicator.size)")
        }
        guard let arena = ParameterArena.holding(model.parameters()) else {
            throw TrainingError.invalidOption(option: "distribute", reason: "the model's parameters are not packed")
        }
        let job = try DistributedTraining(communicator: communicator, arena: arena, model: model,
                                          source: source, device: device, bucketElements: bucketElements,
                                          syncBatchNorm: syncBatchNorm && communicator.size > 1)
        try inScope { try job.broadcastInitialState() }
        if communicator.size > 1 {
            aroundBackward = { [unowned self] pass in try job.overlappingBackward(batch: self.position.batch, pass) }
            afterBackward = { [unowned self] loss in
                try job.exchange(loss: loss, batch: self.position.batch)
            }
            batchSlice = { [unowned self] in job.slice(ofBatch: self.position.batch) }
        }
        return job
    }
}
