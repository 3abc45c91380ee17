import SynapseTestSupport
import Testing

/// The conformance suite covers every primitive, unary, binary and reduce op and random
/// distribution: adding one to `Primitive` without a conformance case fails here.
@Suite struct CoverageTests {
    @Test func everyPrimitiveAndOpHasAConformanceCase() {
        let missing = ConformanceSuite.uncoveredFamilies(in: ConformanceSuite.cases)
        #expect(missing.isEmpty, "no conformance case for: \(missing.joined(separator: ", ")) (add cases to ConformanceSuite)")
    }

    @Test func aFamilyWithoutCasesIsReported() {
        // What the test above reports when a family loses its cases.
        let withoutExp = ConformanceSuite.cases.filter { $0.primitive != .unary(.exp) }
        #expect(ConformanceSuite.uncoveredFamilies(in: withoutExp) == ["unary.exp"])
        let withoutConvolution = ConformanceSuite.cases.filter { $0.primitive.kind != .conv2dBackwardWeight }
        #expect(ConformanceSuite.uncoveredFamilies(in: withoutConvolution) == ["conv2dBackwardWeight"])
    }

    @Test func familiesListEveryKindOnce() {
        let names = Primitive.allFamilyNames
        #expect(Set(names).count == names.count)
        // Each parameterless kind once, plus one row per op of the six kinds that carry one.
        #expect(names.count == Primitive.Kind.allCases.count - 6 + UnaryOp.Kind.allCases.count + BinaryOp.Kind.allCases.count
            + ReduceOp.Kind.allCases.count + RandomDistribution.Kind.allCases.count + 2 * Activation.allCases.count)
        #expect(names.contains("biasActivation.tanh") && names.contains("biasActivationBackward.identity"))
        #expect(names.contains("unary.reverseSubScalar") && names.contains("binary.powBackward") && names.contains("adamStep"))
    }

    @Test func caseNamesAreUnique() {
        for names in [ConformanceSuite.cases.map(\.name), GradientSuite.cases.map(\.name)] {
            let repeated = Dictionary(grouping: names, by: { $0 }).filter { $0.value.count > 1 }.keys.sorted()
            #expect(repeated.isEmpty, "repeated case names: \(repeated)")
        }
    }
}
