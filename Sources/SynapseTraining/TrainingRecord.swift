/// What a training run reports, as it happens. Each record encodes to one JSON object whose
/// `event` field names its kind (`start`, `progress`, `evaluating`, `epoch`, `checkpoint`, `summary`).
public enum TrainingRecord: Sendable, Encodable {
    case start(RunStart)
    case progress(StepProgress)
    /// The test set is being evaluated after an epoch (for live displays; `--json` leaves it out).
    case evaluating(EvaluationProgress)
    case epoch(EpochSummary)
    case checkpoint(CheckpointSaved)
    case summary(RunSummary)

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case let .start(record): try record.encode(to: encoder)
        case let .progress(record): try record.encode(to: encoder)
        case let .evaluating(record): try record.encode(to: encoder)
        case let .epoch(record): try record.encode(to: encoder)
        case let .checkpoint(record): try record.encode(to: encoder)
        case let .summary(record): try record.encode(to: encoder)
        }
    }
}

/// The run is about to train.
public struct RunStart: Sendable, Codable, Hashable {
    public var event = "start"
    public var model: String
    public var parameters: Int
    public var device: String
    public var deviceName: String
    public var dataset: String
    public var trainExamples: Int
    public var testExamples: Int
    public var stepsPerEpoch: Int
    public var epochs: Int
    public var batchSize: Int
    public var optimizer: String
    public var learningRate: Float
    public var seed: UInt64
    /// Epoch and batch the run starts from (non-zero when resuming).
    public var startEpoch: Int
    public var startBatch: Int
}

/// A live reading taken during an epoch.
public struct StepProgress: Sendable, Codable, Hashable {
    public var event = "progress"
    /// 1-based epoch.
    public var epoch: Int
    public var epochs: Int
    /// Steps of this epoch done.
    public var step: Int
    public var steps: Int
    /// Mean training loss of this epoch so far.
    public var loss: Float
    /// Training throughput since the epoch (or resumed run) began.
    public var imagesPerSecond: Double
    /// Estimated seconds until the end of the epoch.
    public var etaSeconds: Double
    /// Fraction of this epoch's training examples so far whose arg-max prediction was right.
    public var accuracy: Double?
    /// Optimizer steps taken since the run began (TensorBoard's x axis).
    public var globalStep: Int = 0
    /// The learning rate of this epoch.
    public var learningRate: Float = 0
    /// Seconds since this epoch began training, and since the run began.
    public var elapsedSeconds: Double = 0
    public var runElapsedSeconds: Double = 0
    /// Estimated seconds until the whole run ends, evaluations included.
    public var runEtaSeconds: Double?
}

/// A live reading of the evaluation that follows an epoch.
public struct EvaluationProgress: Sendable, Codable, Hashable {
    public var event = "evaluating"
    /// 1-based epoch just trained.
    public var epoch: Int
    public var epochs: Int
    /// Test batches evaluated so far, of `batches`.
    public var batch: Int
    public var batches: Int
    /// Seconds since the evaluation began.
    public var elapsedSeconds: Double
}

/// One finished epoch.
public struct EpochSummary: Sendable, Codable, Hashable {
    public var event = "epoch"
    /// 1-based epoch.
    public var epoch: Int
    public var epochs: Int
    /// Mean training loss over the epoch's steps.
    public var trainLoss: Float
    /// Fraction of the epoch's training examples whose arg-max prediction was right.
    public var trainAccuracy: Double?
    /// Mean test loss and accuracy (nil for synthetic data).
    public var testLoss: Float?
    public var testAccuracy: Double?
    /// Seconds of training (evaluation excluded) and the resulting throughput.
    public var seconds: Double
    public var imagesPerSecond: Double
    public var learningRate: Float
    /// Optimizer steps taken since the run began.
    public var globalStep: Int = 0
    /// Seconds the evaluation took (nil without a test set).
    public var evaluationSeconds: Double?
}

/// A checkpoint was written.
public struct CheckpointSaved: Sendable, Codable, Hashable {
    public var event = "checkpoint"
    public var path: String
    /// Epochs finished, and steps of the next one done (0 at an epoch boundary).
    public var epochsCompleted: Int
    public var step: Int
}

/// The run is over (finished, or stopped by a request).
public struct RunSummary: Sendable, Codable, Hashable {
    public var event = "summary"
    public var model: String
    public var device: String
    public var epochsCompleted: Int
    public var bestAccuracy: Double?
    public var finalAccuracy: Double?
    public var finalTestLoss: Float?
    public var totalSeconds: Double
    /// Highest device memory held by buffers during the run.
    public var peakDeviceMemoryBytes: Int
    /// True when a stop request (Ctrl-C) ended the run early.
    public var interrupted: Bool
}

/// The result of evaluating a model on a data set.
public struct EvaluationResult: Sendable, Codable, Hashable {
    public var event = "eval"
    public var model: String
    public var device: String
    public var examples: Int
    public var loss: Float
    public var accuracy: Double
    public var seconds: Double

    public init(model: String, device: String, examples: Int, loss: Float, accuracy: Double, seconds: Double) {
        self.model = model; self.device = device; self.examples = examples
        self.loss = loss; self.accuracy = accuracy; self.seconds = seconds
    }
}
