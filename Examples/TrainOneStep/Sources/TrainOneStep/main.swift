import Synapse
import SynapseTraining

/// A network of your own: any `Module` subclass trains with `Trainer`.
final class TinyNet: Module {
    let conv = Conv2d(1, 8, kernelSize: 3, padding: 1)
    let pool = MaxPool2d(kernelSize: 2)
    let classifier = Linear(8 * 14 * 14, 10)

    override func forward(_ input: Tensor) -> Tensor {
        classifier(pool(conv(input).relu()).flatten())
    }
}

let device = try Devices.resolve("cpu")
let model = TinyNet()
try model.move(to: device)
let optimizer = SGD(model.parameters(), learningRate: 0.05, momentum: 0.9)

// Any BatchSource trains: here 4 batches of 32 random 28×28 images in 10 classes.
// A DataLoader over your own images works the same way.
let images = SyntheticImages(imageShape: [1, 28, 28], classCount: 10, batchSize: 32, batchCount: 4, device: device)
var configuration = TrainingConfiguration()
configuration.model = "tinynet"  // the name records and checkpoints carry
configuration.batchSize = 32
configuration.epochs = 1

let trainer = try Trainer(model: model, optimizer: optimizer,
                          data: TrainingData(train: images, test: nil, name: "random images"),
                          device: device, configuration: configuration)
let losses = try trainer.train(steps: 1)
print("trained \(losses.count) step of TinyNet on \(device.info.spec): loss \(losses[0])")
