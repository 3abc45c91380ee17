import SynapseBackend
import SynapseCore

/// Batch normalisation over the channels of `[N, C, H, W]` (PyTorch's `nn.BatchNorm2d`), one
/// `.batchNorm` primitive forward and one backward (gradients flow through the batch statistics).
///
/// Training: normalise with the batch mean and the biased variance over `(N, H, W)`, and update the
/// running statistics in place with `momentum` using the unbiased variance. Evaluation: normalise
/// with the running statistics. Parameters `weight` (γ, ones) and `bias` (β, zeros); buffers `running_mean`
/// (zeros), `running_var` (ones) and `num_batches_tracked` (int32 here, int64 in PyTorch).
public final class BatchNorm2d: Module {
    /// γ, `[C]`, or nil when not affine.
    public let weight: Parameter?
    /// β, `[C]`, or nil when not affine.
    public let bias: Parameter?
    /// `running_mean`, `[C]`.
    public let runningMean: Buffer
    /// `running_var`, `[C]`.
    public let runningVar: Buffer
    /// `num_batches_tracked`, an int32 scalar; brought up to date by `stateDict()` (batches are counted
    /// on the host between exports).
    public let numBatchesTracked: Buffer
    /// Channels `C`.
    public let numFeatures: Int
    /// Added to the variance before the square root (PyTorch's `eps`).
    public let epsilon: Float
    /// Weight of the batch statistic in the running update.
    public let momentum: Float

    /// Training batches not yet added to `num_batches_tracked`: counting happens on the host, and the
    /// buffer is brought up to date when the state is exported (`stateDict()`), a checkpoint moment.
    private var pendingBatches = 0

    /// Normalisation of `numFeatures` channels, with PyTorch's defaults; state made on `device`.
    public init(_ numFeatures: Int, epsilon: Float = 1e-5, momentum: Float = 0.1, affine: Bool = true,
                on device: (any Device)? = nil) {
        ensure(numFeatures > 0, "BatchNorm2d: numFeatures must be positive, got \(numFeatures)")
        self.numFeatures = numFeatures; self.epsilon = epsilon; self.momentum = momentum
        weight = affine ? Parameter(Tensor.ones([numFeatures], on: device)) : nil
        bias = affine ? Parameter(Tensor.zeros([numFeatures], on: device)) : nil
        runningMean = Buffer(Tensor.zeros([numFeatures], on: device))
        runningVar = Buffer(Tensor.ones([numFeatures], on: device))
        numBatchesTracked = Buffer(Tensor.zeros([], dtype: .int32, on: device))
        super.init()
    }

    /// PyTorch's names: `weight`, `bias`, `running_mean`, `running_var`, `num_batches_tracked`.
    public override func registeredMembers() -> [(name: String, member: ModuleMember)] {
        var members: [(name: String, member: ModuleMember)] = []
        if let weight { members.append(("weight", .parameter(weight))) }
        if let bias { members.append(("bias", .parameter(bias))) }
        members += [("running_mean", .buffer(runningMean)), ("running_var", .buffer(runningVar)),
                    ("num_batches_tracked", .buffer(numBatchesTracked))]
        return members
    }

    public override func forward(_ input: Tensor) -> Tensor {
        ensure(input.rank == 4 && input.shape[1] == numFeatures,
               "BatchNorm2d(\(numFeatures)): expects input [N, \(numFeatures), H, W], got \(input.shape)")
        if isTraining {
            ensure(input.count / numFeatures > 1,
                   "BatchNorm2d(\(numFeatures)): needs more than one value per channel in training, got input \(input.shape)")
            pendingBatches += 1
            CapturedStep.onReplay(on: input.device) { [weak self] in self?.pendingBatches += 1 }
        }
        let parameters = BatchNormParameters(epsilon: epsilon, momentum: momentum, training: isTraining)
        return input.batchNorm(weight: weight?.value ?? Tensor.ones([numFeatures], on: input.device),
                               bias: bias?.value ?? Tensor.zeros([numFeatures], on: input.device),
                               runningMean: runningMean.value, runningVar: runningVar.value, parameters)
    }

    /// Adds the batches counted on the host to `num_batches_tracked` (one read and one write, only
    /// when training happened since the last export). The device value is the base, so values written
    /// into a state-dict view in between are respected.
    public override func prepareStateExport() {
        guard pendingBatches > 0 else { return }
        do {
            let base = try numBatchesTracked.value.toInt32Array()[0]
            numBatchesTracked.value.load(int32: [base + Int32(pendingBatches)])
            pendingBatches = 0
        } catch {
            // The device failed; the pending count is kept for the next export.
        }
    }

    /// A loaded checkpoint replaces the counter, so batches counted before the load are dropped.
    public override func didLoadState() throws {
        pendingBatches = 0
    }
}
