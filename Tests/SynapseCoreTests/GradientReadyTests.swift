import SynapseTestSupport
import Testing

/// `whenGradientReady` hands each parameter over once its gradient is final, last layers first,
/// in eager backward passes and at the same place in replays of a captured step.
@Suite struct GradientReadyTests {
    static func makeNet(on device: any Device) -> Module {
        withDevice(device) { withRandomSeed(5) { Sequential { Linear(3, 4); Tanh(); Linear(4, 4); Tanh(); Linear(4, 2) } } }
    }

    /// Which parameter (index into `parameters`) the hook saw, and its gradient at that moment when `reads`.
    final class Sightings {
        var seen: [(index: Int, gradient: [Float])] = []
    }

    /// Records each parameter handed over and, when `reads`, its gradient then: read from its slot
    /// in the packed arena (during a replay the `gradient` property is set only at its end).
    static func watch(_ parameters: [Parameter], reads: Bool, into sightings: Sightings) -> (Tensor) -> Void {
        let arena = ParameterArena.holding(parameters)
        return { tensor in
            guard let index = parameters.firstIndex(where: { $0.value === tensor }) else { return }
            let slot = arena.map { $0.view(of: $0.gradients, parameter: index) } ?? tensor.gradient
            sightings.seen.append((index, reads ? ((try? slot?.toArray()) ?? []) : []))
        }
    }

    @Test(arguments: TestDevices.specs, [true, false])
    func eachParameterIsHandedOverOnceWithItsFinalGradientLastLayersFirst(spec: String, packed: Bool) throws {
        let device = TestDevices.device(spec)
        let net = Self.makeNet(on: device)
        if packed { net.packParameters() }
        let parameters = net.parameters(), sightings = Sightings()
        let x = Tensor.uniform([5, 3], low: -1, high: 1, on: device)
        let labels = Tensor(int32: [0, 1, 1, 0, 1], on: device)
        whenGradientReady(Self.watch(parameters, reads: true, into: sightings)) {
            net(x).crossEntropy(labels: labels).backward()
        }
        #expect(sightings.seen.map(\.index) == [4, 5, 2, 3, 0, 1] || sightings.seen.map(\.index) == [5, 4, 3, 2, 1, 0],
                "\(sightings.seen.map(\.index))")
        for (index, gradient) in sightings.seen {
            #expect(gradient == (try parameters[index].value.gradient?.toArray()), "parameter \(index)")
        }
    }

    @Test(arguments: TestDevices.specs)
    func aReplayHandsOverEachParameterWhenItsReplayedGradientIsFinal(spec: String) throws {
        let device = TestDevices.device(spec)
        let net = Self.makeNet(on: device)
        net.packParameters()
        let parameters = net.parameters(), optimizer = SGD(parameters, learningRate: 0.1)
        let labels = Tensor(int32: [0, 1, 1, 0, 1], on: device)
        let captured = Tensor.uniform([5, 3], low: -1, high: 1, on: device)
        let atCapture = Sightings()
        let (_, step, whyNot) = whenGradientReady(Self.watch(parameters, reads: false, into: atCapture)) {
            CapturedStep.capture(on: device) {
                let loss = net(captured).crossEntropy(labels: labels)
                loss.backward()
                return [loss.detached()]
            }
        }
        let recording = try #require(step, "\(whyNot ?? "")")
        let before = try parameters.map { try #require($0.value.gradient).toArray() }
        optimizer.zeroGradients()
        let replayed = Sightings()
        try whenGradientReady(Self.watch(parameters, reads: true, into: replayed)) {
            try recording.replay(substituting: [(captured, Tensor.uniform([5, 3], low: -1, high: 1, on: device))])
        }
        #expect(replayed.seen.map(\.index) == atCapture.seen.map(\.index))
        #expect(replayed.seen.count == parameters.count)
        for (index, gradient) in replayed.seen {
            let final = try #require(parameters[index].value.gradient).toArray()
            #expect(gradient == final, "parameter \(index) was handed over before its gradient was final")
            #expect(gradient != before[index], "parameter \(index): the new input should change its gradient")
        }
    }
}
