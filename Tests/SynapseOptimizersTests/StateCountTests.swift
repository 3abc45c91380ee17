import SynapseTestSupport
import Testing

/// Saved step counts are checked, not trusted, and `stateLayout()` says what a saved state holds.
@Suite struct StateCountTests {
    static let optimizers: [@Sendable ([Parameter]) -> any Optimizer] = [
        { SGD($0, learningRate: 0.1, momentum: 0.9) }, { SGD($0, learningRate: 0.1) },
        { Adam($0) }, { AdamW($0) },
    ]

    /// Expects `body` to throw `OptimizerStateError.invalidCount` for `key` holding `value`.
    func expectInvalidCount(_ key: String, _ value: Float, _ body: () throws -> Void,
                            sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            try body()
            Issue.record("\(key) = \(value) was accepted", sourceLocation: sourceLocation)
        } catch let OptimizerStateError.invalidCount(found, held) {
            #expect(found == key && (held == Double(value) || (held.isNaN && value.isNaN)), sourceLocation: sourceLocation)
        } catch {
            Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
        }
    }

    @Test(arguments: [Float.nan, .infinity, 1e30, -5, 2.5])
    func aStepCountThatIsNotAWholeNumberIsAnError(value: Float) {
        for make in Self.optimizers {
            let optimizer = make([Parameter(Tensor([1, 2, 3]))])
            expectInvalidCount("step", value) { try optimizer.loadStateDict([(name: "step", tensor: Tensor(scalar: value))]) }
        }
        let adam = Adam([Parameter(Tensor([1, 2, 3]))])
        expectInvalidCount("state.0.step", value) {
            try adam.loadStateDict([(name: "state.0.step", tensor: Tensor(scalar: value)),
                                    (name: "state.0.exp_avg", tensor: Tensor.zeros([3])),
                                    (name: "state.0.exp_avg_sq", tensor: Tensor.zeros([3]))])
        }
    }

    @Test func theLayoutIsWhatAStateHoldsAfterAStep() {
        for make in Self.optimizers {
            let parameters = [Parameter(Tensor([1, 2, 3])), Parameter(Tensor([1, 2, 3, 4], shape: [2, 2]))]
            let optimizer = make(parameters)
            for parameter in parameters { parameter.value.gradient = Tensor.ones(parameter.shape) }
            optimizer.step()
            let state = optimizer.stateDict()
            #expect(state.map(\.name).sorted() == optimizer.stateLayout().map(\.name).sorted())
            for (name, shape) in optimizer.stateLayout() {
                #expect(state.first { $0.name == name }?.tensor.shape == shape, "\(name)")
            }
        }
    }
}
