/// One recorded operation of the graph: what produced a tensor, from which inputs, and what the
/// derivative table needs later. Inspectable, so a step can be captured or fused later.
public final class Node: @unchecked Sendable {
    /// The operation.
    public let op: Op
    /// The operands, in the order the derivative table expects.
    public let inputs: [Tensor]
    /// Tensors saved for the backward pass (e.g. an activation's output, pooling arg-max).
    public let saved: [Tensor]

    init(op: Op, inputs: [Tensor], saved: [Tensor] = []) {
        self.op = op
        self.inputs = inputs
        self.saved = saved
    }
}
